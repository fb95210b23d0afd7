import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { EngagementRef } from "../engagements/types.ts";
import type { LedgerStore } from "../imports/ports.ts";
import { checkUpload, checkUploadFile } from "../imports/requestUpload.ts";
import type { ImportRun } from "../imports/types.ts";
import { ImportWaitTimeoutError, UploadRejectedError, UsageError } from "./errors.ts";
import { formatIssueCounts, toImportSummaryJson } from "./importSummaryJson.ts";
import { parseOptions } from "./parseOptions.ts";
import { ensureUploadEngagement } from "./ensureUploadEngagement.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";
import { readFileHeader } from "./readFileHeader.ts";

const TERMINAL_STATUSES: ReadonlySet<ImportRun["status"]> = new Set(["succeeded", "failed", "superseded"]);
/** Clocks of this machine and of the function may differ a little (AWS); locally they are the same clock. */
const CLOCK_SKEW_MS = 60_000;

/**
 * `saldo upload <file> --tenant T --client C --engagement E`: makes sure the client and the engagement exist
 * (created from the file's header on first use, through the client and engagement use cases: see
 * ensureUploadEngagement), checks the upload as the API does (checkUpload), puts the file to `uploads/T/C/E/<file name>` — from where the
 * bucket's object-created event runs the import, as for any upload — and waits for that import to finish.
 */
export async function uploadCommand(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    wait: { type: "boolean", default: true },
    "no-wait": { type: "boolean", default: false },
    timeout: { type: "string", default: "900" },
    "fiscal-year": { type: "string" },
    "org-number": { type: "string" },
    json: { type: "boolean", default: false },
  });
  const [path, ...extra] = positionals;
  if (!path || extra.length > 0) throw new UsageError("upload takes exactly one file");
  const ref = engagementRefFromOptions(values);
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds`);
  const fiscalYearOption = values["fiscal-year"] === undefined ? undefined : Number(values["fiscal-year"]);
  if (fiscalYearOption !== undefined && !(Number.isInteger(fiscalYearOption) && fiscalYearOption >= 1900 && fiscalYearOption <= 2999)) {
    throw new UsageError(`--fiscal-year must be a year such as 2025`);
  }
  const wait = values.wait && !values["no-wait"];

  const { size } = await stat(path);
  const pipeline = await openPipelineTarget(env);
  try {
    const { store, s3, target } = pipeline;
    const fileName = basename(path);
    checkUploadFile({}, { fileName, size });
    const created = await ensureUploadEngagement({ store }, ref, () => readFileHeader(path), {
      fiscalYear: fiscalYearOption,
      orgNumber: values["org-number"],
    });
    // The checks of the API's POST …/uploads: size, a live client's engagement, a file name an upload key can hold.
    const key = await checkUpload({ store }, { ...ref, fileName, size });
    const uploadedAt = Date.now();
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: target.bucketName,
        Key: key,
        // Streamed from disk: the file is never held in memory whole.
        Body: createReadStream(path),
        ContentLength: size,
      }),
    );
    const etag = put.ETag?.replace(/"/g, "");
    if (!values.json) {
      for (const line of created) process.stdout.write(`${line}\n`);
      process.stdout.write(`uploaded ${fileName} (${size} bytes) to s3://${target.bucketName}/${key} (${target.description})\n`);
    }
    if (!wait) {
      if (values.json) process.stdout.write(JSON.stringify({ bucket: target.bucketName, key, size, import: null }, null, 2) + "\n");
      return 0;
    }

    const run = await waitForImport(store, ref, {
      key,
      ...(etag ? { etag } : {}),
      ...(put.VersionId ? { versionId: put.VersionId } : {}),
      notBefore: uploadedAt - CLOCK_SKEW_MS,
      timeoutMs: timeoutSeconds * 1000,
      deadLetterHint: target.deadLetterDir,
    });
    const activeImportId = await activeAfter(store, ref, run);
    const summary = toImportSummaryJson(run, activeImportId);
    if (values.json) {
      process.stdout.write(JSON.stringify({ bucket: target.bucketName, key, size, import: summary }, null, 2) + "\n");
    } else {
      const counts = summary.counts
        ? `: ${summary.counts.accounts} accounts, ${summary.counts.transactions} transactions, ${summary.counts.lines} lines`
        : "";
      process.stdout.write(`import ${run.importId} ${run.status}${counts}\n`);
      if (run.failure) process.stdout.write(`  reason: ${run.failure.code}: ${run.failure.message}\n`);
      process.stdout.write(`  issues: ${formatIssueCounts(summary.issues)}\n`);
      if (run.status === "superseded") process.stdout.write("  a newer upload is the active version of this engagement\n");
    }
    return run.status === "failed" ? 1 : 0;
  } finally {
    pipeline.close();
  }
}

/** How long a succeeded import may take to become (or not become) the active version: a second write after it. */
const ACTIVATION_SETTLE_MS = 15_000;

/**
 * The engagement's active import once the import `run` has settled: the ingest saves an import as succeeded and then
 * activates it in a second write, so right after "succeeded" the engagement may still name the previous version.
 * Waits (bounded) until the engagement names this import or the import is no longer `succeeded` (superseded).
 */
async function activeAfter(store: LedgerStore, ref: EngagementRef, run: ImportRun): Promise<string | undefined> {
  const deadline = Date.now() + ACTIVATION_SETTLE_MS;
  for (;;) {
    const engagement = await store.getEngagement(ref);
    if (run.status !== "succeeded" || engagement?.activeImportId === run.importId || Date.now() > deadline) {
      return engagement?.activeImportId;
    }
    const current = await store.getImport({ ...ref, importId: run.importId });
    if (current?.status !== "succeeded") return engagement?.activeImportId;
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  }
}

/**
 * Polls the engagement's imports until the one of this upload reaches a final status: same key, same version or
 * ETag, created after the upload started (an earlier upload of the same bytes under the same name has an older
 * import).
 */
async function waitForImport(
  store: LedgerStore,
  ref: EngagementRef,
  upload: { key: string; etag?: string; versionId?: string; notBefore: number; timeoutMs: number; deadLetterHint?: string | undefined },
): Promise<ImportRun> {
  const deadline = Date.now() + upload.timeoutMs;
  let delay = 200;
  for (;;) {
    const runs = await store.listImports(ref);
    const mine = runs.find((run) => {
      if (run.source.type !== "file" || run.source.key !== upload.key) return false;
      if (upload.versionId && run.source.versionId) return run.source.versionId === upload.versionId;
      if (upload.etag && run.source.etag && run.source.etag !== upload.etag) return false;
      return Date.parse(run.createdAt) >= upload.notBefore;
    });
    if (mine && TERMINAL_STATUSES.has(mine.status)) return mine;
    if (!mine) {
      const rejected = (await store.listRejectedUploads(ref.tenantId)).find(
        (rejection) => rejection.key === upload.key && Date.parse(rejection.at) >= upload.notBefore,
      );
      if (rejected) throw new UploadRejectedError(`the upload was rejected: ${rejected.reason}`);
    }
    if (Date.now() > deadline) {
      throw new ImportWaitTimeoutError(
        `the upload is stored, but its import ${mine ? `(${mine.importId}) is still ${mine.status}` : "has not started"} after ` +
          `${Math.round(upload.timeoutMs / 1000)} s; see \`saldo imports\`` +
          (upload.deadLetterHint ? ` and the dead letters in ${upload.deadLetterHint}` : ""),
      );
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, delay));
    delay = Math.min(2_000, Math.round(delay * 1.5));
  }
}
