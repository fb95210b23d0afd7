/*
 * The reconciliation of an engagement's opening balances (IB) with the closing balances (UB) of the engagement
 * before it: which engagement is the prior one, which accounts carry over, and the issues when they do not.
 * Pure rules; `getTrialBalanceView` (lib/imports/trialBalanceView.ts) reads the figures and applies them.
 */
import type { Engagement } from "../engagements/types.ts";
import type { TrialBalanceRow } from "../ledger/summarizeLedger.ts";
import type { AccountMapping, Issue } from "../ledger/types.ts";
import { formatOre, type Ore } from "../money/ore.ts";
import { accountClassOf } from "./accountClass.ts";

/**
 * The engagement before `engagement`: one of the same client whose period ends the day before `engagement`'s period
 * starts — a year-end engagement finds the previous fiscal year, a period-end engagement the previous period.
 *
 * When several end that day (a year-end 2024 and a period-end Q4 2024 both end on 2024-12-31), the one with an
 * active import wins (figures beat none); then a year-end engagement, because its closing includes the year-end
 * adjustments (årsoppgjørsposteringer) that the next opening balance carries; then the most recently created; then
 * the smallest id (so the choice never depends on listing order). Returns undefined when none ends that day.
 */
export function findPriorEngagement(engagement: Engagement, candidates: readonly Engagement[]): Engagement | undefined {
  const end = dayBefore(engagement.periodStart);
  const matching = candidates.filter(
    (candidate) =>
      candidate.periodEnd === end &&
      candidate.engagementId !== engagement.engagementId &&
      candidate.tenantId === engagement.tenantId &&
      candidate.clientId === engagement.clientId,
  );
  const rank = (candidate: Engagement): [number, number] => [
    candidate.activeImportId === undefined ? 1 : 0,
    candidate.kind === "year-end" ? 0 : 1,
  ];
  matching.sort((a, b) => {
    const [aImport, aKind] = rank(a);
    const [bImport, bKind] = rank(b);
    return (
      aImport - bImport ||
      aKind - bKind ||
      compareText(b.createdAt, a.createdAt) ||
      compareText(a.engagementId, b.engagementId)
    );
  });
  return matching[0];
}

/** The engagements whose closings an engagement's prior closing is composed from, newest first. */
export interface PriorChain {
  /**
   * The prior engagement (with figures: an active import), then its prior while each one's opening carries over its
   * prior's closing (its plan's opening is `prior`, chosen or by default), at most `maxDepth` engagements.
   */
  engagements: Engagement[];
  /**
   * True when the last engagement's opening carries over a prior closing too, but the chain reached `maxDepth`: that
   * engagement's closing is taken as its movement import states it.
   */
  truncated: boolean;
}

/**
 * The chain of prior engagements along which an engagement's prior closing is composed (2025 ← 2024 ← 2023 …):
 * see {@link PriorChain}. Pure, from the client's engagement list; a prior engagement without an active import ends
 * the chain (it has no figures: the default plan then does not open from it).
 */
export function priorChainOf(engagement: Engagement, candidates: readonly Engagement[], maxDepth: number): PriorChain {
  const engagements: Engagement[] = [];
  const priorWithFigures = (of: Engagement) => {
    const prior = findPriorEngagement(of, candidates);
    return prior?.activeImportId === undefined ? undefined : prior;
  };
  let prior = priorWithFigures(engagement);
  while (prior !== undefined) {
    engagements.push(prior);
    const next = priorWithFigures(prior);
    // Its plan opens from its prior's closing when chosen, or by default (it has a prior with figures: resolveSourcePlan).
    const chosen = prior.sourcePlan?.opening;
    if (next === undefined || (chosen !== undefined && chosen !== "prior")) return { engagements, truncated: false };
    if (engagements.length >= maxDepth) return { engagements, truncated: true };
    prior = next;
  }
  return { engagements, truncated: false };
}

/** The ISO date (YYYY-MM-DD) of the day before `isoDate`, in the proleptic Gregorian calendar (no time zones). */
export function dayBefore(isoDate: string): string {
  const time = Date.parse(`${isoDate}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate) || Number.isNaN(time)) {
    throw new RangeError(`not an ISO date: "${isoDate}"`);
  }
  return new Date(time - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Whether the result accounts (classes 3–8) carry their balances over from the prior engagement into this one's
 * opening balances.
 *
 * Across a fiscal-year boundary they do not: the year-end closing carries the result to equity and the income
 * statement starts again at 0. A boundary is assumed when either engagement is a year-end engagement, or this one
 * starts on 1 January (the fiscal year is the calendar year unless the company chose otherwise, regnskapsloven §1-7).
 *
 * Inside a fiscal year (Q1 → Q2) a SAF-T file's opening balances are "at the start date of the selection period"
 * (SAF-T Financial XSD, OpeningDebitBalance documentation), so a Q2 file opens its result accounts at Q1's closing —
 * but some exports restart them at 0 every period. Result accounts are therefore only compared when the file carries
 * result-account openings: at least one class 3–8 account opens at a balance other than 0.
 */
export function carriesResultAccounts(
  engagement: Engagement,
  prior: Engagement,
  rows: readonly Pick<TrialBalanceRow, "account" | "mapping" | "opening">[],
): boolean {
  const yearBoundary =
    engagement.kind === "year-end" || prior.kind === "year-end" || engagement.periodStart.endsWith("-01-01");
  if (yearBoundary) return false;
  return rows.some(
    (row) =>
      accountClassOf(row.account, row.mapping.standardAccountId) === "result" &&
      row.opening !== null &&
      row.opening !== 0n,
  );
}

/** What {@link reconcileOpeningWithPriorClosing} compares. */
export interface ReconciliationInput {
  /** This engagement's trial balance (opening balances as the file states them; unstated = 0). */
  rows: readonly Pick<TrialBalanceRow, "account" | "name" | "mapping" | "opening" | "stated">[];
  /** The prior engagement's trial balance (its closing balances). */
  priorRows: readonly Pick<TrialBalanceRow, "account" | "name" | "mapping" | "closing">[];
  /** Compare result accounts (classes 3–8) too: see {@link carriesResultAccounts}. Balance-sheet accounts always are. */
  compareResultAccounts: boolean;
  /** How messages name the prior engagement, e.g. `engagement fy2024 (2024-01-01 – 2024-12-31, import 01J…)`. */
  priorLabel: string;
}

/**
 * Checks that each account opens where it closed in the prior engagement (IB = last UB) — the figure closing tools
 * get wrong when a file's opening balances were entered by hand or a year-end adjustment was booked after the
 * export. Pure; issues come out ordered by account.
 *
 * Compared accounts: balance-sheet accounts (classes 1–2, see {@link accountClassOf}), plus result accounts
 * (3–8) when `compareResultAccounts`. An account missing on one side counts as 0 there.
 * - `OPENING_DIFFERS_FROM_PRIOR_CLOSING` (warning): this opening ≠ the prior closing; amount = opening − prior closing.
 * - `PRIOR_ACCOUNT_MISSING` (warning): the prior closing has a non-zero balance on an account this trial balance lacks;
 *   amount = 0 − prior closing, so that the amounts of all issues always sum to
 *   Σ compared openings − Σ compared prior closings.
 * - `PRIOR_CLOSING_NOT_COMPARED` (info, alone): the file states no opening balance at all (e.g. a CSV with only a
 *   closing column) — its openings of 0 are not figures, and comparing them would flag every account.
 */
export function reconcileOpeningWithPriorClosing(input: ReconciliationInput): Issue[] {
  if (!input.rows.some((row) => row.stated.opening !== undefined)) {
    return [
      {
        severity: "info",
        code: "PRIOR_CLOSING_NOT_COMPARED",
        message:
          `the file states no opening balances, so they were not compared with the closing balances of ` +
          `${input.priorLabel}`,
      },
    ];
  }
  const compared = (row: { account: string; mapping: AccountMapping }): boolean => {
    const accountClass = accountClassOf(row.account, row.mapping.standardAccountId);
    return accountClass === "balance-sheet" || (accountClass === "result" && input.compareResultAccounts);
  };
  const priorByAccount = new Map<string, { name: string; closing: Ore }>();
  for (const row of input.priorRows) priorByAccount.set(row.account, { name: row.name, closing: row.closing });
  const current = new Set(input.rows.map((row) => row.account));

  const issues: Issue[] = [];
  for (const row of input.rows) {
    // An unknown opening (a closing-balance file) has nothing to compare.
    if (!compared(row) || row.opening === null) continue;
    const prior = priorByAccount.get(row.account);
    const priorClosing = prior?.closing ?? 0n;
    if (row.opening === priorClosing) continue;
    const closingText =
      prior === undefined
        ? `${input.priorLabel} has no account ${row.account} (closing 0.00)`
        : `${input.priorLabel} closed it at ${formatOre(priorClosing)}`;
    issues.push({
      severity: "warning",
      code: "OPENING_DIFFERS_FROM_PRIOR_CLOSING",
      message:
        `account ${row.account}${row.name ? ` (${row.name})` : ""} opens at ${formatOre(row.opening)}, but ` +
        `${closingText}: difference ${formatOre(row.opening - priorClosing)}`,
      account: row.account,
      amount: row.opening - priorClosing,
    });
  }
  for (const row of input.priorRows) {
    if (current.has(row.account) || row.closing === 0n || !compared(row)) continue;
    issues.push({
      severity: "warning",
      code: "PRIOR_ACCOUNT_MISSING",
      message:
        `account ${row.account}${row.name ? ` (${row.name})` : ""} closed at ${formatOre(row.closing)} in ` +
        `${input.priorLabel}, but this trial balance has no such account (its opening would be ` +
        `${formatOre(row.closing)})`,
      account: row.account,
      amount: -row.closing,
    });
  }
  return issues.sort((a, b) => compareAccounts(a.account ?? "", b.account ?? ""));
}

const compareAccounts = new Intl.Collator("en", { numeric: true }).compare;

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
