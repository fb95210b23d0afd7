import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { EngagementRef } from "../engagements/types.ts";
import type { LedgerStore } from "../imports/ports.ts";
import type { ImportRun } from "../imports/types.ts";
import { UNACCEPTABLE_CODES } from "../imports/activationRules.ts";
import { uploadKey } from "../imports/uploadKey.ts";
import type { FileHeader } from "../ledger/types.ts";
import { ImportWaitTimeoutError, UploadRejectedError, UsageError } from "./errors.ts";
import { formatIssueCounts, toImportSummaryJson } from "./importSummaryJson.ts";
import { parseOptions } from "./parseOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";
import { readFileHeader } from "./readFileHeader.ts";

const TERMINAL_STATUSES: ReadonlySet<ImportRun["status"]> = new Set(["succeeded", "held", "failed", "superseded"]);
/** Exit code of an upload whose import did not become the engagement's active version (held, failed, superseded). */
export const EXIT_NOT_ACTIVE = 3;
/** Clocks of this machine and of the function may differ a little (AWS); locally they are the same clock. */
const CLOCK_SKEW_MS = 60_000;

/**
 * `saldo upload <file> --tenant T --client C --engagement E`: makes sure the client and the engagement exist
 * (created from the file's header on first use), puts the file to `uploads/T/C/E/<file name>` — from where the
 * bucket's object-created event runs the import, as for any upload — and waits for that import to finish.
 */
export async function uploadCommand(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    wait: { type: "boolean", default: true },
    "no-wait": { type: "boolean", default: false },
    timeout: { type: "string", default: "900" },
    "fiscal-year": { type: "string" },
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
    const created = await ensureClientAndEngagement(store, ref, () => readFileHeader(path), fiscalYearOption);
    const fileName = basename(path);
    const key = uploadKey({ ...ref, fileName });
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
    const engagement = await store.getEngagement(ref);
    const summary = toImportSummaryJson(run, engagement?.activeImportId);
    if (values.json) {
      process.stdout.write(JSON.stringify({ bucket: target.bucketName, key, size, import: summary }, null, 2) + "\n");
    } else {
      const counts = summary.counts
        ? `: ${summary.counts.accounts} accounts, ${summary.counts.transactions} transactions, ${summary.counts.lines} lines`
        : "";
      process.stdout.write(`import ${run.importId} ${run.status}${counts}\n`);
      if (run.failure) process.stdout.write(`  reason: ${run.failure.code}: ${run.failure.message}\n`);
      process.stdout.write(`  issues: ${formatIssueCounts(summary.issues)}\n`);
      if (run.status === "held") process.stdout.write(renderHeld(run, ref));
      if (run.status === "superseded") process.stdout.write("  a newer upload is the active version of this engagement\n");
      if (run.status !== "succeeded") process.stdout.write("  the engagement's active version stays as it was\n");
    }
    return run.status === "succeeded" ? 0 : EXIT_NOT_ACTIVE;
  } finally {
    pipeline.close();
  }
}

/** Why a held import was held (one line per reason, with its issue's message) and how to activate it anyway. */
export function renderHeld(run: ImportRun, ref: EngagementRef): string {
  const heldFor = run.heldFor ?? [];
  const lines = [`  held for: ${heldFor.join(", ")}`];
  for (const code of heldFor) {
    const issue = run.issues?.find((candidate) => candidate.code === code);
    lines.push(`  - ${code}: ${issue?.message ?? "(see the import's report)"}`);
  }
  if (heldFor.some((code) => UNACCEPTABLE_CODES.has(code))) {
    lines.push("  it has no figures and cannot be activated: fix the file and upload it again");
  } else {
    lines.push(
      `  to activate it anyway: saldo activate --tenant ${ref.tenantId} --client ${ref.clientId} ` +
        `--engagement ${ref.engagementId} --import ${run.importId} --accept ${heldFor.join(",")}`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Creates the client (named after the file's company, else its id) and a year-end engagement whose fiscal year and
 * period are the file's, when they do not exist yet. Returns lines saying what it created. The file's header is read
 * only when something must be created: an upload to an existing engagement goes through whatever the file holds,
 * and a file saldo cannot read ends as a failed import with its reason, like any upload.
 */
async function ensureClientAndEngagement(
  store: LedgerStore,
  ref: EngagementRef,
  readHeader: () => Promise<FileHeader>,
  fiscalYearOption: number | undefined,
): Promise<string[]> {
  const now = new Date().toISOString();
  const said: string[] = [];
  const [client, engagement] = await Promise.all([store.getClient(ref), store.getEngagement(ref)]);
  if (client && engagement) return said;
  const header = await readHeader();
  if (!client) {
    const name = header.company.name?.trim() || ref.clientId;
    const createdClient = await store.createClient({
      tenantId: ref.tenantId,
      clientId: ref.clientId,
      name,
      ...(header.company.orgNumber ? { orgNumber: header.company.orgNumber } : {}),
      accountingSystem: "other",
      createdAt: now,
      updatedAt: now,
    });
    if (createdClient) said.push(`created client ${ref.clientId} (${name})`);
  }
  if (!engagement) {
    const period = header.period ?? (fiscalYearOption ? { start: `${fiscalYearOption}-01-01`, end: `${fiscalYearOption}-12-31` } : undefined);
    if (!period) {
      throw new UsageError(
        `the file states no period, so the engagement "${ref.engagementId}" cannot be created from it: pass --fiscal-year <year>`,
      );
    }
    const fiscalYear = fiscalYearOption ?? Number(period.start.slice(0, 4));
    const createdEngagement = await store.createEngagement({
      ...ref,
      kind: "year-end",
      fiscalYear,
      periodStart: period.start,
      periodEnd: period.end,
      createdAt: now,
    });
    if (createdEngagement) said.push(`created year-end engagement ${ref.engagementId} (fiscal year ${fiscalYear}, ${period.start} – ${period.end})`);
  }
  return said;
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
