import type { Engagement, EngagementRef } from "../engagements/types.ts";
import type { LedgerSummary } from "../ledger/summarizeLedger.ts";
import { carriesResultAccounts, reconcileOpeningWithPriorClosing } from "../reconcile/priorClosing.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ImportStore, StoredTrialBalanceRow } from "./ports.ts";
import { readActiveLedger } from "./readActiveLedger.ts";
import { readPriorFigures } from "./engagementSources.ts";
import type { ImportRun } from "./types.ts";
import { EngagementNotFoundError } from "../engagements/errors.ts";
import { getClient } from "../engagements/manageClients.ts";
import { NoActiveImportError } from "./viewErrors.ts";

/** What getTrialBalanceView needs (STYLE.md §5). */
export interface TrialBalanceViewDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
}

/** The closing trial balance of the engagement before this one, as its active import states it. */
export interface PriorClosing {
  engagement: Engagement;
  run: ImportRun;
  rows: StoredTrialBalanceRow[];
}

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
}

/**
 * Reads the engagement's active version in the `saldo inspect --json` shape (via readActiveLedger) and reconciles
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
  const [, active] = await Promise.all([getClient(deps, ref), readActiveLedger(deps, ref)]);
  if (active.state === "no-engagement") throw new EngagementNotFoundError(ref);
  if (active.state === "no-active-import") throw new NoActiveImportError(ref);

  const prior = await readPriorClosing(deps, active.engagement);
  if (prior === null) return { engagement: active.engagement, run: active.run, summary: active.summary, prior };
  const reconciliation = reconcileOpeningWithPriorClosing({
    rows: active.summary.rows,
    priorRows: prior.rows,
    compareResultAccounts: carriesResultAccounts(active.engagement, prior.engagement, active.summary.rows),
    priorLabel:
      `engagement ${prior.engagement.engagementId} (${prior.engagement.periodStart} – ${prior.engagement.periodEnd},` +
      ` import ${prior.run.importId})`,
  });
  return {
    engagement: active.engagement,
    run: active.run,
    summary: { ...active.summary, issues: [...active.summary.issues, ...reconciliation] },
    prior,
  };
}

async function readPriorClosing(deps: TrialBalanceViewDeps, engagement: Engagement): Promise<PriorClosing | null> {
  return readPriorFigures(deps, engagement, await deps.engagementStore.listEngagements(engagement));
}
