import type { EngagementStore } from "../engagements/ports.ts";
import type { Client, ClientRef, Engagement, EngagementRef } from "../engagements/types.ts";
import { isConnected } from "../engagements/sourcePlan.ts";
import type { AccountMapping } from "../ledger/types.ts";
import { composeTrialBalance, MAX_CHAIN_DEPTH, type FigureSource } from "../reconcile/composeTrialBalance.ts";
import { getEngagement, listEngagements } from "../engagements/manageEngagements.ts";
import { EngagementNotFoundError } from "../engagements/errors.ts";
import { getClient } from "../engagements/manageClients.ts";
import { carriesResultAccounts, priorChainOf } from "../reconcile/priorClosing.ts";
import {
  reconcileEngagement,
  type ReconcileInput,
  type ReconciliationSource,
  type SourceImport,
} from "../reconcile/reconcileEngagement.ts";
import { z } from "zod";
import { cursorCodec, CURSOR_MAX_LENGTH } from "../paging/cursorCodec.ts";
import {
  MAX_LISTED_DIFFERENCES,
  toReconciliationJson,
  type ReconciliationJson,
  type ReconciliationPageJson,
  type StoredReconciliation,
} from "../reconcile/reconciliationJson.ts";
import { readEngagementSources } from "./engagementSources.ts";
import type { ImportStore, StoredTrialBalanceRow } from "./ports.ts";
import type { ImportRun } from "./types.ts";

/** What the reconciliation use cases need (STYLE.md §5). */
export interface ReconciliationDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
  now?: () => Date;
  /** Where a recomputation that failed is logged (it never undoes what triggered it). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** What one reconciliation is computed from, and the basis it is recognised by. */
interface ReconciliationSources {
  engagement: Engagement;
  input: ReconcileInput;
  basis: string;
}

/**
 * The engagement's reconciliation (README "Reconciliation"): the stored one when it was computed from the sources
 * the engagement has now, else computed again from them. A stored one goes out of date when an import of any slot is
 * activated, the source plan changes, or an engagement of the chain its prior closing is composed from changes (its
 * active imports or its plan) — and a recomputation after that failed. Reading never writes (the API's GET routes are read-only): the changes store it
 * ({@link reconcileAfterChange}).
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids)
 */
export async function getEngagementReconciliation(
  deps: ReconciliationDeps,
  ref: EngagementRef,
): Promise<ReconciliationJson> {
  const [, sources] = await Promise.all([getClient(deps, ref), readBasis(deps, ref)]);
  const stored = await deps.importStore.getReconciliation(ref);
  if (stored !== undefined && stored.basis === sources.basis) return withoutBasis(stored);
  return withoutBasis(await computeReconciliation(deps, ref));
}

/** Most differences one page of `GET …/reconciliation` lists. */
export const RECONCILIATION_PAGE_MAX_LIMIT = 1_000;

/** The query string of `GET …/reconciliation` (`limit` is coerced from the query string's text). */
export const ReconciliationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(RECONCILIATION_PAGE_MAX_LIMIT).optional(),
  cursor: z.string().min(1).max(CURSOR_MAX_LENGTH).optional(),
});
export type ReconciliationQuery = z.infer<typeof ReconciliationQuerySchema>;

/**
 * The position a cursor of `GET …/reconciliation` holds: how many differences came before. It is bound to the
 * engagement and to the reconciliation's basis, so a cursor of a reconciliation that has since changed is refused
 * (`CURSOR_INVALID`) rather than paging a different list.
 */
const RECONCILIATION_CURSOR = cursorCodec("reconciliation", z.strictObject({ offset: z.number().int().min(1) }));

/**
 * One page of the engagement's reconciliation (README "Reconciliation"): status, count, total and missing sources as
 * {@link getEngagementReconciliation}, with the differences from the cursor's position on, `limit` of them (default
 * {@link MAX_LISTED_DIFFERENCES}). Pages within the stored differences are read from the stored reconciliation;
 * beyond them (a reconciliation keeps at most {@link MAX_LISTED_DIFFERENCES}) the differences are computed again
 * from the same sources, which give the same list in the same order.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids), InvalidCursorError
 */
export async function getReconciliationPage(
  deps: ReconciliationDeps,
  ref: EngagementRef,
  query: ReconciliationQuery = {},
): Promise<ReconciliationPageJson> {
  const [, { basis }] = await Promise.all([getClient(deps, ref), readBasis(deps, ref)]);
  const scope = [ref.tenantId, ref.clientId, ref.engagementId, basis];
  const offset = query.cursor === undefined ? 0 : RECONCILIATION_CURSOR.decode(scope, query.cursor).offset;
  const limit = query.limit ?? MAX_LISTED_DIFFERENCES;
  const stored = await deps.importStore.getReconciliation(ref);
  const current = stored !== undefined && stored.basis === basis ? stored : undefined;
  const holdsPage = (json: StoredReconciliation) => json.differences.length >= Math.min(json.count, offset + limit);
  const full =
    current !== undefined && holdsPage(current) ? current : await computeReconciliation(deps, ref, offset + limit);
  const { basis: _basis, differences, ...json } = full;
  const end = offset + limit;
  return {
    ...json,
    // Computed again from the same sources: the stored one's time stands.
    computedAt: current?.computedAt ?? json.computedAt,
    differences: differences.slice(offset, end),
    nextCursor: end < full.count ? RECONCILIATION_CURSOR.encode(scope, { offset: end }) : null,
  };
}

/**
 * The engagement's reconciliation with every difference (`saldo reconcile`): {@link getReconciliationPage} followed
 * page by page with its cursor, so the list is the one the API pages through, past the 500 a reconciliation keeps.
 *
 * @throws as {@link getReconciliationPage}
 */
export async function getWholeReconciliation(
  deps: ReconciliationDeps,
  ref: EngagementRef,
): Promise<ReconciliationJson> {
  const first = await getReconciliationPage(deps, ref, { limit: RECONCILIATION_PAGE_MAX_LIMIT });
  const { nextCursor: _next, ...json } = first;
  const differences = [...first.differences];
  for (let cursor = first.nextCursor; cursor !== null;) {
    const page = await getReconciliationPage(deps, ref, { cursor, limit: RECONCILIATION_PAGE_MAX_LIMIT });
    differences.push(...page.differences);
    cursor = page.nextCursor;
  }
  return { ...json, differences };
}

/**
 * The reconciliation of each engagement (for the engagement list): the stored one, computed again (not stored) only
 * where it is missing or out of date.
 */
export async function reconciliationsOf(
  deps: ReconciliationDeps,
  engagements: readonly Engagement[],
): Promise<Map<string, ReconciliationJson>> {
  const client = engagements[0] === undefined ? undefined : await deps.engagementStore.getClient(engagements[0]);
  const entries = await Promise.all(
    engagements.map(async (engagement) => {
      const stored = await deps.importStore.getReconciliation(engagement);
      const basis = basisOf(engagement, engagements, client);
      const fresh =
        stored !== undefined && stored.basis === basis ? stored : await computeReconciliation(deps, engagement);
      return [engagement.engagementId, withoutBasis(fresh)] as const;
    }),
  );
  return new Map(entries);
}

/** Computes the engagement's reconciliation from its sources as they are now. */
async function computeReconciliation(
  deps: ReconciliationDeps,
  ref: EngagementRef,
  listed: number = MAX_LISTED_DIFFERENCES,
): Promise<StoredReconciliation> {
  const computedAt = (deps.now?.() ?? new Date()).toISOString();
  const sources = await readSources(deps, ref);
  return { ...toReconciliationJson(reconcileEngagement(sources.input), computedAt, listed), basis: sources.basis };
}

/** Computes the engagement's reconciliation from its sources as they are now and stores it. */
async function recomputeReconciliation(deps: ReconciliationDeps, ref: EngagementRef): Promise<void> {
  await deps.importStore.saveReconciliation(ref, await computeReconciliation(deps, ref));
}

/**
 * Recomputes the reconciliation of the engagement and of every later engagement whose prior closing it is part of
 * (the next one, and the ones after it while each opens from its prior's closing — the chain of
 * {@link priorChainOf}, at most MAX_CHAIN_DEPTH back), after an activation of any slot, a re-activation or a change
 * of the source plan. Never throws: the change that triggered it stands; a failure is logged and the next read
 * computes it again (its basis is out of date).
 */
export async function reconcileAfterChange(deps: ReconciliationDeps, ref: EngagementRef): Promise<void> {
  try {
    const engagements = await deps.engagementStore.listEngagements(ref);
    const engagement = engagements.find((candidate) => candidate.engagementId === ref.engagementId);
    if (engagement === undefined) return;
    const later = engagements.filter((candidate) =>
      priorChainOf(candidate, engagements, MAX_CHAIN_DEPTH).engagements.some(
        (link) => link.engagementId === engagement.engagementId,
      ),
    );
    // Sequentially from the changed engagement on (a few reads each; the chain is short).
    for (const each of [engagement, ...later.sort((a, b) => compareText(a.periodStart, b.periodStart))]) {
      await recomputeReconciliation(deps, each);
    }
  } catch (error) {
    deps.log?.("reconciliation not recomputed: the next read computes it", {
      tenantId: ref.tenantId,
      clientId: ref.clientId,
      engagementId: ref.engagementId,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function withoutBasis(stored: StoredReconciliation): ReconciliationJson {
  const { basis: _basis, ...json } = stored;
  return json;
}

/** The engagement's basis, without reading any import's rows. */
async function readBasis(deps: ReconciliationDeps, ref: EngagementRef): Promise<{ basis: string }> {
  const [client, engagements] = await Promise.all([
    deps.engagementStore.getClient(ref),
    deps.engagementStore.listEngagements(ref),
  ]);
  const engagement = engagements.find((candidate) => candidate.engagementId === ref.engagementId);
  if (engagement === undefined) throw new EngagementNotFoundError(ref);
  return { basis: basisOf(engagement, engagements, client) };
}

/**
 * What a reconciliation was computed from: the engagement's period, the active import of each slot, the plan a
 * person chose, whether the client is connected (the default plan's movement), and the same of every engagement of
 * the chain its prior closing is composed from ({@link priorChainOf}: a re-activation or a plan change in 2023 makes
 * 2025's reconciliation out of date). Equal bases, equal reconciliations (an import's figures never change once it is
 * active). Read from the client's engagement list alone.
 */
function basisOf(engagement: Engagement, engagements: readonly Engagement[], client: Client | undefined): string {
  const chain = priorChainOf(engagement, engagements, MAX_CHAIN_DEPTH);
  return JSON.stringify({
    ...figuresBasisOf(engagement),
    connected: isConnected(client),
    chain: chain.engagements.map(figuresBasisOf),
    truncated: chain.truncated,
  });
}

/** What an engagement's own figures are composed from: its period, its slots (or its one active import), its plan. */
function figuresBasisOf(engagement: Engagement) {
  const slot = (name: "file" | "api" | "opening") => engagement.sources?.[name]?.importId ?? null;
  return {
    engagementId: engagement.engagementId,
    period: [engagement.kind, engagement.periodStart, engagement.periodEnd],
    // An engagement activated before slots existed has its one import in `activeImportId`.
    sources: engagement.sources ? [slot("file"), slot("api"), slot("opening")] : null,
    active: engagement.activeImportId ?? null,
    plan: engagement.sourcePlan ?? null,
  };
}

/** Reads everything the reconciliation compares (readEngagementSources) and composes the trial balance. */
async function readSources(deps: ReconciliationDeps, ref: EngagementRef): Promise<ReconciliationSources> {
  const [read, engagements] = await Promise.all([
    readEngagementSources(deps, ref),
    deps.engagementStore.listEngagements(ref),
  ]);
  const composed = composeTrialBalance(read);
  const { engagement, slots, prior } = read;
  const mappings = new Map<string, AccountMapping>();
  for (const figures of [slots.file, slots.api, slots.opening, prior ?? undefined]) {
    for (const row of figures?.rows ?? []) if (!mappings.has(row.account)) mappings.set(row.account, row.mapping);
  }
  const movementRows = slots[read.plan.movement]?.rows ?? [];
  const carries =
    prior !== null
      ? carriesResultAccounts(engagement, prior.engagement, movementRows)
      : engagement.kind !== "year-end" && !engagement.periodStart.endsWith("-01-01");
  const [file, api, opening] = await Promise.all(
    (["file", "api", "opening"] as const).map((slot) => {
      const figures = slots[slot];
      return figures === undefined ? undefined : toSourceImport(deps, engagement, figures);
    }),
  );
  const input: ReconcileInput = {
    engagement,
    plan: { opening: read.plan.opening, movement: read.plan.movement },
    rows: composed.accounts.map((account) => {
      const mapping = mappings.get(account.account);
      return {
        account: account.account,
        name: account.name,
        ...(mapping ? { mapping } : {}),
        opening: account.opening,
        movement: account.movement,
        closing: account.closing,
      };
    }),
    openingSource: toSource(composed.sources.opening),
    movementSource: toSource(composed.sources.movement),
    prior:
      prior === null
        ? null
        : {
            engagementId: prior.engagement.engagementId,
            kind: prior.engagement.kind,
            source: { kind: "prior", importId: prior.run.importId, engagementId: prior.engagement.engagementId },
            rows: prior.rows,
            ...readAtOf(prior.run),
          },
    carriesResultAccounts: carries,
    imports: {
      ...(file ? { file } : {}),
      ...(api ? { api } : {}),
      ...(opening ? { opening } : {}),
    },
  };
  // The engagement as stored (not with the slots readEngagementSources fills in for one activated before slots).
  const stored = engagements.find((candidate) => candidate.engagementId === engagement.engagementId) ?? engagement;
  return { engagement, input, basis: basisOf(stored, engagements, read.client) };
}

function toSource(source: FigureSource): ReconciliationSource {
  return {
    kind: source.kind,
    ...(source.importId !== undefined ? { importId: source.importId } : {}),
    ...(source.engagementId !== undefined ? { engagementId: source.engagementId } : {}),
    ...(source.system !== undefined ? { system: source.system } : {}),
    ...(source.format !== undefined ? { format: source.format } : {}),
  };
}

function sourceOf(run: ImportRun): ReconciliationSource {
  return run.source.type === "api"
    ? { kind: "api", importId: run.importId, system: run.source.system, format: run.source.system }
    : { kind: "file", importId: run.importId, ...(run.format ? { format: run.format } : {}) };
}

function readAtOf(run: ImportRun): { readAt?: string } {
  const readAt = run.source.type === "api" ? (run.source.fetchedAt ?? run.finishedAt) : run.finishedAt;
  return readAt === undefined ? {} : { readAt };
}

/** A slot's import as the engine reads it; asks the store for a line after the period only when the report says so. */
async function toSourceImport(
  deps: ReconciliationDeps,
  engagement: Engagement,
  slot: { run: ImportRun; rows: StoredTrialBalanceRow[] },
): Promise<SourceImport> {
  const outside = slot.run.issues?.some((issue) => issue.code === "TRANSACTION_OUTSIDE_PERIOD") === true;
  const after = outside
    ? await deps.importStore.readTransactionLines(
        { ...engagement, importId: slot.run.importId },
        { from: dayAfter(engagement.periodEnd), limit: 1 },
      )
    : undefined;
  const source = slot.run.source;
  const period =
    slot.run.header?.period ?? (source.type === "api" ? { start: source.from, end: source.to } : undefined);
  return {
    source: sourceOf(slot.run),
    rows: slot.rows,
    ...(period ? { period: { start: period.start, end: period.end } } : {}),
    ...(slot.run.issues ? { issues: slot.run.issues } : {}),
    ...readAtOf(slot.run),
    ...(after !== undefined && after.items.length > 0 ? { postedAfterPeriodEnd: true } : {}),
  };
}

function dayAfter(isoDate: string): string {
  return new Date(Date.parse(`${isoDate}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** An engagement with its reconciliation, as the engagement routes answer it. */
export interface EngagementWithReconciliation {
  engagement: Engagement;
  reconciliation: ReconciliationJson;
}

/**
 * The engagement with its reconciliation (computed again when out of date).
 *
 * @throws ClientNotFoundError, EngagementNotFoundError
 */
export async function getEngagementWithReconciliation(
  deps: ReconciliationDeps,
  ref: EngagementRef,
): Promise<EngagementWithReconciliation> {
  const engagement = await getEngagement(deps, ref);
  return { engagement, reconciliation: await getEngagementReconciliation(deps, ref) };
}

/**
 * The client's engagements, newest period first, each with its reconciliation.
 *
 * @throws ClientNotFoundError
 */
export async function listEngagementsWithReconciliation(
  deps: ReconciliationDeps,
  ref: ClientRef,
): Promise<EngagementWithReconciliation[]> {
  const engagements = await listEngagements(deps, ref);
  const reconciliations = await reconciliationsOf(deps, engagements);
  return engagements.map((engagement) => ({
    engagement,
    reconciliation: reconciliations.get(engagement.engagementId)!,
  }));
}
