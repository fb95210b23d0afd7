import { movementSourceOf, slotOfImport } from "../engagements/sourcePlan.ts";
import type {
  ActiveSlot,
  Engagement,
  EngagementRef,
  EngagementSources,
  SourcePlanChoice,
} from "../engagements/types.ts";
import type {
  ActivationOptions,
  ActivationResult,
  SourcePlanChange,
  ClaimResult,
  DueImport,
  ImportStore,
  ImportSummaryPage,
  ImportWriter,
  QueueSyncResult,
  RejectedUpload,
  StoredTrialBalanceRow,
  TransactionPage,
  TransactionQuery,
  WriteStatistics,
} from "../imports/ports.ts";
import type { LedgerLine, Transaction } from "../ledger/types.ts";
import type { ImportLease, ImportProgress, ImportRef, ImportRun } from "../imports/types.ts";
import type { TrialBalanceRow } from "../ledger/summarizeLedger.ts";
import {
  StoreConflictError,
  StoreInvalidCursorError,
  StoreLeaseLostError,
  StoreNotFoundError,
  StoreWriterClosedError,
} from "./errors.ts";
import type { InMemoryEngagementStore } from "./InMemoryEngagementStore.ts";
import { byEscaped, compareStrings, copy, copyOrUndefined, engagementKey, SEP } from "./inMemoryKeys.ts";
import { assertValidLimit, assertValidQuery, lineMatches, toLedgerLines } from "./ledgerLines.ts";

/** Imports in key order (import ids escaped as in the table's sort keys): oldest first. */
const olderFirst = byEscaped((run: { importId: string }) => run.importId);

/** Options of {@link InMemoryImportStore}. */
export interface InMemoryImportStoreOptions {
  /** The clock that decides whether a running import's lease has expired; default: the system clock. */
  now?: () => Date;
}

/** The data an import wrote, as the in-memory store keeps it. */
interface ImportData {
  tenantId: string;
  lines: LedgerLine[];
  rows?: TrialBalanceRow[];
  expiresAt?: number;
}

interface StoredRun {
  run: ImportRun;
  leaseUntil?: string;
  leaseOwner?: string;
  redeliveries?: number;
  /** The sweeper's deadline (DynamoImportStore's sparse index entry); for a finished run: its data expiry is due. */
  sweepAt?: string;
}

/** Lines per chunk the statistics assume, as DynamoImportStore packs them. */
const STATISTICS_LINES_PER_CHUNK = 4000;

/** As DynamoImportStore: when an unfinished data-expiry marking becomes the sweeper's. */
const EXPIRY_GRACE_MS = 15 * 60_000;
/** How long a queued sync may wait for its attempt to claim it before the sweeper looks at it (as DynamoImportStore). */
const QUEUED_SYNC_GRACE_MS = 10 * 60_000;

/**
 * An ImportStore in process memory, for unit tests of the use cases (create it with its engagement store through
 * createInMemoryStores). It follows DynamoImportStore's semantics (tenant scoping, claim/lease/duplicate, activation
 * order, superseded versions expiring, paging with opaque cursors, sort orders) without its storage format; every value
 * goes in and out as a copy, as it would through a database.
 */
export class InMemoryImportStore implements ImportStore {
  private readonly runs = new Map<string, StoredRun>();
  private readonly sourceMarkers = new Map<string, string>();
  /** Engagement key → import id of its latest sync. */
  private readonly syncLocks = new Map<string, string>();
  private readonly importOwners = new Map<string, string>();
  private readonly data = new Map<string, ImportData>();
  private readonly rejected = new Map<string, RejectedUpload>();
  private readonly now: () => Date;

  /** `engagementStore`: the store whose engagements activateImport switches (the same "table"). */
  constructor(
    private readonly engagementStore: InMemoryEngagementStore,
    options: InMemoryImportStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async queueSync(run: ImportRun): Promise<QueueSyncResult> {
    const lockKey = engagementKey(run);
    const latest = this.syncLocks.get(lockKey);
    if (latest !== undefined) {
      const stored = this.runs.get(importKey({ ...run, importId: latest }));
      if (stored !== undefined && (stored.run.status === "queued" || stored.run.status === "running")) {
        return { outcome: "busy", running: copy(stored.run) };
      }
    }
    const markerKey = [engagementKey(run), run.sourceId].join(SEP);
    if (this.sourceMarkers.has(markerKey) || this.importOwners.has(run.importId)) {
      throw new StoreConflictError(`The import id "${run.importId}" is already taken`, {
        context: { importId: run.importId, sourceId: run.sourceId },
      });
    }
    const queued: ImportRun = { ...copy(run), status: "queued" };
    // Due for the sweeper if no attempt claims it in time (a sync whose hand-over was lost), as in DynamoDB.
    const dueAt = new Date(this.now().getTime() + QUEUED_SYNC_GRACE_MS).toISOString();
    this.runs.set(importKey(run), { run: queued, leaseUntil: dueAt, sweepAt: dueAt });
    this.sourceMarkers.set(markerKey, run.importId);
    this.importOwners.set(run.importId, run.tenantId);
    this.syncLocks.set(lockKey, run.importId);
    return { outcome: "queued", run: copy(queued) };
  }

  async claimImport(run: ImportRun, lease: ImportLease): Promise<ClaimResult> {
    const markerKey = [engagementKey(run), run.sourceId].join(SEP);
    const existingId = this.sourceMarkers.get(markerKey);
    if (existingId !== undefined) {
      const stored = this.runs.get(importKey({ ...run, importId: existingId }));
      if (stored === undefined) {
        throw new StoreConflictError(`The source marker of "${run.sourceId}" names a missing import`, {
          context: { sourceId: run.sourceId, importId: existingId },
        });
      }
      const nowIso = this.now().toISOString();
      const takeOver =
        stored.run.status === "queued" ||
        (stored.run.status === "running" && (stored.leaseUntil === undefined || stored.leaseUntil < nowIso));
      if (!takeOver) return { outcome: "duplicate", existing: copy(stored.run) };
      stored.run.status = "running";
      stored.run.attempts = (stored.run.attempts ?? 0) + 1;
      delete stored.run.failure;
      delete stored.run.progress;
      if (run.startedAt !== undefined) stored.run.startedAt = run.startedAt;
      this.holdLease(stored, lease);
      return { outcome: "claimed", run: copy(stored.run) };
    }
    if (this.importOwners.has(run.importId)) {
      throw new StoreConflictError(`The import id "${run.importId}" is already taken`, {
        context: { importId: run.importId },
      });
    }
    const claimed: ImportRun = { ...copy(run), status: "running", attempts: 1 };
    const stored: StoredRun = { run: claimed };
    this.holdLease(stored, lease);
    this.runs.set(importKey(run), stored);
    this.sourceMarkers.set(markerKey, run.importId);
    this.importOwners.set(run.importId, run.tenantId);
    return { outcome: "claimed", run: copy(claimed) };
  }

  async renewLease(ref: ImportRef, lease: ImportLease, progress?: ImportProgress): Promise<boolean> {
    const stored = this.runs.get(importKey(ref));
    if (stored === undefined || stored.run.status !== "running" || stored.leaseOwner !== lease.owner) return false;
    stored.leaseUntil = lease.until;
    stored.sweepAt = lease.until;
    if (progress !== undefined) stored.run.progress = copy(progress);
    return true;
  }

  async releaseImport(
    ref: ImportRef,
    failure: { code: string; message: string },
    options: { owner?: string; retryBy?: string } = {},
  ): Promise<boolean> {
    const stored = this.requireRun(ref);
    if (options.owner !== undefined && stored.leaseOwner !== options.owner) return false;
    stored.run.status = "queued";
    stored.run.failure = { ...failure };
    delete stored.run.progress;
    delete stored.leaseOwner;
    if (options.retryBy === undefined) {
      delete stored.leaseUntil;
      delete stored.sweepAt;
    } else {
      stored.leaseUntil = options.retryBy;
      stored.sweepAt = options.retryBy;
    }
    return true;
  }

  openImportWriter(ref: ImportRef): ImportWriter {
    const data: ImportData = { tenantId: ref.tenantId, lines: [] };
    this.data.set(ref.importId, data);
    let closed = false;
    const assertOpen = () => {
      if (closed)
        throw new StoreWriterClosedError("The import writer is closed", { context: { importId: ref.importId } });
    };
    return {
      addTransaction: async (transaction: Transaction) => {
        assertOpen();
        data.lines.push(...toLedgerLines(structuredClone(transaction)));
      },
      finish: async (rows: readonly TrialBalanceRow[]): Promise<WriteStatistics> => {
        assertOpen();
        closed = true;
        data.rows = rows.map(copy);
        const chunks = Math.ceil(data.lines.length / STATISTICS_LINES_PER_CHUNK);
        const bytes = JSON.stringify(data.lines, (_key, value: unknown) =>
          typeof value === "bigint" ? value.toString() : value,
        ).length;
        return { items: chunks + rows.length + (chunks > 0 ? 1 : 0), bytes, chunks };
      },
      abort: async (expiresAt?: number) => {
        closed = true;
        if (expiresAt !== undefined) data.expiresAt = expiresAt;
      },
    };
  }

  async saveImport(run: ImportRun, options: { owner?: string; dataExpiryPending?: boolean } = {}): Promise<void> {
    const key = importKey(run);
    const existing = this.runs.get(key);
    if (options.owner !== undefined) {
      if (existing === undefined) {
        throw new StoreNotFoundError(`Import "${run.importId}" does not exist`, {
          context: { importId: run.importId },
        });
      }
      if (existing.leaseOwner !== options.owner) {
        throw new StoreLeaseLostError(`This attempt no longer holds import "${run.importId}"`, {
          context: { importId: run.importId },
        });
      }
    }
    const stored: StoredRun = { run: copy(run) };
    if (existing?.leaseOwner !== undefined) stored.leaseOwner = existing.leaseOwner;
    if (existing?.redeliveries !== undefined) stored.redeliveries = existing.redeliveries;
    if (run.status === "running" || run.status === "queued") {
      if (existing?.leaseUntil !== undefined) stored.leaseUntil = existing.leaseUntil;
      if (existing?.sweepAt !== undefined) stored.sweepAt = existing.sweepAt;
    } else if (options.dataExpiryPending === true && run.expiresAt !== undefined) {
      // Nothing here can crash between two writes, but the marker behaves as DynamoImportStore's does.
      stored.sweepAt = new Date(this.now().getTime() + EXPIRY_GRACE_MS).toISOString();
    }
    this.runs.set(key, stored);
  }

  async activateImport(ref: ImportRef, options: ActivationOptions): Promise<ActivationResult> {
    const stored = this.requireRun(ref);
    const engagement = this.engagementStore.storedEngagement(ref);
    if (engagement === undefined) {
      throw new StoreNotFoundError(`Engagement "${ref.engagementId}" does not exist`, { context: { ...ref } });
    }
    // Everything below runs without an await: atomic, as DynamoImportStore's one conditional write.
    const expiresAt = Math.floor(Date.parse(options.now) / 1000) + options.retentionSeconds;
    const slot = slotOfImport(stored.run);
    const sources = this.sourcesOf(engagement);
    const current = sources[slot];
    const previousImportId = current?.importId;
    const mayActivate =
      options.force === true ||
      previousImportId === ref.importId ||
      current === undefined ||
      current.orderKey < options.orderKey;
    // As DynamoImportStore: the data items' expiry is left to finishDataExpiry, marked due for the sweeper.
    const expiryDue = new Date(this.now().getTime() + EXPIRY_GRACE_MS).toISOString();
    if (!mayActivate && previousImportId !== undefined) {
      stored.run.status = "superseded";
      delete stored.leaseUntil;
      stored.sweepAt = expiryDue;
      stored.run.expiresAt = expiresAt;
      return { outcome: "stale", activeImportId: previousImportId };
    }

    const next: EngagementSources = {
      ...sources,
      [slot]: previousImportId === ref.importId ? current! : { importId: ref.importId, orderKey: options.orderKey },
    };
    const movement = next[movementSourceOf(engagement.sourcePlan, next, options.connected ?? false)];
    engagement.sources = next;
    setActive(engagement, movement);
    const wasExpiring = stored.run.expiresAt !== undefined;
    stored.run.status = "succeeded";
    delete stored.run.expiresAt;
    delete stored.leaseUntil;
    if (wasExpiring) stored.sweepAt = expiryDue;
    else delete stored.sweepAt;
    const active = movement === undefined ? {} : { activeImportId: movement.importId };
    if (previousImportId === undefined || previousImportId === ref.importId) {
      return { outcome: "activated", slot, ...active };
    }

    const previous = this.runs.get(importKey({ ...ref, importId: previousImportId }));
    if (previous !== undefined) {
      previous.run.status = "superseded";
      previous.run.expiresAt = expiresAt;
      previous.sweepAt = expiryDue;
    }
    return { outcome: "activated", previousImportId, slot, ...active };
  }

  async changeSourcePlan(
    ref: EngagementRef,
    plan: SourcePlanChoice,
    options: { connected: boolean },
  ): Promise<SourcePlanChange> {
    const engagement = this.engagementStore.storedEngagement(ref);
    if (engagement === undefined) {
      throw new StoreNotFoundError(`Engagement "${ref.engagementId}" does not exist`, { context: { ...ref } });
    }
    const previousActiveImportId = engagement.activeImportId;
    const choice = Object.fromEntries(
      Object.entries(plan).filter(([, value]) => value !== undefined),
    ) as SourcePlanChoice;
    const sources = this.sourcesOf(engagement);
    engagement.sources = sources;
    engagement.sourcePlan = copy(choice);
    setActive(engagement, sources[movementSourceOf(choice, sources, options.connected)]);
    return {
      engagement: copy(engagement),
      ...(previousActiveImportId === undefined ? {} : { previousActiveImportId }),
    };
  }

  /** The engagement's slots; an engagement activated before slots existed has its active import in its kind's. */
  private sourcesOf(engagement: Engagement): EngagementSources {
    if (engagement.sources !== undefined) return copy(engagement.sources);
    if (engagement.activeImportId === undefined) return {};
    const active = this.runs.get(importKey({ ...engagement, importId: engagement.activeImportId }));
    if (active === undefined) return {};
    return {
      [slotOfImport(active.run)]: {
        importId: engagement.activeImportId,
        orderKey: engagement.activeOrderKey ?? active.run.orderKey,
      },
    };
  }

  async listDueImports(now: string, limit: number): Promise<DueImport[]> {
    return [...this.runs.values()]
      .filter((stored) => stored.sweepAt !== undefined && stored.sweepAt < now)
      .sort((a, b) => compareStrings(a.sweepAt!, b.sweepAt!))
      .slice(0, limit)
      .map((stored) => ({
        kind: stored.run.status === "running" || stored.run.status === "queued" ? "attempt" : "expiry",
        run: copy(stored.run),
        dueAt: stored.sweepAt!,
        redeliveries: stored.redeliveries ?? 0,
      }));
  }

  async requeueImport(ref: ImportRef, options: { now: string; retryBy: string }): Promise<boolean> {
    const stored = this.dueAttempt(ref, options.now);
    if (stored === undefined) return false;
    stored.run.status = "queued";
    delete stored.run.progress;
    delete stored.leaseOwner;
    stored.leaseUntil = options.retryBy;
    stored.sweepAt = options.retryBy;
    stored.redeliveries = (stored.redeliveries ?? 0) + 1;
    return true;
  }

  async failDueImport(
    ref: ImportRef,
    options: { now: string; failure: { code: string; message: string }; finishedAt: string; expiresAt: number },
  ): Promise<boolean> {
    const stored = this.dueAttempt(ref, options.now);
    if (stored === undefined) return false;
    stored.run.status = "failed";
    stored.run.failure = { ...options.failure };
    stored.run.finishedAt = options.finishedAt;
    stored.run.expiresAt = options.expiresAt;
    delete stored.run.progress;
    delete stored.leaseOwner;
    delete stored.leaseUntil;
    stored.sweepAt = options.now;
    return true;
  }

  async finishDataExpiry(ref: ImportRef): Promise<void> {
    const stored = this.runs.get(importKey(ref));
    if (stored === undefined) return;
    this.setDataExpiry(ref.importId, stored.run.expiresAt);
    if (stored.run.status !== "running" && stored.run.status !== "queued") delete stored.sweepAt;
  }

  async getImport(ref: ImportRef): Promise<ImportRun | undefined> {
    return copyOrUndefined(this.runs.get(importKey(ref))?.run);
  }

  async listImports(ref: EngagementRef, page: { limit: number; after?: string }): Promise<ImportSummaryPage> {
    assertValidLimit(page.limit);
    const prefix = engagementKey(ref) + SEP;
    const newestFirst = [...this.runs.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, stored]) => stored.run)
      .sort(olderFirst)
      .reverse();
    const start =
      page.after === undefined ? 0 : newestFirst.findIndex((run) => olderFirst(run, { importId: page.after! }) < 0);
    const rest = start < 0 ? [] : newestFirst.slice(start);
    const items = rest.slice(0, page.limit).map(({ issues: _issues, header: _header, ...summary }) => copy(summary));
    return { items, ...(rest.length > page.limit ? { next: items.at(-1)!.importId } : {}) };
  }

  async readTrialBalance(ref: ImportRef): Promise<StoredTrialBalanceRow[]> {
    const data = this.readableData(ref);
    return (data?.rows ?? []).map((row) => ({ ...copy(row), importId: ref.importId }));
  }

  async readTransactionLines(ref: ImportRef, query: TransactionQuery): Promise<TransactionPage> {
    assertValidQuery(query);
    const start = query.after ?? { chunk: 0, offset: 0 };
    if (start.chunk !== 0) {
      throw new StoreInvalidCursorError("The paging position is not one this store hands out", {
        context: { position: start },
      });
    }
    const data = this.readableData(ref);
    if (data === undefined) return { items: [] };
    const items: LedgerLine[] = [];
    for (let index = start.offset; index < data.lines.length; index++) {
      const line = data.lines[index]!;
      if (!lineMatches(line, query)) continue;
      if (items.length === query.limit) return { items, next: { chunk: 0, offset: index } };
      items.push(copy(line));
    }
    return { items };
  }

  async recordRejectedUpload(rejection: RejectedUpload): Promise<void> {
    this.rejected.set([rejection.tenantId, `${rejection.at}#${rejection.key}`].join(SEP), copy(rejection));
  }

  async listRejectedUploads(tenantId: string): Promise<RejectedUpload[]> {
    return [...this.rejected.entries()]
      .filter(([key]) => key.startsWith(tenantId + SEP))
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([, rejection]) => copy(rejection));
  }

  /**
   * Test probe: the `expiresAt` of each stored data record of an import (undefined: never expires), or an empty list
   * when the import wrote nothing. Mirrors DynamoImportStore's per-item TTL for the contract tests.
   */
  dataExpiries(importId: string): (number | undefined)[] {
    const data = this.data.get(importId);
    return data === undefined ? [] : [data.expiresAt];
  }

  private readableData(ref: ImportRef): ImportData | undefined {
    if (!this.runs.has(importKey(ref))) return undefined;
    const data = this.data.get(ref.importId);
    // Data written before finish() is not served: DynamoImportStore only finds chunks through the directory that
    // finish() writes last.
    if (data === undefined || data.tenantId !== ref.tenantId || data.rows === undefined) return undefined;
    return data;
  }

  private holdLease(stored: StoredRun, lease: ImportLease): void {
    stored.leaseUntil = lease.until;
    stored.leaseOwner = lease.owner;
    stored.sweepAt = lease.until;
  }

  private dueAttempt(ref: ImportRef, now: string): StoredRun | undefined {
    const stored = this.runs.get(importKey(ref));
    if (stored === undefined || (stored.run.status !== "running" && stored.run.status !== "queued")) return undefined;
    return stored.leaseUntil !== undefined && stored.leaseUntil < now ? stored : undefined;
  }

  private requireRun(ref: ImportRef): StoredRun {
    const stored = this.runs.get(importKey(ref));
    if (stored === undefined) {
      throw new StoreNotFoundError(`Import "${ref.importId}" does not exist`, { context: { ...ref } });
    }
    return stored;
  }

  private setDataExpiry(importId: string, expiresAt: number | undefined): void {
    const data = this.data.get(importId);
    if (data === undefined) return;
    if (expiresAt === undefined) delete data.expiresAt;
    else data.expiresAt = expiresAt;
  }
}

function importKey(ref: ImportRef): string {
  return [ref.tenantId, ref.clientId, ref.engagementId, ref.importId].join(SEP);
}

/** Sets the engagement's movement import (`activeImportId`, `activeOrderKey`), or unsets it. */
function setActive(engagement: Engagement, movement: ActiveSlot | undefined): void {
  if (movement === undefined) {
    delete engagement.activeImportId;
    delete engagement.activeOrderKey;
  } else {
    engagement.activeImportId = movement.importId;
    engagement.activeOrderKey = movement.orderKey;
  }
}
