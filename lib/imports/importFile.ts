import { createHash, randomUUID } from "node:crypto";
import { monotonicFactory } from "ulid";
import type { Client, ClientRef, EngagementRef, RememberedCsvLayout } from "../engagements/types.ts";
import { hasLayout } from "../formats/csv/index.ts";
import { FormatError } from "../formats/errors.ts";
import { parseFile, type ParseFileOptions } from "../formats/parseFile.ts";
import { formatKnownOre } from "../ledger/ledgerJson.ts";
import { LedgerSummarizer, type LedgerSummary } from "../ledger/summarizeLedger.ts";
import type { Issue } from "../ledger/types.ts";
import { formatOre } from "../money/ore.ts";
import { ClientNotFoundError } from "../engagements/errors.ts";
import { getClient } from "../engagements/manageClients.ts";
import { hasErrorCode } from "../errors/SaldoError.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ActivationResult, FileSource, ImportStore, WriteStatistics } from "./ports.ts";
import type { ImportCounts, ImportLease, ImportRun, ImportTrigger } from "./types.ts";
import { FieldTooLongError, ImportLeaseLostError, SourceFileMissingError } from "./errors.ts";
import { activationFactsOf, evaluateActivationRules } from "./activationRules.ts";
import { adoptClientOrgNumber, otherClientWithOrgNumber } from "./clientOrgNumber.ts";
import { limitFieldLengths } from "./fieldLimits.ts";
import { startImportHeartbeat } from "./importHeartbeat.ts";
import { parseUploadKey, REJECTED_PREFIX } from "./uploadKey.ts";
import { describeUploadOptions, uploadOptionsFromMetadata, type UploadOptions } from "./uploadOptions.ts";

/** Defaults of the import lifecycle (README "Import lifecycle"). */
export const IMPORT_LIFECYCLE_DEFAULTS = {
  /** A lease not renewed for this long counts as a dead attempt. */
  leaseSeconds: 120,
  /** How often a running import renews its lease and records its progress. */
  heartbeatSeconds: 5,
  /** How long a released import waits for a retry to claim it before the sweeper re-delivers it. */
  retryGraceSeconds: 10 * 60,
} as const;

/** Longest failure message kept on an import (a message may quote the file). */
const FAILURE_MESSAGE_LIMIT = 2_000;

/** What importFile needs from the outside world (STYLE.md §5: dependencies first). */
export interface ImportFileDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
  files: FileSource;
  /** How long superseded and failed versions are kept before DynamoDB TTL removes them. */
  retentionSeconds: number;
  /**
   * How long an attempt's lease lasts without a heartbeat: a dead attempt (process killed, out of memory, timed
   * out) is taken over or swept this long after its last beat. Default 120 s.
   */
  leaseSeconds?: number;
  /** How often the running import renews its lease and records its progress. Default 5 s (fractions allowed). */
  heartbeatSeconds?: number;
  /** How long a released import waits for a retry before the sweeper re-delivers it. Default 600 s. */
  retryGraceSeconds?: number;
  now?: () => Date;
  newImportId?: () => string;
  /** Identifies this attempt in the lease (default: a random UUID). */
  newAttemptId?: () => string;
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
  /** This attempt lost its lease to another attempt (or the sweeper) and stopped; the import goes on without it. */
  | { outcome: "abandoned"; run: ImportRun }
  /** Read completely, but held by the activation gate (`run.heldFor`): the active version stays as it was. */
  | { outcome: "held"; run: ImportRun; written: WriteStatistics; bytesRead: number }
  | { outcome: "imported"; run: ImportRun; activation: ActivationResult; written: WriteStatistics; bytesRead: number };

const defaultImportId = monotonicFactory();

/**
 * Imports one uploaded file into its engagement, exactly once:
 * 1. the key must follow `uploads/{tenant}/{client}/{engagement}/{file}` and name an existing client and engagement,
 *    otherwise the upload is rejected with a recorded reason and the object is kept (copied under `rejected/`);
 * 2. the import is claimed by the identity of its S3 event, so a duplicate delivery changes nothing; the claim is a
 *    short lease that a heartbeat renews while the import makes progress (and records the progress);
 * 3. the file is streamed through the parser, the field limits (fieldLimits.ts) and the trial-balance summarizer
 *    into the store's writer (all under the import's own id), hashing the bytes on the way;
 * 4. a problem of the file's content (unreadable, an over-long identifier, an item too large to store) ends as a
 *    `failed` import with its code and reason; the active version stays as it was;
 * 5. the activation gate (lib/imports/activationRules.ts) checks that the import plausibly belongs to the engagement
 *    (organisation number, currency, period, figures, error-level issues); when a rule holds it, the import ends as
 *    `held` with its reasons (`heldFor` and one issue each), its data expires unless a person activates it
 *    (activateEarlierImport with `accept`), and the active version stays as it was;
 * 6. otherwise the import is saved and activated in one conditional write — unless a newer upload is already
 *    active; a client without an organisation number takes the file's.
 *
 * Every path out of here after the claim ends the run (`succeeded`, `superseded`, `held`, `failed`) or releases it
 * for a retry (`queued`, with a deadline after which the sweeper re-delivers it): unexpected failures (store
 * unavailable, S3 errors) release the claim and are rethrown so that the caller retries. Should even the release
 * fail, the lease runs out and the sweeper (sweepImports.ts) finishes the run.
 */
export async function importFile(deps: ImportFileDeps, input: ImportFileInput): Promise<ImportFileResult> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const location = { bucket: input.bucket, key: input.key, ...(input.versionId ? { versionId: input.versionId } : {}) };
  const leaseMs = (deps.leaseSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.leaseSeconds) * 1000;

  if (input.key.startsWith(REJECTED_PREFIX)) return { outcome: "ignored", reason: "a kept copy of a rejected upload" };
  const parsedKey = parseUploadKey(input.key);
  const reject = async (tenantId: string, reason: string): Promise<ImportFileResult> => {
    const keptAt = await deps.files.keepRejected(location, reason);
    await deps.importStore.recordRejectedUpload({
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

  const client = await getClient(deps, { tenantId, clientId }).catch((error: unknown) => {
    if (error instanceof ClientNotFoundError) return undefined;
    throw error;
  });
  if (!client) return reject(tenantId, `unknown client "${clientId}"`);
  const engagement = await deps.engagementStore.getEngagement(engagementRef);
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
  const lease: ImportLease = {
    owner: (deps.newAttemptId ?? randomUUID)(),
    until: new Date(startedAt.getTime() + leaseMs).toISOString(),
  };
  const claim = await deps.importStore.claimImport(candidate, lease);
  if (claim.outcome === "duplicate") {
    log("duplicate event ignored", {
      ...engagementRef,
      importId: claim.existing.importId,
      status: claim.existing.status,
    });
    return { outcome: "duplicate", run: claim.existing };
  }
  const run: ImportRun = { ...claim.run, status: "running", startedAt: startedAt.toISOString() };
  const context = { ...engagementRef, importId: run.importId, key: input.key, attempt: run.attempts ?? 1 };
  log("import started", context);

  const writer = deps.importStore.openImportWriter(run);
  const expiresAt = () => Math.floor(now().getTime() / 1000) + deps.retentionSeconds;
  const summarizer = new LedgerSummarizer();
  const hash = createHash("sha256");
  const progress = { bytesRead: 0, lines: 0, size: input.size };
  const heartbeat = startImportHeartbeat({
    importStore: deps.importStore,
    ref: run,
    lease,
    intervalMs: (deps.heartbeatSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.heartbeatSeconds) * 1000,
    leaseMs,
    now,
    progress: () => ({
      bytesRead: progress.bytesRead,
      lines: progress.lines,
      ...(progress.size !== undefined ? { size: progress.size } : {}),
    }),
    log,
  });
  /** Whether the import's data is complete and saved: from then on a failure must not mark it to expire. */
  let saved = false;
  let uploadOptions: UploadOptions = {};
  try {
    const opened = await deps.files.open(location);
    progress.size ??= opened.size;
    async function* hashed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of opened.body) {
        hash.update(chunk);
        progress.bytesRead += chunk.length;
        yield chunk;
      }
    }
    uploadOptions = uploadOptionsFromMetadata(opened.metadata, fileName);
    const { records } = await parseFile(hashed(), parseOptionsOf(input.parse, uploadOptions, client, fileName));
    const limitIssues: Issue[] = [];
    for await (const parsed of records) {
      if (heartbeat.lost) throw new ImportLeaseLostError(run.importId);
      const record = limitFieldLengths(parsed, fileName, limitIssues);
      for (const issue of limitIssues.splice(0)) summarizer.add({ type: "issue", issue });
      summarizer.add(record);
      if (record.type === "transaction") {
        progress.lines += record.transaction.lines.length;
        await writer.addTransaction(record.transaction);
      }
    }
    const summary: LedgerSummary = summarizer.finish();
    const written: WriteStatistics = await writer.finish(summary.rows);

    const header = summary.header;
    // The activation gate (lib/imports/activationRules.ts): its issues join the report; a held import is saved and
    // left out of sight, the active version stays as it was. The client is read again: an import that finished
    // meanwhile may have given it an organisation number.
    const clientNow = (await deps.engagementStore.getClient({ tenantId, clientId })) ?? client;
    const decision = evaluateActivationRules(
      activationFactsOf(summary, {
        client: clientNow,
        engagement,
        otherClientWithOrgNumber: await otherClientWithOrgNumber(
          deps.engagementStore,
          clientNow,
          header.company.orgNumber,
        ),
      }),
    );
    summary.issues.push(...decision.issues);
    const held = decision.heldFor.length > 0;
    const { progress: _progress, ...runFields } = run;
    const finished: ImportRun = {
      ...runFields,
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
      source: { ...run.source, sha256: hash.digest("hex"), size: progress.bytesRead } as ImportRun["source"],
      counts: countsOf(summary),
      issues: summary.issues,
      ...(held ? { heldFor: decision.heldFor, expiresAt: expiresAt() } : {}),
    };
    if (heartbeat.lost) throw new ImportLeaseLostError(run.importId);
    await heartbeat.stop();
    if (held) {
      // Kept for a person to look at (compare, activate) for the retention time; activating it removes the expiry.
      // Should marking its data fail, the sweeper finishes it (dataExpiryPending).
      const marked = await writer.abort(finished.expiresAt!).then(
        () => true,
        () => false,
      );
      await deps.importStore.saveImport(finished, { owner: lease.owner, dataExpiryPending: !marked });
      saved = true;
      log("import held: not activated", {
        ...context,
        heldFor: decision.heldFor,
        bytes: progress.bytesRead,
        items: written.items,
      });
      return { outcome: "held", run: finished, written, bytesRead: progress.bytesRead };
    }
    // Saved with its results but still `running`: the activation's own write makes it `succeeded` (or
    // `superseded`), so nobody ever sees a succeeded import that is not (yet) active.
    await deps.importStore.saveImport({ ...finished, status: "running" }, { owner: lease.owner });
    saved = true;
    if (header.format === "csv" && uploadOptions.layout !== undefined) {
      await rememberCsvLayout(deps, { tenantId, clientId }, uploadOptions, finished, context);
    }
    const activation = await deps.importStore.activateImport(finished, {
      orderKey: finished.orderKey,
      now: now().toISOString(),
      retentionSeconds: deps.retentionSeconds,
    });
    const final: ImportRun = activation.outcome === "stale" ? { ...finished, status: "superseded" } : finished;
    // The expiry of the version that stopped being active (or of this one, when a newer one is): done here, off any
    // API request; should it fail, the sweeper finishes it (the activation marked it due).
    const superseded = activation.outcome === "activated" ? activation.previousImportId : finished.importId;
    if (superseded !== undefined) {
      await deps.importStore.finishDataExpiry({ ...finished, importId: superseded }).catch((expiryError: unknown) =>
        log("the superseded version's data expiry is left to the sweeper", {
          ...context,
          importId: superseded,
          reason: expiryError instanceof Error ? expiryError.message : String(expiryError),
        }),
      );
    }
    if (activation.outcome === "activated") {
      // The activation stands whatever happens here: a failure is logged, not a reason to release the import.
      try {
        const adopted = await adoptClientOrgNumber(
          { engagementStore: deps.engagementStore, now },
          client,
          header.company.orgNumber,
        );
        if (adopted) log("client took the file's organisation number", { ...context, orgNumber: adopted });
      } catch (adoptError) {
        log("client could not take the file's organisation number", {
          ...context,
          reason: adoptError instanceof Error ? adoptError.message : String(adoptError),
        });
      }
    }
    log("import finished", {
      ...context,
      activation: activation.outcome,
      bytes: progress.bytesRead,
      lines: summary.transactions.lines,
      items: written.items,
    });
    return { outcome: "imported", run: final, activation, written, bytesRead: progress.bytesRead };
  } catch (error) {
    return await endAttempt(error);
  } finally {
    await heartbeat.stop();
  }

  /**
   * Ends this attempt after `error`, whatever it was: a lost lease stops quietly; a problem of the file's content
   * fails the import; anything else releases it for a retry and is rethrown.
   */
  async function endAttempt(error: unknown): Promise<ImportFileResult> {
    await heartbeat.stop();
    if (error instanceof ImportLeaseLostError || hasErrorCode(error, "STORE_LEASE_LOST")) {
      // Another attempt holds the import now and writes the same items: stop without marking anything to expire.
      await writer.abort().catch(() => {});
      log("import attempt abandoned: it lost its lease", { ...context });
      return { outcome: "abandoned", run };
    }
    const content = contentFailureOf(error);
    if (content !== undefined) {
      // The data of a failed import expires; if marking it fails, the sweeper finishes it (dataExpiryPending).
      const marked = await writer.abort(expiresAt()).then(
        () => true,
        () => false,
      );
      const { progress: _progress, ...runFields } = run;
      const failed: ImportRun = {
        ...runFields,
        status: "failed",
        finishedAt: now().toISOString(),
        failure: content,
        expiresAt: expiresAt(),
      };
      try {
        await deps.importStore.saveImport(failed, { owner: lease.owner, dataExpiryPending: !marked });
        log("import failed: a problem of the file's content", {
          ...context,
          code: content.code,
          reason: content.message,
        });
        return { outcome: "failed", run: failed };
      } catch (saveError) {
        if (hasErrorCode(saveError, "STORE_LEASE_LOST")) return { outcome: "abandoned", run };
        return release(saveError);
      }
    }
    return release(error);
  }

  /** Releases the claim after an unexpected failure (the caller retries) and rethrows. */
  async function release(error: unknown): Promise<never> {
    // Before the final save the partial data is marked to expire (a retry rewrites it all); after it, the data is
    // complete — and possibly already active — so it is left alone.
    if (!saved) await writer.abort(expiresAt()).catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    const retryBy = new Date(
      now().getTime() + (deps.retryGraceSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.retryGraceSeconds) * 1000,
    ).toISOString();
    await deps.importStore
      .releaseImport(
        run,
        { code: typeof code === "string" ? code : "IMPORT_UNEXPECTED", message: clip(message) },
        { owner: lease.owner, retryBy },
      )
      .catch((releaseError: unknown) =>
        log("import could not be released; the sweeper will end it when its lease expires", {
          ...context,
          reason: releaseError instanceof Error ? releaseError.message : String(releaseError),
        }),
      );
    throw error;
  }
}

/**
 * The failure of an import whose file content is the problem — retrying cannot help: unreadable or malformed
 * (FormatError), gone (SourceFileMissingError), an over-long identifier (FieldTooLongError), or something still too
 * large for one stored item (`IMPORT_ITEM_TOO_LARGE`). Undefined for every other error.
 */
function contentFailureOf(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof FormatError || error instanceof SourceFileMissingError || error instanceof FieldTooLongError) {
    return { code: error.code, message: clip(error.message) };
  }
  if (hasErrorCode(error, "STORE_ITEM_TOO_LARGE")) {
    return {
      code: "IMPORT_ITEM_TOO_LARGE",
      message: clip(`the file holds more than one stored item can take (DynamoDB's 400 KB): ${error.message}`),
    };
  }
  return undefined;
}

function clip(message: string): string {
  return message.length <= FAILURE_MESSAGE_LIMIT ? message : `${message.slice(0, FAILURE_MESSAGE_LIMIT)}…`;
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
    await deps.engagementStore.rememberCsvLayout(ref, remembered);
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
