import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Client, EngagementRef } from "../engagements/types.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ImportStore } from "../imports/ports.ts";
import { checkUpload, checkUploadFile } from "../imports/requestUpload.ts";
import type { ImportRun } from "../imports/types.ts";
import { UNACCEPTABLE_CODES } from "../imports/activationRules.ts";
import { resolveDataDir } from "../local/stack/localStackSettings.ts";
import { UploadInterruptedError, UsageError } from "./errors.ts";
import { followImport, type ImportProgressView } from "./followImport.ts";
import { toImportSummaryJson, type ImportSummaryJson } from "../imports/importReports.ts";
import { MIN_S3_PART_SIZE, uploadFileToS3 } from "./multipartUpload.ts";
import { parseOptions } from "./parseOptions.ts";
import { errorLine } from "./errorLine.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { ensureUploadEngagement } from "./ensureUploadEngagement.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";
import { createProgressBar } from "./progressBar.ts";
import { readFileHeader } from "./readFileHeader.ts";
import { READ_OPTIONS, uploadOptionsFromCli } from "./readOptions.ts";
import { uploadMetadataOf } from "../imports/uploadOptions.ts";
import { ImportRoleSchema } from "../imports/types.ts";
import { formatCountForPeople } from "../presentation/formatForPeople.ts";
import { labelsFor } from "../presentation/labels.ts";
import { DEFAULT_LOCALE, type Locale } from "../presentation/locale.ts";
import { storedFailureForPeople } from "../presentation/errorTexts.ts";

/** Exit code of an upload whose import did not become the engagement's active version (held, failed, superseded). */
export const EXIT_NOT_ACTIVE = 3;
/** Clocks of this machine and of the function may differ a little (AWS); locally they are the same clock. */
const CLOCK_SKEW_MS = 60_000;

/**
 * `saldo upload <file> --tenant T --client C --engagement E`: makes sure the client and the engagement exist
 * (created from the file's header on first use, through the client and engagement use cases: see
 * ensureUploadEngagement), checks the upload as the API does (checkUpload), puts the file to `uploads/T/C/E/<file name>` — from where the
 * bucket's object-created event runs the import, as for any upload — and waits for that import to finish. Its text
 * is in the locale's words and number style (`--locale`, `SALDO_LOCALE`); `--json` is the same in every locale.
 */
export async function uploadCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    wait: { type: "boolean", default: true },
    "no-wait": { type: "boolean", default: false },
    timeout: { type: "string", default: "900" },
    "fiscal-year": { type: "string" },
    "part-size": { type: "string" },
    "org-number": { type: "string" },
    json: { type: "boolean", default: false },
    role: { type: "string" },
    ...LOCALE_OPTION,
    ...READ_OPTIONS,
  });
  const [path, ...extra] = positionals;
  if (!path || extra.length > 0)
    throw new UsageError("upload takes exactly one file", "«saldo upload» tar nøyaktig én fil.");
  const ref = engagementRefFromOptions(values);
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new UsageError(
      `--timeout must be a positive number of seconds`,
      "--timeout må være et positivt antall sekunder.",
    );
  const fiscalYearOption = values["fiscal-year"] === undefined ? undefined : Number(values["fiscal-year"]);
  if (
    fiscalYearOption !== undefined &&
    !(Number.isInteger(fiscalYearOption) && fiscalYearOption >= 1900 && fiscalYearOption <= 2999)
  ) {
    throw new UsageError(
      `--fiscal-year must be a year such as 2025`,
      "--fiscal-year må være et år, for eksempel 2025.",
    );
  }
  const partSizeMiB = values["part-size"] === undefined ? undefined : Number(values["part-size"]);
  if (
    partSizeMiB !== undefined &&
    !(Number.isInteger(partSizeMiB) && partSizeMiB >= MIN_S3_PART_SIZE / 1024 / 1024 && partSizeMiB <= 5120)
  ) {
    throw new UsageError(
      `--part-size must be a whole number of MiB from ${MIN_S3_PART_SIZE / 1024 / 1024} to 5120`,
      `--part-size må være et helt antall MiB fra ${MIN_S3_PART_SIZE / 1024 / 1024} til 5120.`,
    );
  }
  const wait = values.wait && !values["no-wait"];
  const role = ImportRoleSchema.safeParse(values.role ?? "figures");
  if (!role.success) throw new UsageError(`--role must be figures or opening`, "--role må være figures eller opening.");
  const readOptions = { ...uploadOptionsFromCli(values), ...(role.data === "opening" ? { role: role.data } : {}) };
  const locale = localeFromOptions(values.locale, env);
  const labels = labelsFor(locale).upload;
  const count = (value: number) => formatCountForPeople(value, locale);

  const { size, mtimeMs } = await stat(path);
  const pipeline = await openPipelineTarget(env);
  try {
    const { s3, target } = pipeline;
    const fileName = basename(path);
    checkUploadFile({}, { fileName, size });
    // The header is read as the import will read the file: with the options given, else the client's remembered layout.
    const created = await ensureUploadEngagement(
      pipeline,
      ref,
      (client?: Client) => readFileHeader(path, readOptions, client?.csvLayout),
      {
        fiscalYear: fiscalYearOption,
        orgNumber: values["org-number"],
        locale,
        role: role.data,
      },
    );
    // The checks of the API's POST …/uploads: size, a live client's engagement, a file name an upload key can hold.
    const key = await checkUpload(pipeline, { ...ref, fileName, size });
    const uploadedAt = Date.now();
    const transfer = await transferFile({
      s3,
      bucket: target.bucketName,
      key,
      path,
      size,
      mtimeMs,
      stateDir: join(resolveDataDir(env), "upload-state"),
      label: labels.uploading(fileName),
      errorLocale: values.json ? "en" : locale,
      metadata: uploadMetadataOf(readOptions),
      ...(partSizeMiB === undefined ? {} : { partSize: partSizeMiB * 1024 * 1024 }),
    });
    if (transfer === "interrupted") return 130;
    const { result: put } = transfer;
    if (!values.json) {
      for (const line of created) process.stdout.write(`${line}\n`);
      const uploaded = labels.uploaded(
        fileName,
        count(size),
        put.parts === 0 ? undefined : count(put.parts),
        put.parts > 0 && put.resumedParts > 0 ? count(put.resumedParts) : undefined,
        `s3://${target.bucketName}/${key} (${target.description})`,
      );
      process.stdout.write(`${uploaded}\n`);
    }
    if (!wait) {
      if (values.json)
        process.stdout.write(
          JSON.stringify({ bucket: target.bucketName, key, size, transfer: transferJson(put), import: null }, null, 2) +
            "\n",
        );
      return 0;
    }

    let bar: ReturnType<typeof createProgressBar> | undefined;
    const showProgress = (progress: ImportProgressView) => {
      if (!process.stderr.isTTY) return;
      bar ??= createProgressBar(process.stderr, progress.size ?? 0, labels.importing(fileName));
      bar.update(progress.bytesRead ?? 0, importDetail(progress, locale));
    };
    let run;
    try {
      run = await followImport(
        pipeline.importStore,
        ref,
        {
          key,
          ...(put.etag ? { etag: put.etag } : {}),
          ...(put.versionId ? { versionId: put.versionId } : {}),
          notBefore: uploadedAt - CLOCK_SKEW_MS,
          timeoutMs: timeoutSeconds * 1000,
          deadLetterHint: target.deadLetterDir,
        },
        showProgress,
      );
    } finally {
      bar?.done();
    }
    const activeImportId = await activeAfter(pipeline, ref, run);
    const summary = toImportSummaryJson(run, activeImportId);
    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          { bucket: target.bucketName, key, size, transfer: transferJson(put), import: summary },
          null,
          2,
        ) + "\n",
      );
    } else {
      process.stdout.write(renderImportEnded(run, summary, locale));
      if (run.status === "held") process.stdout.write(renderHeld(run, ref, locale));
      if (run.status === "superseded") process.stdout.write(`  ${labels.supersededByNewer}\n`);
      if (run.status !== "succeeded") process.stdout.write(`  ${labels.activeUnchanged}\n`);
    }
    return run.status === "succeeded" ? 0 : EXIT_NOT_ACTIVE;
  } finally {
    pipeline.close();
  }
}

/**
 * How the import ended, for people: `import X fullført: 11 kontoer, 6 bilag, 14 linjer`, the failure's reason (in
 * bokmål from the error texts where the saved failure allows, see `storedFailureForPeople`), and the issue counts
 * (nb; English with `en`). Codes and the issues' messages stay as they are.
 */
export function renderImportEnded(run: ImportRun, summary: ImportSummaryJson, locale: Locale = DEFAULT_LOCALE): string {
  const labels = labelsFor(locale);
  const count = (value: number) => formatCountForPeople(value, locale);
  const counts = summary.counts
    ? {
        accounts: count(summary.counts.accounts),
        transactions: count(summary.counts.transactions),
        lines: count(summary.counts.lines),
      }
    : undefined;
  const lines = [labels.upload.importEnded(run.importId, labels.status[run.status] ?? run.status, counts)];
  if (run.role === "opening") lines.push(`  ${labels.upload.role}: ${labels.importRole(run.role)}`);
  if (run.failure) {
    const fileName = run.source.type === "file" ? run.source.fileName : undefined;
    lines.push(`  ${labels.upload.reason}: ${storedFailureForPeople(run.failure, locale, { fileName })}`);
  }
  // Errors the source plan makes irrelevant to the figures (Issue.unusedByPlan) are counted apart.
  const unused = run.issues?.filter((issue) => issue.unusedByPlan !== undefined).length ?? 0;
  const issues = summary.issueCounts
    ? labels.issueCounts(
        count(summary.issueCounts.error - unused),
        count(summary.issueCounts.warning),
        count(summary.issueCounts.info),
      ) + (unused > 0 ? labels.unusedByPlanCount(count(unused)) : "")
    : labels.noReport;
  lines.push(`  ${labels.upload.issues}: ${issues}`);
  return lines.join("\n") + "\n";
}

/** Why a held import was held (one line per reason, with its issue's message) and how to activate it anyway. */
export function renderHeld(run: ImportRun, ref: EngagementRef, locale: Locale = DEFAULT_LOCALE): string {
  const labels = labelsFor(locale).upload;
  const heldFor = run.heldFor ?? [];
  const lines = [`  ${labels.heldFor}: ${heldFor.join(", ")}`];
  for (const code of heldFor) {
    const issue = run.issues?.find((candidate) => candidate.code === code);
    lines.push(`  - ${code}: ${issue?.message ?? labels.seeReport}`);
  }
  if (heldFor.some((code) => UNACCEPTABLE_CODES.has(code))) {
    lines.push(`  ${labels.noFigures}`);
  } else {
    lines.push(
      `  ${labels.activateAnyway}: saldo activate --tenant ${ref.tenantId} --client ${ref.clientId} ` +
        `--engagement ${ref.engagementId} --import ${run.importId} --accept ${heldFor.join(",")}`,
    );
  }
  return lines.join("\n") + "\n";
}
/** How long a succeeded import may take to become (or not become) the active version: a second write after it. */
const ACTIVATION_SETTLE_MS = 15_000;

/**
 * The engagement's active import once the import `run` has settled: the ingest saves an import as succeeded and then
 * activates it in a second write, so right after "succeeded" the engagement may still name the previous version.
 * Waits (bounded) until the engagement names this import or the import is no longer `succeeded` (superseded).
 */
async function activeAfter(
  stores: { engagementStore: EngagementStore; importStore: ImportStore },
  ref: EngagementRef,
  run: ImportRun,
): Promise<string | undefined> {
  const deadline = Date.now() + ACTIVATION_SETTLE_MS;
  for (;;) {
    const engagement = await stores.engagementStore.getEngagement(ref);
    if (run.status !== "succeeded" || engagement?.activeImportId === run.importId || Date.now() > deadline) {
      return engagement?.activeImportId;
    }
    const current = await stores.importStore.getImport({ ...ref, importId: run.importId });
    if (current?.status !== "succeeded") return engagement?.activeImportId;
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  }
}

/**
 * Puts the file to the bucket (lib/cli/multipartUpload.ts) with a progress bar on a terminal's stderr (nothing on
 * a pipe, so `--json` output stays clean). Ctrl-C stops it between parts: what is stored is kept for the next run.
 */
async function transferFile(
  options: Omit<Parameters<typeof uploadFileToS3>[0], "onProgress" | "signal"> & { label: string; errorLocale: Locale },
): Promise<{ result: Awaited<ReturnType<typeof uploadFileToS3>> } | "interrupted"> {
  const bar = process.stderr.isTTY ? createProgressBar(process.stderr, options.size, options.label) : undefined;
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once("SIGINT", onInterrupt);
  try {
    const result = await uploadFileToS3({ ...options, signal: stop.signal, onProgress: (bytes) => bar?.update(bytes) });
    return { result };
  } catch (error) {
    if (!(error instanceof UploadInterruptedError)) throw error;
    bar?.done();
    process.stderr.write(`saldo: ${errorLine(error, options.errorLocale)}\n`);
    return "interrupted";
  } finally {
    process.off("SIGINT", onInterrupt);
    bar?.done();
  }
}

/** How the file went up, for `--json`: parts (0: one PutObject), parts reused from an interrupted run, parts sent now. */
function transferJson(put: Awaited<ReturnType<typeof uploadFileToS3>>) {
  return { parts: put.parts, resumedParts: put.resumedParts, sentParts: put.sentParts };
}

function importDetail(progress: ImportProgressView, locale: Locale): string {
  const labels = labelsFor(locale);
  const parts: string[] = [labels.status[progress.status] ?? progress.status];
  if (progress.lines !== undefined) parts.push(labels.upload.lines(formatCountForPeople(progress.lines, locale)));
  return parts.join(", ");
}
