import { z } from "zod";
import type { Engagement, EngagementRef, SourcePlanChoice, SourceSlot } from "../engagements/types.ts";
import type { TrialBalanceRow } from "../ledger/summarizeLedger.ts";
import type { LedgerLine, Transaction } from "../ledger/types.ts";
import type { ImportLease, ImportProgress, ImportRef, ImportRun } from "./types.ts";

/** A trial-balance row as stored for an import, with where it came from. */
export interface StoredTrialBalanceRow extends TrialBalanceRow {
  importId: string;
}

/**
 * A position in an import's transaction lines: the next line to consider is line `offset` (0-based, counting every
 * line of the chunk, filtered or not) of chunk `chunk`. Stores that keep lines in one list use chunk 0. Positions
 * travel to clients inside a paging cursor (lib/paging), so the schema bounds them.
 */
export const LinePositionSchema = z.strictObject({
  chunk: z.number().int().nonnegative().max(1_000_000_000),
  offset: z.number().int().nonnegative().max(1_000_000_000),
});
export type LinePosition = z.infer<typeof LinePositionSchema>;

/** Filters and paging of {@link ImportStore.readTransactionLines}; all filters combine (AND). */
export interface TransactionQuery {
  account?: string;
  /** Inclusive ISO dates. */
  from?: string;
  to?: string;
  /** A transaction (voucher) id. */
  voucher?: string;
  /** Where to continue: `next` of the previous page (the use case keeps it in its cursor). */
  after?: LinePosition;
  limit: number;
}

/** One page of lines, in file order; `next` is absent on the last page. */
export interface TransactionPage {
  items: LedgerLine[];
  next?: LinePosition;
}

/** An import as listed: the run without its validation report and header (see {@link ImportStore.listImports}). */
export type ImportRunSummary = Omit<ImportRun, "issues" | "header">;

/** One page of {@link ImportStore.listImports}; `next` (the last import id of the page) is absent on the last page. */
export interface ImportSummaryPage {
  items: ImportRunSummary[];
  next?: string;
}

/** What a writer wrote, for metrics and the benchmark. */
export interface WriteStatistics {
  items: number;
  bytes: number;
  chunks: number;
}

/**
 * Writes one import's data under its own id. Nothing written here is visible to readers of the engagement until
 * {@link ImportStore.activateImport} switches the engagement to this import.
 */
export interface ImportWriter {
  /** Adds transactions in file order; the store packs their lines and writes them in the background (bounded). */
  addTransaction(transaction: Transaction): Promise<void>;
  /** Flushes the remaining lines and writes the trial-balance rows. */
  finish(rows: readonly TrialBalanceRow[]): Promise<WriteStatistics>;
  /**
   * Stops writing and marks what was written to expire (a failed import must not leave live data behind). Without
   * `expiresAt` it only stops: an attempt that lost its lease must not touch data the attempt that took over writes.
   */
  abort(expiresAt?: number): Promise<void>;
}

/** The outcome of {@link ImportStore.claimImport}. */
export type ClaimResult =
  | { outcome: "claimed"; run: ImportRun }
  /** The source was already imported or is being imported now: a duplicate delivery changes nothing. */
  | { outcome: "duplicate"; existing: ImportRun };

/**
 * An import the sweeper has to look at (see {@link ImportStore.listDueImports}):
 * - `attempt`: a `running` import whose lease expired (its attempt died) or a `queued` one no retry claimed in time;
 * - `expiry`: a failed or superseded import whose data items may still lack their expiry (a crash between the
 *   write that ended it and the marking of its data).
 */
export interface DueImport {
  kind: "attempt" | "expiry";
  run: ImportRun;
  /** The deadline that passed (ISO time): the lease, the retry deadline or the expiry marking's grace. */
  dueAt: string;
  /** How often the sweeper re-delivered this import's event already. */
  redeliveries: number;
}

/** The outcome of {@link ImportStore.queueSync}. */
export type QueueSyncResult = { outcome: "queued"; run: ImportRun } | { outcome: "busy"; running: ImportRun };

/** The outcome of {@link ImportStore.activateImport}. */
export type ActivationResult =
  /**
   * `previousImportId`: the import this one replaced in its slot (now superseded); `slot`: the slot it fills;
   * `activeImportId`: the engagement's movement import after the write (the one readers of transactions see).
   */
  | { outcome: "activated"; previousImportId?: string; slot?: SourceSlot; activeImportId?: string }
  /** A newer import is already active in the slot: this one is kept as superseded. */
  | { outcome: "stale"; activeImportId: string };

/** Options of {@link ImportStore.activateImport}. */
export interface ActivationOptions {
  orderKey: string;
  now: string;
  retentionSeconds: number;
  force?: boolean;
  /**
   * Whether the client is connected to its accounting system (lib/engagements/sourcePlan.ts `isConnected`): decides
   * the default plan's movement slot, and so whether `activeImportId` moves to this import. Default false.
   */
  connected?: boolean;
}

/** The outcome of {@link ImportStore.changeSourcePlan}: the engagement as written. */
export interface SourcePlanChange {
  engagement: Engagement;
  /** The movement import before the change (undefined when there was none). */
  previousActiveImportId?: string;
}

/**
 * The port the import use cases store through: import runs (claim, lease, activation, the sweeper's due imports),
 * each import's data (written through an {@link ImportWriter}, read back as trial-balance rows and transaction
 * lines) and rejected uploads. Clients and engagements are the EngagementStore's (lib/engagements/ports.ts);
 * the two share one table, and {@link ImportStore.activateImport} is the only writer of an engagement's active
 * version. Keys are tenant-scoped: every method takes the tenant id in its ref and can only see that tenant's items.
 * Adapters: DynamoImportStore (DynamoDB), InMemoryImportStore (tests); they translate SDK failures into StoreError
 * (lib/store/errors.ts).
 */
export interface ImportStore {
  /**
   * Queues an API sync of the engagement: saves `run` as `queued` (with its source marker, so the sync's attempt
   * claims it with {@link claimImport}) and makes it the engagement's latest sync — unless the latest sync is still
   * `queued` or `running`: then nothing is written and that one is returned (`busy`). Atomic: of two concurrent
   * calls, one queues and the other is busy.
   */
  queueSync(run: ImportRun): Promise<QueueSyncResult>;
  /**
   * Records a new import as `running` together with a marker for its `sourceId`, in one conditional write, held by
   * `lease` (attempts = 1). When the marker exists, the existing import is returned as a duplicate, unless it is
   * `queued` (a previous attempt released it, or the sweeper re-queued it) or `running` with an expired lease (the
   * attempt died): then this call takes it over with `lease` and returns it as claimed, with the same import id and
   * its attempts counted up.
   */
  claimImport(run: ImportRun, lease: ImportLease): Promise<ClaimResult>;
  /**
   * Extends the lease of a running import that `lease.owner` still holds, to `lease.until`, and records `progress`.
   * Returns false when the attempt no longer holds it (another attempt took it over, or the sweeper ended it).
   */
  renewLease(ref: ImportRef, lease: ImportLease, progress?: ImportProgress): Promise<boolean>;
  /**
   * Releases a claimed import after an unexpected failure so that a retry can claim it again (status `queued`). With
   * `owner`, only while that attempt holds it (false otherwise). `retryBy`: when the sweeper should re-deliver the
   * import if no retry claimed it by then.
   * @throws StoreNotFoundError when the import does not exist
   */
  releaseImport(
    ref: ImportRef,
    failure: { code: string; message: string },
    options?: { owner?: string; retryBy?: string },
  ): Promise<boolean>;
  openImportWriter(ref: ImportRef): ImportWriter;
  /**
   * Stores the state of an import (status, counts, issues, failure, timestamps). A status other than `running` and
   * `queued` ends the lease. With `owner`, only while that attempt holds the import. With `dataExpiryPending`, the
   * (failed) import is marked for the sweeper to finish the expiry of its data items.
   * @throws StoreLeaseLostError `STORE_LEASE_LOST` when `owner` no longer holds the import
   */
  saveImport(run: ImportRun, options?: { owner?: string; dataExpiryPending?: boolean }): Promise<void>;
  /**
   * Makes the import the active import of its source slot (`opening` for an opening-role import, else `file` or
   * `api` by its source; lib/engagements/sourcePlan.ts `slotOfImport`) in one conditional write, unless an import
   * with a later order key is already active in that slot (`stale`) — or always, with `force` (re-activating an
   * earlier version). In the same write `activeImportId`/`activeOrderKey` become the import of the slot the plan's
   * movement names (`movementSourceOf`). The import previously active in the slot becomes `superseded` and expires
   * after `retentionSeconds`; the activated one never expires; other slots are untouched. Their data items follow
   * in {@link finishDataExpiry}, not here (an import has thousands): the previously active import (or, when
   * `stale`, this one) is marked due for it, and the sweeper does it once a grace period has passed if no caller did
   * it first. An engagement written before slots existed is read as having its active import in the slot of its kind.
   */
  activateImport(ref: ImportRef, options: ActivationOptions): Promise<ActivationResult>;
  /**
   * Sets the parts of the engagement's source plan a person chose (`plan` replaces the stored choice) and, in the
   * same conditional write, moves `activeImportId`/`activeOrderKey` to the import of the slot the plan's movement
   * now names (unset when that slot is empty). Nothing else changes: every slot keeps its import.
   * @throws StoreNotFoundError when the engagement does not exist
   */
  changeSourcePlan(
    ref: EngagementRef,
    plan: SourcePlanChoice,
    options: { connected: boolean },
  ): Promise<SourcePlanChange>;
  getImport(ref: ImportRef): Promise<ImportRun | undefined>;

  /**
   * Imports of every tenant whose deadline passed at `now` (see {@link DueImport}), oldest deadline first, at most
   * `limit`. Only the sweeper calls this; it reads a sparse index, not the table.
   */
  listDueImports(now: string, limit: number): Promise<DueImport[]>;
  /**
   * Re-queues an import whose attempt died (or whose retry is overdue) — only if it is still `running`/`queued` with
   * its deadline before `now` — with a new deadline `retryBy`, counting one re-delivery. False when it is not due
   * any more (a heartbeat or a retry got there first).
   */
  requeueImport(ref: ImportRef, options: { now: string; retryBy: string }): Promise<boolean>;
  /**
   * Ends an import whose attempts all died as `failed` (same condition as {@link requeueImport}), with `expiresAt`
   * and its data marked for {@link finishDataExpiry}. False when it is not due any more.
   */
  failDueImport(
    ref: ImportRef,
    options: { now: string; failure: { code: string; message: string }; finishedAt: string; expiresAt: number },
  ): Promise<boolean>;
  /**
   * Gives every data item of a failed or superseded import the import's `expiresAt` and clears its marker.
   * Idempotent and resumable: after a crash the marker stays and the next sweep does it again.
   */
  finishDataExpiry(ref: ImportRef): Promise<void>;
  /**
   * One page of the engagement's imports, newest first, as summaries: what the import item itself says (status,
   * source, timestamps, counts with the issue counts per severity, failure, hold and acceptance, progress), never its
   * validation report or header — a listing reads one small projection per import, no report and no spilled report
   * page. `after`: the `next` of the previous page.
   */
  listImports(ref: EngagementRef, page: { limit: number; after?: string }): Promise<ImportSummaryPage>;

  readTrialBalance(ref: ImportRef): Promise<StoredTrialBalanceRow[]>;
  readTransactionLines(ref: ImportRef, query: TransactionQuery): Promise<TransactionPage>;

  /** Remembers an upload that was not imported (bad key, unknown client or engagement) and why. */
  recordRejectedUpload(rejection: RejectedUpload): Promise<void>;
  listRejectedUploads(tenantId: string): Promise<RejectedUpload[]>;
}

export interface RejectedUpload {
  /** The tenant named by the key, or "-" when the key names none. */
  tenantId: string;
  bucket: string;
  key: string;
  reason: string;
  at: string;
  /** Where the object was kept (copied), when it was. */
  keptAt?: string;
}

/** Opens uploaded files as byte streams. Adapter: S3FileSource. */
export interface FileSource {
  open(location: { bucket: string; key: string; versionId?: string }): Promise<OpenedFile>;
  /** Keeps a rejected object for people to look at (a copy under `rejected/`, the reason in its metadata); never deletes it. */
  keepRejected(location: { bucket: string; key: string; versionId?: string }, reason: string): Promise<string>;
}

/** An opened upload: its bytes as a stream, and what the store knows about the object. */
export interface OpenedFile {
  body: AsyncIterable<Uint8Array>;
  /** The object's user metadata (keys lower case, without `x-amz-meta-`): how to read it (lib/imports/uploadOptions.ts). */
  metadata?: Record<string, string>;
  size?: number;
  etag?: string;
  versionId?: string;
  lastModified?: string;
}
