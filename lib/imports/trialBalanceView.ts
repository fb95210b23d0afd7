import type { Engagement, EngagementRef } from "../engagements/types.ts";
import { totalsOf, type LedgerSummary, type TrialBalanceRow } from "../ledger/summarizeLedger.ts";
import { composeTrialBalance, type ComposedTrialBalance, type PriorFigures } from "../reconcile/composeTrialBalance.ts";
import { carriesResultAccounts, reconcileOpeningWithPriorClosing } from "../reconcile/priorClosing.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ImportStore } from "./ports.ts";
import { ledgerSummaryOf } from "./readActiveLedger.ts";
import { readEngagementSources, type EngagementSourcesRead } from "./engagementSources.ts";
import type { ImportRun } from "./types.ts";
import { NoActiveImportError } from "./errors.ts";

/** What getTrialBalanceView needs (STYLE.md §5). */
export interface TrialBalanceViewDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
}

/**
 * The closing trial balance of the engagement before this one, as saldo composes it (its plan's opening + its
 * movement; `run` is its movement import): see readPriorFigures.
 */
export type PriorClosing = PriorFigures<ImportRun>;

/**
 * The engagement's active version with where every figure came from, and the prior engagement's closing.
 * Render it with `toTrialBalanceViewJson` (importViews.ts).
 */
export interface TrialBalanceView {
  engagement: Engagement;
  /** The active import: the source of every figure in `summary`. */
  run: ImportRun;
  /** As `saldo inspect` builds it from the file; `issues` ends with the reconciliation against the prior closing. */
  summary: LedgerSummary;
  /** Null when no engagement of the client ends the day before this one starts, or none has an active import. */
  prior: PriorClosing | null;
  /**
   * The trial balance composed by the engagement's source plan (lib/reconcile/composeTrialBalance.ts): the plan and
   * where each column of each account came from. `summary.rows` carry its figures.
   */
  composed: ComposedTrialBalance;
}

/**
 * Reads the engagement's active version in the `saldo inspect --json` shape (as readActiveLedger builds it) and reconciles
 * its opening balances (IB) with the closing balances (UB) of the client's previous engagement — the engagement
 * whose period ends the day before this one starts (see {@link findPriorEngagement}).
 *
 * The reconciliation ({@link reconcileOpeningWithPriorClosing}) appends warnings to the import's own report:
 * `OPENING_DIFFERS_FROM_PRIOR_CLOSING` (amount = opening − prior closing) and `PRIOR_ACCOUNT_MISSING`
 * (amount = −prior closing, the opening the account would need), or one info issue `PRIOR_CLOSING_NOT_COMPARED`
 * when the file states no opening balance at all.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids), NoActiveImportError
 */
export async function getTrialBalanceView(deps: TrialBalanceViewDeps, ref: EngagementRef): Promise<TrialBalanceView> {
  // One read of the engagement's sources: the active (movement) import's rows are among its slots' rows, so the
  // ledger is built from them rather than read a second time (5 000 accounts are 5 000 stored rows).
  const sources = await readEngagementSources(deps, ref);
  const active = await activeLedgerOf(deps, sources);
  if (active === undefined) throw new NoActiveImportError(ref);

  const composed = composeTrialBalance(sources);
  const summary = composedSummary(active.summary, active.run, composed);
  const prior = sources.prior;
  if (prior === null) return { engagement: sources.engagement, run: active.run, summary, prior, composed };
  const reconciliation = reconcileOpeningWithPriorClosing({
    rows: active.summary.rows,
    priorRows: prior.rows,
    compareResultAccounts: carriesResultAccounts(sources.engagement, prior.engagement, active.summary.rows),
    priorLabel:
      `engagement ${prior.engagement.engagementId} (${prior.engagement.periodStart} – ${prior.engagement.periodEnd},` +
      ` import ${prior.run.importId})`,
  });
  return {
    engagement: sources.engagement,
    run: active.run,
    summary: { ...summary, issues: [...summary.issues, ...reconciliation] },
    prior,
    composed,
  };
}

/**
 * The active import's ledger (as readActiveLedger builds it) from the rows readEngagementSources read for its slot;
 * read from the store only when no slot holds it. Undefined when the engagement has no active import.
 */
async function activeLedgerOf(
  deps: TrialBalanceViewDeps,
  sources: EngagementSourcesRead,
): Promise<{ run: ImportRun; summary: LedgerSummary } | undefined> {
  const { engagement, client } = sources;
  const importId = engagement.activeImportId;
  if (importId === undefined) return undefined;
  const slot = Object.values(sources.slots).find((figures) => figures.run.importId === importId);
  if (slot !== undefined) return { run: slot.run, summary: ledgerSummaryOf(slot.run, slot.rows, engagement, client) };
  const importRef = { ...engagement, importId };
  const [run, rows] = await Promise.all([
    deps.importStore.getImport(importRef),
    deps.importStore.readTrialBalance(importRef),
  ]);
  return run === undefined ? undefined : { run, summary: ledgerSummaryOf(run, rows, engagement, client) };
}

/**
 * The movement import's summary with the composed figures. When the opening comes from the movement import itself
 * (a single source: the plan opens from the import's own opening balances), its rows are shown exactly as it
 * states them (an unknown opening stays unknown, a stated closing stays as stated); otherwise every account gets the
 * composed opening, movement and closing (= opening + movement), and accounts only the opening source has are added.
 */
function composedSummary(summary: LedgerSummary, run: ImportRun, composed: ComposedTrialBalance): LedgerSummary {
  const opening = composed.sources.opening;
  if (opening.importId === run.importId && opening.column === "opening") return summary;
  const rows = new Map(summary.rows.map((row) => [row.account, row]));
  const composedRows: TrialBalanceRow[] = composed.accounts.map((account) => {
    const row = rows.get(account.account);
    return {
      ...(row ?? {
        account: account.account,
        name: account.name,
        mapping: {},
        stated: {},
        posted: { debit: 0n, credit: 0n, lines: 0 },
        inChart: true,
      }),
      opening: account.opening,
      movement: account.movement,
      closing: account.closing,
    };
  });
  return { ...summary, rows: composedRows, totals: totalsOf(composedRows) };
}
