/*
 * The reconciliation of an engagement (issue #10): its figures as the source plan composes them, checked across
 * years (the prior engagement's closing) and across sources (the active file import, the active API sync, the
 * import uploaded as the opening balance). Pure: the sources in, the differences out. The use case that reads the
 * sources, persists the result and recomputes it after every activation is lib/imports/engagementReconciliation.ts.
 */
import type { AccountMapping, Issue } from "../ledger/types.ts";
import { formatOre as show, type Ore } from "../money/ore.ts";
import { accountClassOf } from "./accountClass.ts";
import { dayBefore } from "./priorClosing.ts";

/** Where a figure came from: the prior engagement's closing, a file import, an API sync, or nothing (0). */
export interface ReconciliationSource {
  kind: "prior" | "file" | "api" | "none";
  importId?: string;
  engagementId?: string;
  /** The accounting system of an API sync. */
  system?: string;
  /** The file format (saft, sie, csv) or the system of an API sync. */
  format?: string;
}

/** One row of the composed trial balance (the plan's opening, the movement source's movement, closing computed). */
export interface ComposedAccountRow {
  account: string;
  name: string;
  mapping?: AccountMapping;
  opening: Ore;
  movement: Ore;
  closing: Ore;
}

/** A stored trial-balance row of a source import, as far as the checks read it. */
export interface SourceAccountRow {
  account: string;
  name: string;
  mapping?: AccountMapping;
  opening: Ore | null;
  movement: Ore | null;
  closing: Ore;
  stated: { opening?: Ore; movement?: Ore; closing?: Ore };
  posted: { debit: Ore; credit: Ore; lines: number };
}

/** The active import of one slot of the engagement (file, API, opening role). */
export interface SourceImport {
  source: ReconciliationSource;
  rows: readonly SourceAccountRow[];
  /** The period the import covers (its file header, or the period the sync read). */
  period?: { start: string; end: string };
  /** Its validation report (control totals are read from it). */
  issues?: readonly Pick<Issue, "code" | "amount" | "message">[];
  /** When its figures were read (a file's import, an API's fetch): ISO time. */
  readAt?: string;
  /** True when some of its transaction lines are dated after the engagement's period end. */
  postedAfterPeriodEnd?: boolean;
}

/** The plan's parts, as resolved for the engagement. */
export interface ReconciliationPlan {
  opening: "prior" | "file" | "api" | "none";
  movement: "file" | "api";
}

/** Everything {@link reconcileEngagement} compares. */
export interface ReconcileInput {
  engagement: { engagementId: string; kind: "year-end" | "period-end"; periodStart: string; periodEnd: string };
  plan: ReconciliationPlan;
  /** The composed trial balance; empty when the movement source is missing. */
  rows: readonly ComposedAccountRow[];
  /** The source of the composed opening column. */
  openingSource: ReconciliationSource;
  /** The source of the composed movement column. */
  movementSource: ReconciliationSource;
  /** The prior engagement's closing, when saldo has one with figures. */
  prior: {
    engagementId: string;
    kind: "year-end" | "period-end";
    source: ReconciliationSource;
    rows: readonly Pick<SourceAccountRow, "account" | "name" | "mapping" | "closing">[];
    readAt?: string;
  } | null;
  /** Whether result accounts (3–8) carry over from the prior closing (see carriesResultAccounts). */
  carriesResultAccounts: boolean;
  /** The active import of each slot that has one. */
  imports: { file?: SourceImport; api?: SourceImport; opening?: SourceImport };
}

/** The stable codes of a difference (README "Reconciliation"). */
export type DifferenceCode =
  | "SOURCE_MISSING"
  | "OPENING_DIFFERS_FROM_PRIOR_CLOSING"
  | "OPENING_RESULT_NOT_ZERO"
  | "OPENING_FILE_DIFFERS"
  | "OPENING_API_DIFFERS"
  | "CLOSING_DIFFERS_FROM_STATED"
  | "MOVEMENT_DIFFERS_FROM_TRANSACTIONS"
  | "OPENING_NOT_BALANCED"
  | "CLOSING_NOT_BALANCED"
  | "CONTROL_TOTALS_DIFFER";

/** The stable codes of an explanation hint. */
export type HintCode =
  "RESULT_NOT_MOVED_TO_EQUITY" | "POSTED_AFTER_PRIOR_CLOSE" | "OPENING_ZEROED_BY_EXPORTER" | "POSTINGS_IN_NEXT_YEAR";

/** One figure compared: where it came from and what it was (null: the source has no figure there). */
export interface ComparedFigure extends ReconciliationSource {
  figure: Ore | null;
}

/** One difference: what was compared, on which account, by how much, and a likely explanation. */
export interface Difference {
  code: DifferenceCode;
  /** Absent for a whole-trial-balance check (sums, control totals, a missing source). */
  account?: string;
  name?: string;
  /** The first compared figure minus the second (see the code's documentation); null for a count or a missing source. */
  amount: Ore | null;
  /** The figures compared, the one checked first. */
  sources: ComparedFigure[];
  hint?: HintCode;
  /** For people (English; the CLI words the code and hint in the locale). */
  message: string;
}

/** A part of the plan without a source. */
export interface MissingSource {
  part: "opening" | "movement";
  kind: ReconciliationSource["kind"];
}

export type ReconciliationStatus = "reconciled" | "differences" | "incomplete";

/** The outcome of {@link reconcileEngagement}. */
export interface ReconciliationResult {
  status: ReconciliationStatus;
  differences: Difference[];
  /** Σ |amount| of the differences: how much in all. */
  total: Ore;
  missing: MissingSource[];
}

/**
 * Reconciles an engagement's figures. Checks, each difference with its code (amount = first figure − second):
 * - `SOURCE_MISSING` — a part of the plan has no source (status `incomplete`; `missing` says which).
 * - `OPENING_DIFFERS_FROM_PRIOR_CLOSING` — the composed opening vs the prior engagement's closing, on balance-sheet
 *   accounts (classes 1–2) and, inside a fiscal year, result accounts; an account missing on one side counts as 0.
 * - `OPENING_RESULT_NOT_ZERO` — across a fiscal-year boundary a result account (3–8) opens at a balance other than 0.
 * - `OPENING_FILE_DIFFERS` / `OPENING_API_DIFFERS` — the opening a file import (the figures file, or the import
 *   uploaded with the opening role) or the API sync states vs the composed opening, for each source that is not the
 *   plan's opening source. For an opening-role import whose period ends the day before the engagement starts (last
 *   year's trial balance), its closing is its opening figure.
 * - `CLOSING_DIFFERS_FROM_STATED` — the movement source's opening + Σ its transactions (or its stated movement) vs the
 *   closing it states. A difference in the opening alone shows once, as `OPENING_*_DIFFERS`, not again here.
 * - `MOVEMENT_DIFFERS_FROM_TRANSACTIONS` — a source's stated movement (its trial balance) vs Σ its transaction lines.
 * - `OPENING_NOT_BALANCED` — Σ composed opening ≠ 0 (amount = the sum). When the sum is the prior year's result (the
 *   prior closing leaves it in classes 3–8), it is shown on the equity account it belongs on (2050 for a profit,
 *   2080 for a loss) with `RESULT_NOT_MOVED_TO_EQUITY`.
 * - `CLOSING_NOT_BALANCED` — Σ composed closing ≠ 0 beyond the opening's imbalance (the movement does not sum to 0);
 *   amount = Σ closing, the source named is the movement source.
 * - `CONTROL_TOTALS_DIFFER` — a file's declared control totals (entries, total debit, total credit) vs its lines.
 */
export function reconcileEngagement(input: ReconcileInput): ReconciliationResult {
  const differences: Difference[] = [];
  const missing = missingSources(input);
  for (const part of missing) {
    differences.push({
      code: "SOURCE_MISSING",
      amount: null,
      sources: [{ kind: part.kind, figure: null }],
      message: `the plan takes the ${part.part} from ${describeKind(part.kind)}, but there is none`,
    });
  }
  const context = new CheckContext(input);
  differences.push(
    ...checkCarryOver(input, context),
    ...checkSourceOpenings(input, context),
    ...checkMovementSource(input),
    ...checkBalances(input, context),
    ...checkControlTotals(input),
  );
  const total = differences.reduce((sum, difference) => sum + abs(difference.amount ?? 0n), 0n);
  const status: ReconciliationStatus =
    missing.length > 0 ? "incomplete" : differences.length > 0 ? "differences" : "reconciled";
  return { status, differences: sortDifferences(differences), total, missing };
}

/** What every check needs: the prior year's result, and the hints' facts. */
class CheckContext {
  /** Σ prior closing on result accounts before the disposal (3000–8799): the prior year's result (profit < 0). */
  readonly priorResult: Ore;
  /** Σ prior closing on all result accounts (3–8): not 0 when the prior result was not moved to equity. */
  readonly priorUndisposed: Ore;
  readonly crossesYear: boolean;

  constructor(private readonly input: ReconcileInput) {
    let result = 0n;
    let undisposed = 0n;
    for (const row of input.prior?.rows ?? []) {
      if (accountClassOf(row.account, row.mapping?.standardAccountId) !== "result") continue;
      undisposed += row.closing;
      if (!isDisposalAccount(row.account)) result += row.closing;
    }
    this.priorResult = result;
    this.priorUndisposed = undisposed;
    this.crossesYear = !input.carriesResultAccounts;
  }

  /** The hint for an opening on `account` that differs by `amount` from the reference, as seen from `source`. */
  openingHint(account: string, amount: Ore, source: SourceImport | undefined): HintCode | undefined {
    if (isEquityAccount(account) && this.input.prior !== null && this.priorResult !== 0n) {
      // The opening lacks (or has twice) the prior year's result on equity: 8800/8960 were booked against 2050/2080
      // in the prior year's closing, and this source's opening leaves that out.
      if (amount === -this.priorResult || amount === this.priorResult) return "RESULT_NOT_MOVED_TO_EQUITY";
    }
    if (source === undefined || this.input.prior === null) return undefined;
    if (
      source.source.kind === "file" &&
      source.rows.length > 0 &&
      source.rows.every((row) => (row.stated.opening ?? 0n) === 0n) &&
      this.input.prior.rows.some((row) => row.closing !== 0n)
    ) {
      return "OPENING_ZEROED_BY_EXPORTER";
    }
    const balanced = source.rows.reduce((sum, row) => sum + (row.opening ?? 0n), 0n) === 0n;
    const priorReadAt = this.input.prior.readAt;
    if (balanced && source.readAt !== undefined && priorReadAt !== undefined && source.readAt > priorReadAt) {
      return "POSTED_AFTER_PRIOR_CLOSE";
    }
    return undefined;
  }
}

function missingSources(input: ReconcileInput): MissingSource[] {
  const missing: MissingSource[] = [];
  const opening = input.plan.opening;
  const hasOpening =
    opening === "none" ||
    (opening === "prior" && input.prior !== null) ||
    (opening === "file" && (input.imports.opening !== undefined || input.imports.file !== undefined)) ||
    (opening === "api" && input.imports.api !== undefined);
  if (!hasOpening) missing.push({ part: "opening", kind: opening });
  if (input.imports[input.plan.movement] === undefined) missing.push({ part: "movement", kind: input.plan.movement });
  return missing;
}

/** Carry-over: the composed opening vs the prior closing, and result accounts at zero across a year boundary. */
function checkCarryOver(input: ReconcileInput, context: CheckContext): Difference[] {
  const differences: Difference[] = [];
  if (input.rows.length === 0) return differences;
  const openingImport = importOfSource(input, input.openingSource);
  if (input.prior !== null && input.plan.opening !== "prior") {
    const priorRows = byAccount(input.prior.rows);
    const composed = byAccount(input.rows);
    for (const account of unionOf(composed, priorRows)) {
      const row = composed.get(account);
      const priorRow = priorRows.get(account);
      const kind = accountClassOf(account, (row ?? priorRow)?.mapping?.standardAccountId);
      if (kind !== "balance-sheet" && !(kind === "result" && input.carriesResultAccounts)) continue;
      const opening = row?.opening ?? 0n;
      const closing = priorRow?.closing ?? 0n;
      if (opening === closing) continue;
      const amount = opening - closing;
      const hint = context.openingHint(account, amount, openingImport);
      differences.push({
        code: "OPENING_DIFFERS_FROM_PRIOR_CLOSING",
        account,
        name: (row ?? priorRow)!.name,
        amount,
        sources: [
          { ...input.openingSource, figure: row?.opening ?? null },
          { ...input.prior.source, figure: priorRow?.closing ?? null },
        ],
        ...(hint ? { hint } : {}),
        message:
          `account ${account} opens at ${show(opening)} (${describeSource(input.openingSource)}), but engagement ` +
          `${input.prior.engagementId} closed it at ${show(closing)}: difference ${show(amount)}`,
      });
    }
  }
  if (context.crossesYear && input.plan.opening !== "prior" && input.plan.opening !== "none") {
    for (const row of input.rows) {
      if (row.opening === 0n || accountClassOf(row.account, row.mapping?.standardAccountId) !== "result") continue;
      differences.push({
        code: "OPENING_RESULT_NOT_ZERO",
        account: row.account,
        name: row.name,
        amount: row.opening,
        sources: [{ ...input.openingSource, figure: row.opening }],
        message:
          `result account ${row.account} opens at ${show(row.opening)} (${describeSource(input.openingSource)}), ` +
          `but a new fiscal year opens the income statement at 0.00`,
      });
    }
  }
  return differences;
}

/** Each source that states an opening and is not the plan's opening source, vs the composed opening. */
function checkSourceOpenings(input: ReconcileInput, context: CheckContext): Difference[] {
  const differences: Difference[] = [];
  if (input.rows.length === 0) return differences;
  const composed = byAccount(input.rows);
  const slots = [
    ["opening", input.imports.opening],
    ["file", input.imports.file],
    ["api", input.imports.api],
  ] as const;
  for (const [slot, source] of slots) {
    if (source === undefined || sameSource(source.source, input.openingSource)) continue;
    const openings = openingFiguresOf(source, slot === "opening", input.engagement.periodStart);
    if (openings === null) continue;
    const code = source.source.kind === "api" ? "OPENING_API_DIFFERS" : "OPENING_FILE_DIFFERS";
    for (const account of unionOf(composed, openings)) {
      const row = composed.get(account);
      const figure = openings.get(account);
      const kind = accountClassOf(account, (row?.mapping ?? figure?.mapping)?.standardAccountId);
      if (kind === "other") continue;
      // Across a year boundary a source's result-account openings are last year's income statement, not this one's.
      if (kind === "result" && context.crossesYear && slot === "opening") continue;
      const stated = figure?.opening ?? 0n;
      const reference = row?.opening ?? 0n;
      if (stated === reference) continue;
      const amount = stated - reference;
      const hint = context.openingHint(account, amount, source);
      differences.push({
        code,
        account,
        name: (row ?? figure)!.name,
        amount,
        sources: [
          { ...source.source, figure: figure?.opening ?? null },
          { ...input.openingSource, figure: row?.opening ?? null },
        ],
        ...(hint ? { hint } : {}),
        message:
          `${describeSource(source.source)} opens account ${account} at ${show(stated)}, the engagement at ` +
          `${show(reference)} (${describeSource(input.openingSource)}): difference ${show(amount)}`,
      });
    }
  }
  return differences;
}

/** The opening figure per account a source states, or null when it states none (a closing-balance file). */
function openingFiguresOf(
  source: SourceImport,
  openingRole: boolean,
  engagementStart: string,
): Map<string, { name: string; mapping?: AccountMapping; opening: Ore }> | null {
  const figures = new Map<string, { name: string; mapping?: AccountMapping; opening: Ore }>();
  // Last year's trial balance uploaded as the opening balance (its period ends before this engagement starts, or it
  // states none): its closing is this year's opening, as composeTrialBalance takes it.
  const closingIsOpening =
    openingRole && (source.period === undefined || source.period.end <= dayBefore(engagementStart));
  if (!closingIsOpening && !source.rows.some((row) => row.stated.opening !== undefined)) return null;
  for (const row of source.rows) {
    const opening = closingIsOpening ? row.closing : row.opening;
    if (opening === null) continue;
    figures.set(row.account, { name: row.name, ...(row.mapping ? { mapping: row.mapping } : {}), opening });
  }
  return figures;
}

/** The movement source's own figures: stated closing vs opening + movement, stated movement vs its transactions. */
function checkMovementSource(input: ReconcileInput): Difference[] {
  const differences: Difference[] = [];
  for (const [slot, source] of [
    ["file", input.imports.file],
    ["api", input.imports.api],
  ] as const) {
    if (source === undefined) continue;
    const hasTransactions = source.rows.some((row) => row.posted.lines > 0);
    const nextYear = source.postedAfterPeriodEnd === true ? ({ hint: "POSTINGS_IN_NEXT_YEAR" } as const) : {};
    for (const row of source.rows) {
      const posted = row.posted.debit - row.posted.credit;
      if (hasTransactions && row.stated.movement !== undefined && row.stated.movement !== posted) {
        const amount = row.stated.movement - posted;
        differences.push({
          code: "MOVEMENT_DIFFERS_FROM_TRANSACTIONS",
          account: row.account,
          name: row.name,
          amount,
          sources: [
            { ...source.source, figure: row.stated.movement },
            { ...source.source, figure: posted },
          ],
          ...nextYear,
          message:
            `${describeSource(source.source)} states movement ${show(row.stated.movement)} on account ` +
            `${row.account}, but its transactions sum to ${show(posted)}: difference ${show(amount)}`,
        });
      }
      if (slot !== input.plan.movement || row.stated.closing === undefined || row.opening === null) continue;
      const movement = hasTransactions ? posted : (row.stated.movement ?? null);
      if (movement === null) continue;
      const computed = row.opening + movement;
      if (computed === row.stated.closing) continue;
      const amount = computed - row.stated.closing;
      differences.push({
        code: "CLOSING_DIFFERS_FROM_STATED",
        account: row.account,
        name: row.name,
        amount,
        sources: [
          { ...source.source, figure: computed },
          { ...source.source, figure: row.stated.closing },
        ],
        ...nextYear,
        message:
          `account ${row.account}: opening ${show(row.opening)} + ${hasTransactions ? "Σ transactions" : "movement"} ` +
          `${show(movement)} = ${show(computed)}, but ${describeSource(source.source)} states closing ` +
          `${show(row.stated.closing)}: difference ${show(amount)}`,
      });
    }
  }
  return differences;
}

/** Σ = 0 at the composed opening and closing. */
function checkBalances(input: ReconcileInput, context: CheckContext): Difference[] {
  if (input.rows.length === 0) return [];
  const differences: Difference[] = [];
  const opening = input.rows.reduce((sum, row) => sum + row.opening, 0n);
  const closing = input.rows.reduce((sum, row) => sum + row.closing, 0n);
  if (opening !== 0n) {
    // The prior closing left the year's result in classes 3–8: carried over, the balance sheet lacks it on equity.
    const resultLeftOut =
      input.plan.opening === "prior" && context.crossesYear && context.priorUndisposed !== 0n
        ? opening === -context.priorUndisposed
        : false;
    const equity = context.priorUndisposed < 0n ? "2050" : "2080";
    differences.push({
      code: "OPENING_NOT_BALANCED",
      ...(resultLeftOut ? { account: equity, hint: "RESULT_NOT_MOVED_TO_EQUITY" as const } : {}),
      amount: opening,
      sources: [{ ...input.openingSource, figure: opening }],
      message: resultLeftOut
        ? `the opening balances sum to ${show(opening)}: the prior year's result ${show(context.priorUndisposed)} ` +
          `is still on its result accounts, not moved to equity (${equity})`
        : `the opening balances sum to ${show(opening)}, not 0.00`,
    });
  }
  if (closing !== opening) {
    differences.push({
      code: "CLOSING_NOT_BALANCED",
      amount: closing,
      // The closing is opening + movement; beyond the opening's imbalance (OPENING_NOT_BALANCED) it is the movement's.
      sources: [{ ...input.movementSource, figure: closing }],
      message: `the closing balances sum to ${show(closing)}, not 0.00 (the movement sums to ${show(closing - opening)})`,
    });
  }
  return differences;
}

const CONTROL_CODES = new Set(["CONTROL_ENTRIES_MISMATCH", "CONTROL_DEBIT_MISMATCH", "CONTROL_CREDIT_MISMATCH"]);

/** A file's declared control totals that its lines do not match (from its validation report). */
function checkControlTotals(input: ReconcileInput): Difference[] {
  const differences: Difference[] = [];
  const seen = new Set<string>();
  for (const source of [input.imports.file, input.imports.opening]) {
    if (source === undefined || seen.has(source.source.importId ?? "")) continue;
    seen.add(source.source.importId ?? "");
    for (const issue of source.issues ?? []) {
      if (!CONTROL_CODES.has(issue.code)) continue;
      differences.push({
        code: "CONTROL_TOTALS_DIFFER",
        amount: issue.amount ?? null,
        sources: [{ ...source.source, figure: issue.amount ?? null }],
        message: `${describeSource(source.source)}: ${issue.message}`,
      });
    }
  }
  return differences;
}

function importOfSource(input: ReconcileInput, source: ReconciliationSource): SourceImport | undefined {
  return [input.imports.opening, input.imports.file, input.imports.api].find(
    (candidate) => candidate !== undefined && sameSource(candidate.source, source),
  );
}

function sameSource(a: ReconciliationSource, b: ReconciliationSource): boolean {
  return a.kind === b.kind && a.importId !== undefined && a.importId === b.importId;
}

/** NS 4102 88xx (årsresultat) and 89xx (overføringer og disponeringer): where the result is moved to equity. */
function isDisposalAccount(account: string): boolean {
  return /^8[89]\d\d(?:\D|$)/.test(account);
}

/** NS 4102 20xx: equity (2050 annen egenkapital, 2080 udekket tap). */
function isEquityAccount(account: string): boolean {
  return /^20\d\d(?:\D|$)/.test(account);
}

function byAccount<T extends { account: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((row) => [row.account, row]));
}

function unionOf(a: Map<string, unknown>, b: Map<string, unknown>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])];
}

const compareAccounts = new Intl.Collator("en", { numeric: true }).compare;
const CODE_ORDER: readonly DifferenceCode[] = [
  "SOURCE_MISSING",
  "OPENING_NOT_BALANCED",
  "CLOSING_NOT_BALANCED",
  "CONTROL_TOTALS_DIFFER",
  "OPENING_DIFFERS_FROM_PRIOR_CLOSING",
  "OPENING_RESULT_NOT_ZERO",
  "OPENING_FILE_DIFFERS",
  "OPENING_API_DIFFERS",
  "MOVEMENT_DIFFERS_FROM_TRANSACTIONS",
  "CLOSING_DIFFERS_FROM_STATED",
];

/** Whole-trial-balance findings first, then by account, then by code. */
function sortDifferences(differences: Difference[]): Difference[] {
  return differences.sort(
    (a, b) =>
      (a.account === undefined ? 0 : 1) - (b.account === undefined ? 0 : 1) ||
      compareAccounts(a.account ?? "", b.account ?? "") ||
      CODE_ORDER.indexOf(a.code) - CODE_ORDER.indexOf(b.code),
  );
}

function abs(amount: Ore): Ore {
  return amount < 0n ? -amount : amount;
}

function describeKind(kind: ReconciliationSource["kind"]): string {
  switch (kind) {
    case "prior":
      return "the prior engagement's closing";
    case "file":
      return "a file import";
    case "api":
      return "the API sync";
    case "none":
      return "nothing";
  }
}

function describeSource(source: ReconciliationSource): string {
  switch (source.kind) {
    case "prior":
      return `the closing of engagement ${source.engagementId ?? "?"}`;
    case "file":
      return `file import ${source.importId ?? "?"}`;
    case "api":
      return `the ${source.system ?? "API"} sync ${source.importId ?? "?"}`;
    case "none":
      return "no source (0)";
  }
}
