import { createHash, randomUUID } from "node:crypto";
import { monotonicFactory } from "ulid";
import type { Client, ClientRef, EngagementRef, RememberedCsvLayout } from "../engagements/types.ts";
import { hasLayout } from "../formats/csv/index.ts";
import { parseFile, type ParseFileOptions } from "../formats/parseFile.ts";
import { ClientNotFoundError } from "../engagements/errors.ts";
import { getClient } from "../engagements/manageClients.ts";
import type { FileSource } from "./ports.ts";
import type { ImportLease, ImportRun, ImportTrigger } from "./types.ts";
import {
  IMPORT_LIFECYCLE_DEFAULTS,
  runImportAttempt,
  type ImportAttemptDeps,
  type ImportAttemptResult,
} from "./importAttempt.ts";
import { parseUploadKey, REJECTED_PREFIX } from "./uploadKey.ts";
import { describeUploadOptions, uploadOptionsFromMetadata, type UploadOptions } from "./uploadOptions.ts";

export { IMPORT_LIFECYCLE_DEFAULTS } from "./importAttempt.ts";

/** What importFile needs from the outside world (STYLE.md §5: dependencies first); see {@link ImportAttemptDeps}. */
export interface ImportFileDeps extends ImportAttemptDeps {
  files: FileSource;
  newImportId?: () => string;
  /** Identifies this attempt in the lease (default: a random UUID). */
  newAttemptId?: () => string;
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
  | ImportAttemptResult;

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

  const hash = createHash("sha256");
  let uploadOptions: UploadOptions = {};
  return runImportAttempt(
    deps,
    { run, lease, client, engagement, context },
    {
      label: fileName,
      async open(progress) {
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
        return records;
      },
      finishedSource: (claimedRun, progress) =>
        ({ ...claimedRun.source, sha256: hash.digest("hex"), size: progress.bytesRead }) as ImportRun["source"],
      role: () => uploadOptions.role,
      beforeActivation: async (finished) => {
        if (finished.format === "csv" && uploadOptions.layout !== undefined) {
          await rememberCsvLayout(deps, { tenantId, clientId }, uploadOptions, finished, context);
        }
      },
    },
  );
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
