import { randomUUID } from "node:crypto";
import { monotonicFactory } from "ulid";
import { z } from "zod";
import type {
  AccountingConnector,
  ConnectionCheck,
  ConnectorCredentials,
  ConnectorRegistry,
  PulledLedger,
  PulledRecord,
  PullRequest,
} from "../connectors/ports.ts";
import { connectionCheckFromError, ConnectorError } from "../connectors/errors.ts";
import { EngagementError } from "../engagements/errors.ts";
import { getClient } from "../engagements/manageClients.ts";
import { getEngagement } from "../engagements/manageEngagements.ts";
import type { Client, ClientConnection, EngagementRef } from "../engagements/types.ts";
import { useIntegrationKey } from "../engagements/manageIntegrationKeys.ts";
import type { ImportRecord } from "../ledger/records.ts";
import type { Period, Transaction } from "../ledger/types.ts";
import { KeyNotFoundError } from "../secrets/errors.ts";
import type { KeyVault } from "../secrets/ports.ts";
import type { IntegrationSystem } from "../secrets/types.ts";
import { IntegrationSystemSchema } from "../secrets/schemas.ts";
import { SyncAlreadyRunningError, SyncNotConnectedError, SyncNotQueuedError } from "./errors.ts";
import {
  IMPORT_LIFECYCLE_DEFAULTS,
  runImportAttempt,
  type ImportAttemptDeps,
  type ImportAttemptResult,
} from "./importAttempt.ts";
import { IdSchema } from "../ids/ids.ts";
import type { ImportStore, LinePosition } from "./ports.ts";
import { recordRefresh, type SyncOutcome } from "./recordRefresh.ts";
import type { ApiSource, ImportLease, ImportRef, ImportRun, ImportTrigger } from "./types.ts";

/** What a sync needs: the import machinery's dependencies, the vault with the clients' keys, and the connectors. */
export interface SyncDeps extends ImportAttemptDeps {
  keys: KeyVault;
  connectors: ConnectorRegistry;
  newImportId?: () => string;
  /** Identifies this attempt in the lease (default: a random UUID). */
  newAttemptId?: () => string;
}

export type SyncResult =
  | ImportAttemptResult
  /** Another attempt holds (or already finished) this sync: nothing was done. */
  | { outcome: "duplicate"; run: ImportRun }
  /** Nothing changed since the active version: no new version; the run records "checked, unchanged, data as of …". */
  | { outcome: "unchanged"; run: ImportRun };

/**
 * Checks that are errors for a sync (they hold it at the activation gate, FIGURES_UNRELIABLE, until a person accepts
 * it): the API's own trial balance disagreeing with its own postings (opening + Σ transactions ≠ closing, or a stated
 * movement that is not the postings' sum), or not balancing (Σ opening or Σ closing ≠ 0 — e.g. Tripletex's known
 * wrong opening, which leaves last year's result out of equity). A file states its figures and is taken as stated; an
 * API's trial balance that does not add up is a doubt the accountant must see before it becomes the figures.
 */
const API_ERROR_CODES: ReadonlySet<string> = new Set([
  "CLOSING_MISMATCH",
  "MOVEMENT_MISMATCH",
  "OPENING_NOT_BALANCED",
  "CLOSING_NOT_BALANCED",
]);

/**
 * Runs a queued sync somewhere else than the request that queued it (STYLE.md §5: a port). Adapters:
 * SqsSyncDispatcher (the accounting system's sync queue, whose worker runs it under the system's rate limit, in the
 * cloud, and the local stack's SQS endpoint) and InProcessSyncQueue (the local stack's queues behind that endpoint,
 * and tests: the same process, with the cloud's concurrency per system).
 */
export interface SyncDispatcher {
  /** Hands the queued sync over; resolves once it was handed over, not when it ended. */
  dispatch(sync: QueuedSync): Promise<void>;
}

/** A queued sync as it is handed over: the import, and the accounting system it reads (which queue it goes to). */
export type QueuedSync = ImportRef & { system?: IntegrationSystem };

/**
 * The event the sync function and the sync worker's messages carry: which queued sync to run (validated at the
 * function's boundary), and the system it reads (absent in events from before the queues).
 */
export const SyncEventSchema = z
  .object({
    tenantId: IdSchema,
    clientId: IdSchema,
    engagementId: IdSchema,
    importId: IdSchema,
    system: IntegrationSystemSchema.optional(),
  })
  .strict();
export type SyncEvent = z.infer<typeof SyncEventSchema>;

/** Most requests kept on an import's provenance (the count is always exact). */
const KEPT_REQUESTS = 100;

const defaultImportId = monotonicFactory();

/**
 * Starts a sync of the engagement from the client's accounting system: checks that the client is connected (its
 * accounting system has a connector and a key is stored) and queues the sync as an import (`queued`), which
 * {@link runSync} then runs — in the cloud in its own function, locally in the same process. A second sync of the
 * same engagement while one is queued or running is refused.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError; SyncNotConnectedError (no connector or no key);
 *   SyncAlreadyRunningError (naming the running sync's import id).
 */
export async function requestSync(deps: SyncDeps, ref: EngagementRef, trigger: ImportTrigger): Promise<ImportRun> {
  const now = deps.now ?? (() => new Date());
  const client = await getClient(deps, ref);
  const engagement = await getEngagement(deps, ref);
  const system = connectedSystemOf(client, deps.connectors);
  const status = await deps.keys.status({ tenantId: ref.tenantId, clientId: ref.clientId, system });
  if (!status.set) {
    throw new SyncNotConnectedError(
      `client "${ref.clientId}" has no ${system} key: store one with PUT /clients/${ref.clientId}/integrations/${system} or saldo connect`,
      { clientId: ref.clientId, system, reason: "no-key" },
    );
  }
  const created = now();
  const importId = (deps.newImportId ?? (() => defaultImportId(created.getTime())))();
  const run: ImportRun = {
    ...ref,
    importId,
    status: "queued",
    source: { type: "api", system, from: engagement.periodStart, to: engagement.periodEnd },
    // One sync, one source: a re-delivered invocation of the same sync is a duplicate, a new sync is a new source.
    sourceId: `sync:${importId}`,
    // Orders versions by when their figures were taken, as an upload's time does.
    orderKey: `${created.toISOString()}#${"0".repeat(32)}`,
    trigger,
    createdAt: created.toISOString(),
  };
  const queued = await deps.importStore.queueSync(run);
  if (queued.outcome === "busy") throw new SyncAlreadyRunningError(ref, queued.running.importId);
  deps.log?.("sync queued", { ...ref, importId, system });
  return queued.run;
}

/**
 * Queues a sync ({@link requestSync}) and hands it to the dispatcher to run elsewhere — the API's sync route and
 * `saldo sync` against a stack. A sync that could not be handed over stays queued: the import sweeper hands it over
 * again (lib/imports/sweepImports.ts), so the caller is told it was queued either way.
 *
 * @throws as {@link requestSync}
 */
export async function startSync(
  deps: SyncDeps & { syncs: SyncDispatcher },
  ref: EngagementRef,
  trigger: ImportTrigger,
): Promise<ImportRun> {
  const queued = await requestSync(deps, ref, trigger);
  try {
    await deps.syncs.dispatch({ ...refOf(queued), system: (queued.source as ApiSource).system });
  } catch (error) {
    deps.log?.("sync not handed over: the sweeper will hand it over again", {
      ...ref,
      importId: queued.importId,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  return queued;
}

/**
 * Runs a queued sync (see {@link requestSync}) to its end, exactly once — a second delivery of the same sync is a
 * duplicate:
 * 1. the sync is claimed with a lease, as a file's import is;
 * 2. the connector decides whether anything changed since the active version (at most a handful of requests): when
 *    nothing did, the run ends `unchanged` (no new version) with the time the data is as of;
 * 3. otherwise the connector pulls the period — in full, or (`incremental`, README "Incremental refresh") only the
 *    windows whose data changed, the other windows' transactions read back from the active version — and the records
 *    go through the same attempt as a file's
 *    (lib/imports/importAttempt.ts: field limits, summarizer — which checks opening + transactions = closing per
 *    account against the API's own trial balance, balanced vouchers and a trial balance summing to zero — writer,
 *    activation gate, atomic activation);
 * 4. a connector failure (invalid key, no access, the API unavailable after its retries, a changed response shape)
 *    fails the sync with the connector's code; the previous version stays active;
 * 5. the connection's status (ok, invalid-key, no-access, rate-limited, unavailable) is recorded on the client.
 *
 * @throws SyncNotQueuedError when `ref` is not a sync; unexpected failures release the run for a retry and are rethrown.
 */
export async function runSync(deps: SyncDeps, ref: ImportRef): Promise<SyncResult> {
  const result = await runClaimedSync(deps, ref);
  const ended = syncOutcomeOf(result);
  if (ended !== undefined) {
    // The engagement's record of its syncs (and its next scheduled refresh); a failure to write it never changes
    // how the sync ended.
    await recordRefresh(deps, ref, ended).catch((error: unknown) =>
      deps.log?.("refresh outcome not recorded", {
        ...(ref as EngagementRef),
        importId: ref.importId,
        reason: error instanceof Error ? error.message : String(error),
      }),
    );
  }
  return result;
}

/** What the engagement records of a sync's result (nothing for a duplicate delivery or an abandoned attempt). */
function syncOutcomeOf(result: SyncResult): SyncOutcome | undefined {
  switch (result.outcome) {
    case "imported":
      return { outcome: result.activation.outcome === "stale" ? "superseded" : "imported", run: result.run };
    case "held":
    case "failed":
    case "unchanged":
      return { outcome: result.outcome, run: result.run };
    default:
      return undefined;
  }
}

async function runClaimedSync(deps: SyncDeps, ref: ImportRef): Promise<SyncResult> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const queued = await deps.importStore.getImport(ref);
  if (queued === undefined || queued.source.type !== "api") throw new SyncNotQueuedError(ref);
  const source: ApiSource = queued.source;
  const startedAt = now();
  const lease: ImportLease = {
    owner: (deps.newAttemptId ?? randomUUID)(),
    until: new Date(
      startedAt.getTime() + (deps.leaseSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.leaseSeconds) * 1000,
    ).toISOString(),
  };
  const claim = await deps.importStore.claimImport({ ...queued, startedAt: startedAt.toISOString() }, lease);
  if (claim.outcome === "duplicate") return { outcome: "duplicate", run: claim.existing };
  const run: ImportRun = { ...claim.run, status: "running", startedAt: startedAt.toISOString() };
  const context = {
    ...(ref as EngagementRef),
    importId: run.importId,
    system: source.system,
    attempt: run.attempts ?? 1,
  };
  log("sync started", context);

  const clientRef = { tenantId: ref.tenantId, clientId: ref.clientId };
  const record = (connection: ClientConnection, client: Client) =>
    deps.engagementStore
      .recordIntegration(clientRef, source.system, { ...client.integrations?.[source.system], connection })
      .catch((error: unknown) =>
        log("connection status not recorded", {
          ...context,
          reason: error instanceof Error ? error.message : String(error),
        }),
      );

  let client: Client;
  let pulled: PulledLedger;
  let planRequests = 0;
  let refresh: Refresh;
  try {
    client = await getClient(deps, clientRef);
    const engagement = await getEngagement(deps, ref);
    const connector = deps.connectors[source.system] as AccountingConnector | undefined;
    if (connector === undefined) {
      throw new SyncNotConnectedError(`this deployment has no ${source.system} connector`, {
        clientId: ref.clientId,
        system: source.system,
        reason: "no-connector",
      });
    }
    const key = await useIntegrationKey(deps, { ...clientRef, system: source.system });
    const companyId = client.integrations?.[source.system]?.companyId;
    const credentials: ConnectorCredentials = { key, ...(companyId !== undefined ? { companyId } : {}) };
    // The previous sync: the engagement's active API import (its API slot), whatever the plan shows as movement.
    const previous = await previousSyncOf(
      deps,
      ref,
      engagement.sources?.api?.importId ?? engagement.activeImportId,
      source.system,
      companyId,
    );
    const request: PullRequest = {
      period: { start: source.from, end: source.to },
      ...(previous !== undefined ? { previousMarker: previous.marker } : {}),
    };
    const plan = await connector.plan(credentials, request);
    planRequests = plan.requestCount;
    if (plan.kind === "unchanged") {
      const { progress: _progress, ...runFields } = run;
      const unchanged: ImportRun = {
        ...runFields,
        status: "unchanged",
        finishedAt: now().toISOString(),
        source: {
          ...source,
          mode: "unchanged",
          fetchedAt: now().toISOString(),
          requestCount: plan.requestCount,
          marker: plan.marker,
        },
        // Not a version: kept for the history for the retention time.
        expiresAt: Math.floor(now().getTime() / 1000) + deps.retentionSeconds,
      };
      await deps.importStore.saveImport(unchanged, { owner: lease.owner });
      await record({ status: "ok", checkedAt: now().toISOString() }, client);
      log("sync checked: unchanged", { ...context, dataAsOf: plan.marker.asOf, requests: plan.requestCount });
      return { outcome: "unchanged", run: unchanged };
    }
    if (plan.kind === "incremental" && previous !== undefined) {
      refresh = {
        mode: "incremental",
        reason: plan.reason,
        base: { ...ref, importId: previous.importId },
        kept: complementOf(request.period, plan.windows),
      };
      pulled = await connector.pull(credentials, { ...request, windows: plan.windows, planned: plan.planned });
    } else {
      refresh = { mode: "full", reason: plan.kind === "full" ? plan.reason : "no earlier version to build on" };
      pulled = await connector.pull(credentials, request);
    }
    log("sync pulling", {
      ...context,
      mode: refresh.mode,
      reason: refresh.reason,
      ...(refresh.kept ? { keptWindows: refresh.kept.length } : {}),
    });
  } catch (error) {
    return endBeforePull(error);
  }

  const result = await runImportAttempt(
    deps,
    { run, lease, client, engagement: await getEngagement(deps, ref), context },
    {
      label: source.system,
      open: async () => recordsOf(pulled, source, refresh, deps.importStore),
      finishedSource: () => finishedSourceOf(source, pulled, planRequests, refresh),
      contentFailureOf: connectorFailureOf,
      errorCodes: API_ERROR_CODES,
    },
  );
  const failure = result.outcome === "failed" ? result.run.failure : undefined;
  await record(
    failure === undefined || !failure.code.startsWith("CONNECTOR_")
      ? { status: "ok", checkedAt: now().toISOString(), company: pulled.company }
      : { status: connectionStatusOf(failure.code), checkedAt: now().toISOString(), message: failure.message },
    client,
  );
  return result;

  /**
   * Ends the claimed run after a failure before any record was read: a connector's failure (or a client that is no
   * longer connected) fails it with its code; anything else releases it for a retry and is rethrown.
   */
  async function endBeforePull(error: unknown): Promise<SyncResult> {
    const failure =
      connectorFailureOf(error) ??
      (error instanceof SyncNotConnectedError || error instanceof KeyNotFoundError || error instanceof EngagementError
        ? { code: error.code, message: error.message }
        : undefined);
    if (failure === undefined) {
      const message = error instanceof Error ? error.message : String(error);
      await deps.importStore
        .releaseImport(
          run,
          { code: codeOf(error), message },
          {
            owner: lease.owner,
            retryBy: new Date(
              now().getTime() + (deps.retryGraceSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.retryGraceSeconds) * 1000,
            ).toISOString(),
          },
        )
        .catch(() => {});
      throw error;
    }
    const { progress: _progress, ...runFields } = run;
    const failed: ImportRun = {
      ...runFields,
      status: "failed",
      finishedAt: now().toISOString(),
      failure: { code: failure.code, message: failure.message },
      expiresAt: Math.floor(now().getTime() / 1000) + deps.retentionSeconds,
    };
    await deps.importStore.saveImport(failed, { owner: lease.owner });
    const client = await deps.engagementStore.getClient(clientRef);
    if (client !== undefined && client.deletedAt === undefined && error instanceof ConnectorError) {
      const check = connectionCheckFromError(error, now().toISOString());
      await record(
        {
          status: check.status,
          checkedAt: check.checkedAt,
          ...(check.message !== undefined ? { message: check.message } : {}),
          ...(check.missingPrivileges !== undefined ? { missingPrivileges: check.missingPrivileges } : {}),
        },
        client,
      );
    }
    log("sync failed", { ...context, code: failure.code, reason: failure.message });
    return { outcome: "failed", run: failed };
  }
}

/**
 * Requests and runs a sync in one go (the CLI against a local stack, the schedule): {@link requestSync}, then
 * {@link runSync}.
 */
export async function syncFromApi(
  deps: SyncDeps,
  input: { ref: EngagementRef; trigger: ImportTrigger },
): Promise<SyncResult> {
  const queued = await requestSync(deps, input.ref, input.trigger);
  return runSync(deps, queued);
}

/**
 * Checks a client's key with its connector and records the connection's status on the client (what `saldo connect`
 * and `GET …/integrations/{system}` show). Never throws for a bad key: that is a status.
 */
export async function checkConnection(
  deps: Pick<SyncDeps, "engagementStore" | "keys" | "connectors" | "now">,
  ref: { tenantId: string; clientId: string; system: IntegrationSystem },
): Promise<ConnectionCheck> {
  const client = await getClient(deps, ref);
  const connector = deps.connectors[ref.system] as AccountingConnector | undefined;
  if (connector === undefined) {
    throw new SyncNotConnectedError(`this deployment has no ${ref.system} connector`, {
      clientId: ref.clientId,
      system: ref.system,
      reason: "no-connector",
    });
  }
  const key = await useIntegrationKey(deps, ref);
  const companyId = client.integrations?.[ref.system]?.companyId;
  const check = await connector.check({ key, ...(companyId !== undefined ? { companyId } : {}) });
  const connection: ClientConnection = {
    status: check.status,
    checkedAt: check.checkedAt,
    ...(check.company ? { company: check.company } : {}),
    ...(check.missingPrivileges ? { missingPrivileges: check.missingPrivileges } : {}),
    ...(check.message ? { message: check.message } : {}),
  };
  await deps.engagementStore.recordIntegration(ref, ref.system, { ...client.integrations?.[ref.system], connection });
  return check;
}

/** The import's reference alone. */
function refOf(ref: ImportRef): ImportRef {
  return { tenantId: ref.tenantId, clientId: ref.clientId, engagementId: ref.engagementId, importId: ref.importId };
}

/** The client's accounting system, when saldo has a connector for it. */
function connectedSystemOf(client: Client, connectors: ConnectorRegistry): IntegrationSystem {
  const system = client.accountingSystem;
  if (system === "other") {
    throw new SyncNotConnectedError(
      `client "${client.clientId}" has no accounting system saldo can read (accountingSystem "other"): set poweroffice-go or tripletex`,
      { clientId: client.clientId, reason: "no-system" },
    );
  }
  if (connectors[system] === undefined) {
    throw new SyncNotConnectedError(`this deployment has no ${system} connector`, {
      clientId: client.clientId,
      system,
      reason: "no-connector",
    });
  }
  return system;
}

/**
 * The active version, when it is a sync of the same system and company with a change marker: the marker the plan
 * compares with, and the version an incremental refresh keeps the unchanged windows of. Else undefined (a full pull).
 */
async function previousSyncOf(
  deps: SyncDeps,
  ref: EngagementRef,
  activeImportId: string | undefined,
  system: IntegrationSystem,
  companyId: string | undefined,
): Promise<{ importId: string; marker: NonNullable<ApiSource["marker"]> } | undefined> {
  if (activeImportId === undefined) return undefined;
  const active = await deps.importStore.getImport({ ...ref, importId: activeImportId });
  if (active?.source.type !== "api" || active.source.system !== system || active.source.marker === undefined)
    return undefined;
  if (companyId !== undefined && active.source.company !== undefined && active.source.company.id !== companyId)
    return undefined;
  return { importId: activeImportId, marker: active.source.marker };
}

/**
 * How a sync reads: in `full`, or `incremental` — the pulled windows from the API, the `kept` windows (inclusive,
 * in order) from the `base` version — and why.
 */
interface Refresh {
  mode: "full" | "incremental";
  reason: string;
  base?: ImportRef;
  kept?: Period[];
}

/** The windows of `period` that `windows` (in order, inside it) leave out, in order. */
function complementOf(period: Period, windows: readonly Period[]): Period[] {
  const kept: Period[] = [];
  let start = period.start;
  for (const window of [...windows].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    if (window.start > start) kept.push({ start, end: dayBefore(window.start) });
    const next = dayAfter(window.end);
    if (next > start) start = next;
  }
  if (start <= period.end) kept.push({ start, end: period.end });
  return kept;
}

function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** Lines read from the store per page when a kept window is copied into the new version. */
const KEPT_LINES_PAGE = 5_000;

/**
 * The transactions of one kept window, read back from the base version (by voucher date, in the version's order) and
 * regrouped into transactions: the lines as stored are what a full pull would store again (LedgerLine keeps every
 * field of a pulled line), so the new version holds the same lines, in the same order, as a full pull would.
 */
async function* keptTransactions(store: ImportStore, base: ImportRef, window: Period): AsyncGenerator<Transaction> {
  let after: LinePosition | undefined;
  let pending: Transaction | undefined;
  do {
    const page = await store.readTransactionLines(base, {
      from: window.start,
      to: window.end,
      limit: KEPT_LINES_PAGE,
      ...(after !== undefined ? { after } : {}),
    });
    for (const line of page.items) {
      if (pending !== undefined && (line.lineNumber === 0 || line.transactionId !== pending.id)) {
        yield pending;
        pending = undefined;
      }
      pending ??= {
        id: line.transactionId,
        date: line.date,
        ...(line.journal !== undefined ? { journal: line.journal } : {}),
        ...(line.period !== undefined ? { period: { ...line.period } } : {}),
        ...(line.transactionDescription !== undefined ? { description: line.transactionDescription } : {}),
        lines: [],
      };
      pending.lines.push({
        account: line.account,
        amount: line.amount,
        ...(line.recordId !== undefined ? { recordId: line.recordId } : {}),
        ...(line.description !== undefined ? { description: line.description } : {}),
        ...(line.currencyAmount !== undefined ? { currencyAmount: { ...line.currencyAmount } } : {}),
        ...(line.taxCode !== undefined ? { taxCode: line.taxCode } : {}),
        ...(line.customerId !== undefined ? { customerId: line.customerId } : {}),
        ...(line.supplierId !== undefined ? { supplierId: line.supplierId } : {}),
        ...(line.dimensions !== undefined
          ? { dimensions: line.dimensions.map((dimension) => ({ ...dimension })) }
          : {}),
      });
    }
    after = page.next;
  } while (after !== undefined);
  if (pending !== undefined) yield pending;
}

/**
 * The pull's records behind a header made from what the system says about the company and the period. Incremental:
 * each kept window's transactions from the base version go in before the first pulled transaction dated after it
 * (and any left at the end), so that the version's transactions stay in date-window order, as a full pull's are.
 */
async function* recordsOf(
  pulled: PulledLedger,
  source: ApiSource,
  refresh: Refresh,
  store: ImportStore,
): AsyncGenerator<ImportRecord> {
  yield {
    type: "header",
    header: {
      format: source.system,
      formatVersion: source.system === "tripletex" ? "API v2" : "API v2",
      encoding: "utf-8",
      company: {
        name: pulled.company.name,
        ...(pulled.company.orgNumber !== undefined ? { orgNumber: pulled.company.orgNumber } : {}),
      },
      period: pulled.period,
      currency: pulled.currency,
      software: { name: source.system === "tripletex" ? "Tripletex" : "PowerOffice Go" },
    },
  };
  const kept = [...(refresh.kept ?? [])];
  const base = refresh.base;
  async function* keptUntil(date: string | undefined): AsyncGenerator<ImportRecord> {
    while (base !== undefined && kept.length > 0 && (date === undefined || kept[0]!.end < date)) {
      for await (const transaction of keptTransactions(store, base, kept.shift()!))
        yield { type: "transaction", transaction };
    }
  }
  for await (const record of pulled.records as AsyncIterable<PulledRecord>) {
    if (record.type === "transaction") yield* keptUntil(record.transaction.date);
    yield record;
  }
  yield* keptUntil(undefined);
}

/** The sync's source once every record was read: the provenance the connector kept. */
function finishedSourceOf(source: ApiSource, pulled: PulledLedger, planRequests: number, refresh: Refresh): ApiSource {
  const provenance = pulled.provenance();
  return {
    ...source,
    mode: refresh.mode,
    reason: refresh.reason,
    ...(refresh.base !== undefined ? { baseImportId: refresh.base.importId } : {}),
    company: {
      id: provenance.company.id,
      name: provenance.company.name,
      ...(provenance.company.orgNumber !== undefined ? { orgNumber: provenance.company.orgNumber } : {}),
    },
    baseUrl: provenance.baseUrl,
    fetchedAt: provenance.fetchedAt,
    requestCount: provenance.requestCount + planRequests,
    windows: provenance.windows.map((window) => ({ start: window.start, end: window.end })),
    requests: provenance.requests.slice(0, KEPT_REQUESTS).map((request) => ({
      method: request.method,
      path: request.path,
      status: request.status,
      ...(request.rows !== undefined ? { rows: request.rows } : {}),
    })),
    ...(provenance.marker !== undefined ? { marker: provenance.marker } : {}),
  };
}

/**
 * A connector's failure (lib/connectors/errors.ts): the sync fails with it — the connector has already retried what
 * retrying could help.
 */
function connectorFailureOf(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof ConnectorError) return { code: error.code, message: error.message };
  return undefined;
}

/** The connection status a failure code means. */
function connectionStatusOf(code: string): ClientConnection["status"] {
  if (code === "CONNECTOR_INVALID_KEY" || code === "KEY_NOT_FOUND") return "invalid-key";
  if (code === "CONNECTOR_NO_ACCESS") return "no-access";
  if (code === "CONNECTOR_RATE_LIMITED") return "rate-limited";
  return "unavailable";
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "IMPORT_UNEXPECTED";
}
