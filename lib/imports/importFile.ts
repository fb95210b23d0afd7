import { createHash } from "node:crypto";
import { monotonicFactory } from "ulid";
import type { Client, ClientRef, EngagementRef, RememberedCsvLayout } from "../engagements/types.ts";
import { hasLayout } from "../formats/csv/index.ts";
import { FormatError } from "../formats/errors.ts";
import { parseFile, type ParseFileOptions } from "../formats/parseFile.ts";
import { formatKnownOre } from "../ledger/ledgerJson.ts";
import { LedgerSummarizer, type LedgerSummary } from "../ledger/summarizeLedger.ts";
import { formatOre } from "../money/ore.ts";
import type { ActivationResult, FileSource, LedgerStore, WriteStatistics } from "./ports.ts";
import type { ImportCounts, ImportRun, ImportTrigger } from "./types.ts";
import { SourceFileMissingError } from "./errors.ts";
import { activationFactsOf, evaluateActivationRules } from "./activationRules.ts";
import { adoptClientOrgNumber, otherClientWithOrgNumber } from "./clientOrgNumber.ts";
import { parseUploadKey, REJECTED_PREFIX } from "./uploadKey.ts";
import { describeUploadOptions, uploadOptionsFromMetadata, type UploadOptions } from "./uploadOptions.ts";

/** What importFile needs from the outside world (STYLE.md §5: dependencies first). */
export interface ImportFileDeps {
  store: LedgerStore;
  files: FileSource;
  /** How long superseded and failed versions are kept before DynamoDB TTL removes them. */
  retentionSeconds: number;
  /** How long a running import holds its claim before a retry may take it over (≥ the Lambda timeout). */
  leaseSeconds?: number;
  now?: () => Date;
  newImportId?: () => string;
  /** Structured progress events (the handler passes them to its logger). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** One object-created event, as the handler read it. */
export interface ImportFileInput {
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  size?: number;
  /** The S3 event sequencer: identifies the event (duplicates share it) and orders events for one key. */
  sequencer?: string;
  /** When the upload happened (S3 eventTime). */
  eventTime: string;
  trigger: ImportTrigger;
  parse?: Omit<ParseFileOptions, "fileName">;
}

export type ImportFileResult =
  | { outcome: "rejected"; reason: string; keptAt: string }
  /** A copy saldo itself made of a rejected upload: never imported, never rejected again. */
  | { outcome: "ignored"; reason: string }
  | { outcome: "duplicate"; run: ImportRun }
  | { outcome: "failed"; run: ImportRun }
  /** Read completely, but held by the activation gate (`run.heldFor`): the active version stays as it was. */
  | { outcome: "held"; run: ImportRun; written: WriteStatistics; bytesRead: number }
  | { outcome: "imported"; run: ImportRun; activation: ActivationResult; written: WriteStatistics; bytesRead: number };

const defaultImportId = monotonicFactory();

/**
 * Imports one uploaded file into its engagement, exactly once:
 * 1. the key must follow `uploads/{tenant}/{client}/{engagement}/{file}` and name an existing client and engagement,
 *    otherwise the upload is rejected with a recorded reason and the object is kept (copied under `rejected/`);
 * 2. the import is claimed by the identity of its S3 event, so a duplicate delivery changes nothing;
 * 3. the file is streamed through the parser into the trial-balance summarizer and the store's writer (all under
 *    the import's own id), hashing the bytes on the way;
 * 4. a file that cannot be read ends as a `failed` import with its reason; the active version stays as it was;
 * 5. the activation gate (lib/imports/activationRules.ts) checks that the import plausibly belongs to the engagement
 *    (organisation number, currency, period, figures, error-level issues); when a rule holds it, the import ends as
 *    `held` with its reasons (`heldFor` and one issue each), its data expires unless a person activates it
 *    (activateEarlierImport with `accept`), and the active version stays as it was;
 * 6. otherwise the import is activated in one conditional write — unless a newer upload is already active; a client
 *    without an organisation number takes the file's.
 * Unexpected failures (store unavailable, S3 errors) release the claim and are rethrown so the caller retries.
 */
export async function importFile(deps: ImportFileDeps, input: ImportFileInput): Promise<ImportFileResult> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const location = { bucket: input.bucket, key: input.key, ...(input.versionId ? { versionId: input.versionId } : {}) };

  if (input.key.startsWith(REJECTED_PREFIX)) return { outcome: "ignored", reason: "a kept copy of a rejected upload" };
  const parsedKey = parseUploadKey(input.key);
  const reject = async (tenantId: string, reason: string): Promise<ImportFileResult> => {
    const keptAt = await deps.files.keepRejected(location, reason);
    await deps.store.recordRejectedUpload({
      tenantId,
      bucket: input.bucket,
      key: input.key,
      reason,
      at: now().toISOString(),
      keptAt,
    });
    log("upload rejected", { tenantId, key: input.key, reason, keptAt });
    return { outcome: "rejected", reason, keptAt };
  };
  if (!parsedKey.ok) return reject("-", parsedKey.reason);
  const { tenantId, clientId, engagementId, fileName } = parsedKey.value;
  const engagementRef: EngagementRef = { tenantId, clientId, engagementId };

  const client = await deps.store.getClient({ tenantId, clientId });
  if (!client || client.deletedAt) return reject(tenantId, `unknown client "${clientId}"`);
  const engagement = await deps.store.getEngagement(engagementRef);
  if (!engagement) return reject(tenantId, `unknown engagement "${engagementId}" of client "${clientId}"`);

  const startedAt = now();
  const candidate: ImportRun = {
    ...engagementRef,
    importId: (deps.newImportId ?? (() => defaultImportId(startedAt.getTime())))(),
    status: "running",
    source: {
      type: "file",
      bucket: input.bucket,
      key: input.key,
      fileName,
      ...(input.versionId ? { versionId: input.versionId } : {}),
      ...(input.etag ? { etag: input.etag } : {}),
      ...(input.sequencer ? { sequencer: input.sequencer } : {}),
      ...(input.size !== undefined ? { size: input.size } : {}),
    },
    sourceId: `s3:${input.bucket}/${input.key}#${input.versionId ?? ""}#${input.sequencer ?? input.etag ?? ""}`,
    orderKey: orderKeyOf(input.eventTime, input.sequencer),
    trigger: input.trigger,
    createdAt: startedAt.toISOString(),
    startedAt: startedAt.toISOString(),
  };
  const leaseUntil = new Date(startedAt.getTime() + (deps.leaseSeconds ?? 16 * 60) * 1000).toISOString();
  const claim = await deps.store.claimImport(candidate, leaseUntil);
  if (claim.outcome === "duplicate") {
    log("duplicate event ignored", {
      ...engagementRef,
      importId: claim.existing.importId,
      status: claim.existing.status,
    });
    return { outcome: "duplicate", run: claim.existing };
  }
  const run: ImportRun = { ...claim.run, status: "running", startedAt: startedAt.toISOString() };
  const context = { ...engagementRef, importId: run.importId, key: input.key };
  log("import started", context);

  const writer = deps.store.openImportWriter(run);
  const expiresAt = () => Math.floor(now().getTime() / 1000) + deps.retentionSeconds;
  const summarizer = new LedgerSummarizer();
  const hash = createHash("sha256");
  let bytesRead = 0;
  let summary: LedgerSummary;
  let written: WriteStatistics;
  let uploadOptions: UploadOptions = {};
  try {
    const opened = await deps.files.open(location);
    async function* hashed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of opened.body) {
        hash.update(chunk);
        bytesRead += chunk.length;
        yield chunk;
      }
    }
    uploadOptions = uploadOptionsFromMetadata(opened.metadata, fileName);
    const { records } = await parseFile(hashed(), parseOptionsOf(input.parse, uploadOptions, client, fileName));
    for await (const record of records) {
      summarizer.add(record);
      if (record.type === "transaction") await writer.addTransaction(record.transaction);
    }
    summary = summarizer.finish();
    written = await writer.finish(summary.rows);
  } catch (error) {
    await writer.abort(expiresAt()).catch(() => {});
    if (error instanceof FormatError || error instanceof SourceFileMissingError) {
      const failed: ImportRun = {
        ...run,
        status: "failed",
        finishedAt: now().toISOString(),
        failure: { code: error.code, message: error.message },
        expiresAt: expiresAt(),
      };
      await deps.store.saveImport(failed);
      log("import failed: the file could not be read", { ...context, code: error.code, reason: error.message });
      return { outcome: "failed", run: failed };
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    await deps.store
      .releaseImport(run, { code: typeof code === "string" ? code : "IMPORT_UNEXPECTED", message })
      .catch(() => {});
    throw error;
  }

  const header = summary.header;
  // The activation gate (lib/imports/activationRules.ts): its issues join the report; a held import is saved and
  // left out of sight, the active version stays as it was. The client is read again: an import that finished
  // meanwhile may have given it an organisation number.
  const clientNow = (await deps.store.getClient({ tenantId, clientId })) ?? client;
  const decision = evaluateActivationRules(
    activationFactsOf(summary, {
      client: clientNow,
      engagement,
      otherClientWithOrgNumber: await otherClientWithOrgNumber(deps.store, clientNow, header.company.orgNumber),
    }),
  );
  summary.issues.push(...decision.issues);
  const held = decision.heldFor.length > 0;
  const finished: ImportRun = {
    ...run,
    status: held ? "held" : "succeeded",
    finishedAt: now().toISOString(),
    format: header.format,
    formatVersion: header.formatVersion,
    encoding: header.encoding,
    header: {
      company: header.company,
      ...(header.period ? { period: header.period } : {}),
      ...(header.currency !== undefined ? { currency: header.currency } : {}),
      ...(header.software ? { software: header.software } : {}),
    },
    source: { ...run.source, sha256: hash.digest("hex"), size: bytesRead } as ImportRun["source"],
    counts: countsOf(summary),
    issues: summary.issues,
    ...(held ? { heldFor: decision.heldFor, expiresAt: expiresAt() } : {}),
  };
  if (held) {
    // Kept for a person to look at (compare, activate) for the retention time; activating it removes the expiry.
    await writer.abort(finished.expiresAt!);
    await deps.store.saveImport(finished);
    log("import held: not activated", { ...context, heldFor: decision.heldFor, bytes: bytesRead, items: written.items });
    return { outcome: "held", run: finished, written, bytesRead };
  }
  await deps.store.saveImport(finished);
  if (finished.status === "succeeded" && header.format === "csv" && uploadOptions.layout !== undefined) {
    await rememberCsvLayout(deps, { tenantId, clientId }, uploadOptions, finished, context);
  }
  const activation = await deps.store.activateImport(finished, {
    orderKey: finished.orderKey,
    now: now().toISOString(),
    retentionSeconds: deps.retentionSeconds,
  });
  const final: ImportRun = activation.outcome === "stale" ? { ...finished, status: "superseded" } : finished;
  if (activation.outcome === "activated") {
    const adopted = await adoptClientOrgNumber({ store: deps.store, now }, client, header.company.orgNumber);
    if (adopted) log("client took the file's organisation number", { ...context, orgNumber: adopted });
  }
  log("import finished", {
    ...context,
    activation: activation.outcome,
    bytes: bytesRead,
    lines: summary.transactions.lines,
    items: written.items,
  });
  return { outcome: "imported", run: final, activation, written, bytesRead };
}

/**
 * The parse options of an upload, by precedence explicit > remembered > detected: the upload's own options (object
 * metadata; `input.parse` for callers that pass options directly), else, for a CSV file, the layout remembered for
 * the client — which the CSV parser uses only when it fits the file, falling back to detection (and saying which
 * in an info issue).
 */
function parseOptionsOf(
  direct: ImportFileInput["parse"],
  upload: UploadOptions,
  client: Client,
  fileName: string,
): ParseFileOptions {
  const encoding = upload.encoding ?? direct?.encoding;
  const explicitLayout = upload.layout ?? (direct?.csv && hasLayout(direct.csv) ? direct.csv : undefined);
  const remembered = explicitLayout === undefined ? client.csvLayout : undefined;
  const csv = {
    ...direct?.csv,
    ...(upload.layout ?? {}),
    ...(remembered
      ? {
          rememberedLayout: { layout: remembered.layout, from: `import ${remembered.importId}` },
          // The remembered encoding is the exporter's, so it applies to CSV files only, unless one was given now.
          ...(remembered.encoding !== undefined && encoding === undefined ? { encoding: remembered.encoding } : {}),
        }
      : {}),
  };
  return {
    ...direct,
    fileName,
    ...(encoding !== undefined ? { encoding } : {}),
    ...(Object.keys(csv).length > 0 ? { csv } : {}),
  };
}

/**
 * Remembers the explicit layout of an import that succeeded with it, for the client's next CSV uploads. A failure to
 * write it is logged, not thrown: the import itself is done.
 */
async function rememberCsvLayout(
  deps: ImportFileDeps,
  ref: ClientRef,
  options: UploadOptions,
  run: ImportRun,
  context: Record<string, unknown>,
): Promise<void> {
  const remembered: RememberedCsvLayout = {
    layout: options.layout!,
    ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
    importId: run.importId,
    rememberedAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  try {
    await deps.store.rememberCsvLayout(ref, remembered);
    deps.log?.("CSV layout remembered for the client", { ...context, layout: describeUploadOptions(options) });
  } catch (error) {
    deps.log?.("could not remember the CSV layout", {
      ...context,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Orders uploads to one engagement: by the time of the upload, then by the S3 sequencer (hex, compared at equal
 * length), so the newer upload wins whatever order the events arrive in.
 */
export function orderKeyOf(eventTime: string, sequencer: string | undefined): string {
  return `${new Date(eventTime).toISOString()}#${(sequencer ?? "").toUpperCase().padStart(32, "0")}`;
}

function countsOf(summary: LedgerSummary): ImportCounts {
  const issues = { error: 0, warning: 0, info: 0 };
  for (const issue of summary.issues) issues[issue.severity]++;
  return {
    accounts: summary.rows.length,
    transactions: summary.transactions.count,
    lines: summary.transactions.lines,
    totals: {
      opening: formatKnownOre(summary.totals.opening),
      movement: formatKnownOre(summary.totals.movement),
      closing: formatOre(summary.totals.closing),
    },
    totalDebit: formatOre(summary.transactions.totalDebit),
    totalCredit: formatOre(summary.transactions.totalCredit),
    issues,
  };
}
