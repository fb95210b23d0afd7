import { normalizeOrgNumber, orgNumberDigits } from "../ids/orgNumber.ts";
import type { EngagementKind } from "../engagements/types.ts";
import type { LedgerSummary } from "../ledger/summarizeLedger.ts";
import type { Issue, Period, Severity } from "../ledger/types.ts";

/*
 * The activation gate (issue #7): an import becomes the engagement's active version on its own only when it
 * plausibly belongs there. Every rule is one row of ACTIVATION_RULES; evaluateActivationRules applies them all to a
 * finished import and answers which of them hold it (`heldFor`) and which only leave a note. The README's table
 * "Activation rules" documents this one.
 */

/** The codes of the rules that hold an import back (`heldFor`), in table order (what `accept` may name). */
export const HOLD_CODES = [
  "IMPORT_HAS_NO_FIGURES",
  "ORG_NUMBER_MISMATCH",
  "ORG_NUMBER_OF_OTHER_CLIENT",
  "CURRENCY_MISMATCH",
  "ENGAGEMENT_PERIOD_MISMATCH",
  "FIGURES_UNRELIABLE",
  "SOURCE_REPLACE_NOT_ALLOWED",
] as const;
export type HoldCode = (typeof HOLD_CODES)[number];

/** The codes of the rules that only leave an info issue on the import. */
export type NoteCode = "ENGAGEMENT_PERIOD_NOT_STATED" | "ENGAGEMENT_PERIOD_DIFFERS" | "ORG_NUMBER_NOT_STATED";

/**
 * What the rules look at: the finished import (what the file states about itself, its figures and its report), the
 * client and the engagement. Plain data, so the rules stay pure.
 */
export interface ActivationFacts {
  file: {
    orgNumber?: string | undefined;
    /** The file's currency; empty or absent when the file does not state one. */
    currency?: string | undefined;
    period?: Period | undefined;
  };
  figures: {
    /** Accounts with at least one figure the file states or a posted line (a row whose every amount was unreadable has none). */
    accountsWithFigures: number;
    transactions: number;
  };
  /** The import's validation report (before the gate adds its own issues). */
  issues: readonly Pick<Issue, "severity" | "code">[];
  client: { orgNumber?: string | undefined; currency?: string | undefined };
  engagement: {
    engagementId: string;
    kind: EngagementKind;
    fiscalYear: number;
    periodStart: string;
    periodEnd: string;
  };
  /**
   * Another live client of the tenant whose organisation number is the file's — looked up only when the client has
   * none of its own (then the file's number would become the client's).
   */
  otherClientWithOrgNumber?: string | undefined;
  /** What the engagement's source plan takes from this import (issue #10); absent: everything, as before plans. */
  plan?: ActivationPlanFacts | undefined;
}

/** What the engagement's source plan (lib/engagements/sourcePlan.ts) takes from an import, for the gate. */
export interface ActivationPlanFacts {
  /**
   * Columns of the import the plan does not use: `opening` when the opening balances come from another source,
   * `closing` when the closing is computed from another source's opening (the import's stated closing is then only
   * compared, by the reconciliation). Issues about only these columns do not hold the import.
   */
  unusedColumns: ReadonlyArray<"opening" | "closing">;
  /** Where the plan takes the opening balances from. */
  openingFrom: "prior" | "file" | "api" | "none";
  /** The slot the import fills (`file`, `api`, `opening`). */
  slot: string;
  /** The import active in that slot now, when another one is and the plan does not allow replacing it. */
  replaceRefusedBy?: string | undefined;
}

/**
 * Error-level codes about one column of an import's own trial balance: when the plan does not use that column from
 * the import, they do not make FIGURES_UNRELIABLE hold it (they stay on its report; the reconciliation compares).
 */
export const ERROR_CODES_BY_COLUMN: Readonly<Record<"opening" | "closing", ReadonlySet<string>>> = {
  opening: new Set(["OPENING_NOT_BALANCED"]),
  closing: new Set(["CLOSING_NOT_BALANCED", "CLOSING_MISMATCH"]),
};

/**
 * The report with each error about a column the plan does not take from the import marked `unusedByPlan` (the same
 * codes FIGURES_UNRELIABLE leaves out): people see that it does not affect the figures, and why.
 */
export function markIssuesUnusedByPlan(issues: readonly Issue[], plan: ActivationPlanFacts | undefined): Issue[] {
  if (plan === undefined || plan.unusedColumns.length === 0) return [...issues];
  return issues.map((issue) => {
    if (issue.severity !== "error") return issue;
    const column = plan.unusedColumns.find((candidate) => ERROR_CODES_BY_COLUMN[candidate].has(issue.code));
    return column === undefined ? issue : { ...issue, unusedByPlan: { column, openingFrom: plan.openingFrom } };
  });
}

/** One rule of the gate, as data. */
export interface ActivationRule<Code extends string = HoldCode | NoteCode> {
  code: Code;
  /** `hold`: the import is held until a person activates it; `note`: only an info issue. */
  effect: "hold" | "note";
  /** Severity of the issue the rule leaves: `error` for a hold, `info` for a note. */
  severity: Severity;
  /** Whether a person may activate the import anyway by accepting this code. */
  acceptable: boolean;
  /** What the rule checks, for people (the README's table repeats it). */
  checks: string;
  /** The message of the issue when the rule applies to these facts, else undefined. */
  applies(facts: ActivationFacts): string | undefined;
}

/** The client currency when none is set on the client. */
export const DEFAULT_CLIENT_CURRENCY = "NOK";

/**
 * Error-level codes that do not touch the figures of the trial balance or the transactions, so they do not make
 * FIGURES_UNRELIABLE hold an import: a customer or supplier left out of the register only affects the sub-ledger
 * check. Every other error-level issue — including codes added later — holds the import.
 */
export const ERROR_CODES_THAT_KEEP_FIGURES_RELIABLE: ReadonlySet<string> = new Set(["SAFT_PARTY_MISSING_ID"]);

/** The rules, in the order their issues are reported. */
export const ACTIVATION_RULES: readonly ActivationRule[] = [
  {
    code: "IMPORT_HAS_NO_FIGURES",
    effect: "hold",
    severity: "error",
    acceptable: false,
    checks:
      "the import has figures: at least one account with a stated or posted amount, or a transaction " +
      "(a file without account rows, or whose every amount was unreadable, has none)",
    applies: ({ figures }) =>
      figures.accountsWithFigures === 0 && figures.transactions === 0
        ? "the file has no figures: no account with a readable amount and no transactions"
        : undefined,
  },
  {
    code: "ORG_NUMBER_MISMATCH",
    effect: "hold",
    severity: "error",
    acceptable: true,
    checks: "the file's organisation number is the client's (when both are known)",
    applies: ({ file, client }) => {
      if (file.orgNumber === undefined || client.orgNumber === undefined) return undefined;
      if (normaliseOrgNumber(file.orgNumber) === normaliseOrgNumber(client.orgNumber)) return undefined;
      return `the file is for organisation number ${file.orgNumber}, but the client's is ${client.orgNumber}`;
    },
  },
  {
    code: "ORG_NUMBER_OF_OTHER_CLIENT",
    effect: "hold",
    severity: "error",
    acceptable: true,
    checks:
      "for a client without an organisation number: the file's number is not that of another client of the " +
      "tenant (otherwise the client takes the file's number when the import is activated)",
    applies: ({ file, client, otherClientWithOrgNumber }) =>
      client.orgNumber === undefined && file.orgNumber !== undefined && otherClientWithOrgNumber !== undefined
        ? `the file is for organisation number ${file.orgNumber}, which is client "${otherClientWithOrgNumber}"'s`
        : undefined,
  },
  {
    code: "CURRENCY_MISMATCH",
    effect: "hold",
    severity: "error",
    acceptable: true,
    checks: `the file's currency is the client's (${DEFAULT_CLIENT_CURRENCY} unless set); a file that states none is not checked`,
    applies: ({ file, client }) => {
      const stated = file.currency?.trim().toUpperCase();
      const expected = clientCurrency(client);
      if (!stated || stated === expected) return undefined;
      return `the file's figures are in ${stated}, but the client's currency is ${expected}`;
    },
  },
  {
    code: "ENGAGEMENT_PERIOD_MISMATCH",
    effect: "hold",
    severity: "error",
    acceptable: true,
    checks:
      "year-end: the file's period lies within the engagement's fiscal year; period-end: the file's period " +
      "includes the engagement's last day and lies within the engagement's fiscal year; an import with the opening " +
      "role may also be the period that ends the day before the engagement starts (last year's trial balance)",
    applies: ({ file, engagement, plan }) => {
      if (!file.period || periodFits(file.period, engagement)) return undefined;
      // An opening-role import may be last year's trial balance: its closing is this engagement's opening.
      if (
        plan?.slot === "opening" &&
        file.period.end < engagement.periodStart &&
        isDayBefore(file.period.end, engagement.periodStart)
      )
        return undefined;
      return (
        `the file covers ${file.period.start} – ${file.period.end}, which does not fit ${engagement.kind} engagement ` +
        `${engagement.engagementId} (${engagement.periodStart} – ${engagement.periodEnd}): ${periodRequirement(engagement)}`
      );
    },
  },
  {
    code: "FIGURES_UNRELIABLE",
    effect: "hold",
    severity: "error",
    acceptable: true,
    checks:
      "the report has no error-level issue that makes figures unreliable (amounts or lines left out, unreadable " +
      "rows, control totals or vouchers that do not add up); see ERROR_CODES_THAT_KEEP_FIGURES_RELIABLE. Issues " +
      "about a column the source plan does not take from the import (ERROR_CODES_BY_COLUMN) do not count",
    applies: ({ issues, plan }) => {
      const unused = new Set((plan?.unusedColumns ?? []).flatMap((column) => [...ERROR_CODES_BY_COLUMN[column]]));
      const counts = new Map<string, number>();
      for (const issue of issues) {
        if (issue.severity !== "error" || ERROR_CODES_THAT_KEEP_FIGURES_RELIABLE.has(issue.code)) continue;
        if (unused.has(issue.code)) continue;
        counts.set(issue.code, (counts.get(issue.code) ?? 0) + 1);
      }
      if (counts.size === 0) return undefined;
      const list = [...counts].map(([code, count]) => (count === 1 ? code : `${code} ×${count}`)).join(", ");
      return `the report has error-level issues that make the figures unreliable: ${list}`;
    },
  },
  {
    code: "SOURCE_REPLACE_NOT_ALLOWED",
    effect: "hold",
    severity: "error",
    acceptable: true,
    checks:
      "the engagement's source plan allows a newer import to replace the active import of its slot (`replace`, " +
      "default yes); with `replace: false` a newer one is held until a person accepts it",
    applies: ({ plan }) =>
      plan?.replaceRefusedBy === undefined
        ? undefined
        : `the engagement's source plan does not allow replacing import ${plan.replaceRefusedBy}, active in the ` +
          `${plan.slot} slot (replace: false)`,
  },
  {
    code: "ENGAGEMENT_PERIOD_NOT_STATED",
    effect: "note",
    severity: "info",
    acceptable: true,
    checks: "the file states its period (a CSV trial balance does not; it is then not checked against the engagement)",
    applies: ({ file, engagement }) =>
      file.period
        ? undefined
        : `the file states no period, so it was not checked against engagement ${engagement.engagementId} ` +
          `(${engagement.periodStart} – ${engagement.periodEnd})`,
  },
  {
    code: "ENGAGEMENT_PERIOD_DIFFERS",
    effect: "note",
    severity: "info",
    acceptable: true,
    checks: "the file's period fits the engagement but is not exactly its period",
    applies: ({ file, engagement }) =>
      file.period &&
      periodFits(file.period, engagement) &&
      (file.period.start !== engagement.periodStart || file.period.end !== engagement.periodEnd)
        ? `the file covers ${file.period.start} – ${file.period.end}; engagement ${engagement.engagementId} is ` +
          `${engagement.periodStart} – ${engagement.periodEnd}`
        : undefined,
  },
  {
    code: "ORG_NUMBER_NOT_STATED",
    effect: "note",
    severity: "info",
    acceptable: true,
    checks: "the file states an organisation number (otherwise it is not checked against the client's)",
    applies: ({ file }) =>
      file.orgNumber === undefined
        ? "the file states no organisation number, so it was not checked against the client's"
        : undefined,
  },
];

/** What the gate decided for one import. */
export interface ActivationDecision {
  /** The codes of the rules that hold the import, in table order; empty when it may become active. */
  heldFor: HoldCode[];
  /** One issue per rule that applies (holds as `error`, notes as `info`), to add to the import's report. */
  issues: Issue[];
}

/** Applies every rule of {@link ACTIVATION_RULES} to a finished import. Pure. */
export function evaluateActivationRules(facts: ActivationFacts): ActivationDecision {
  const heldFor: HoldCode[] = [];
  const issues: Issue[] = [];
  for (const rule of ACTIVATION_RULES) {
    const message = rule.applies(facts);
    if (message === undefined) continue;
    issues.push({ severity: rule.severity, code: rule.code, message });
    if (rule.effect === "hold") heldFor.push(rule.code as HoldCode);
  }
  return { heldFor, issues };
}

/** The codes a person may not accept: an import held for one of them can never be activated. */
export const UNACCEPTABLE_CODES: ReadonlySet<string> = new Set(
  ACTIVATION_RULES.filter((rule) => !rule.acceptable).map((rule) => rule.code),
);

/** The facts of the gate for a finished summary (the figures counted from its rows and transactions). */
export function activationFactsOf(
  summary: Pick<LedgerSummary, "header" | "rows" | "transactions" | "issues">,
  context: Pick<ActivationFacts, "client" | "engagement" | "otherClientWithOrgNumber" | "plan">,
): ActivationFacts {
  const accountsWithFigures = summary.rows.filter(
    (row) =>
      row.posted.lines > 0 ||
      row.stated.opening !== undefined ||
      row.stated.movement !== undefined ||
      row.stated.closing !== undefined,
  ).length;
  return {
    file: {
      orgNumber: summary.header.company.orgNumber || undefined,
      currency: summary.header.currency || undefined,
      period: summary.header.period,
    },
    figures: { accountsWithFigures, transactions: summary.transactions.count },
    issues: summary.issues,
    ...context,
  };
}

/**
 * An organisation number as files write it, reduced to compare: `NO 923 609 016 MVA`, `923609016MVA` and
 * `923609016` are one number (lib/ids/orgNumber.ts); a Swedish `556677-8899` becomes `5566778899`.
 */
export function normaliseOrgNumber(text: string): string {
  return orgNumberDigits(text) ?? text.toUpperCase().replace(/[\s.\-–]/g, "");
}

/**
 * The organisation number a client without one takes from the first file activated into it: the file's number when
 * it is a valid Norwegian one (9 digits, mod-11), else undefined.
 */
export function orgNumberToAdopt(fileOrgNumber: string | undefined): string | undefined {
  return fileOrgNumber === undefined ? undefined : normalizeOrgNumber(fileOrgNumber);
}

/** Whether `date` is the day before `next` (ISO dates). */
function isDayBefore(date: string, next: string): boolean {
  return new Date(Date.parse(`${next}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10) === date;
}

function clientCurrency(client: ActivationFacts["client"]): string {
  return client.currency?.trim().toUpperCase() || DEFAULT_CLIENT_CURRENCY;
}

/**
 * The engagement's fiscal year as dates: a year-end engagement's own period (it is the fiscal year, which need not be
 * the calendar year); for a period-end engagement the calendar year `fiscalYear`, widened to the engagement's period
 * when that crosses the year.
 */
function fiscalYearOf(engagement: ActivationFacts["engagement"]): Period {
  if (engagement.kind === "year-end") return { start: engagement.periodStart, end: engagement.periodEnd };
  const start = `${String(engagement.fiscalYear).padStart(4, "0")}-01-01`;
  const end = `${String(engagement.fiscalYear).padStart(4, "0")}-12-31`;
  return {
    start: engagement.periodStart < start ? engagement.periodStart : start,
    end: engagement.periodEnd > end ? engagement.periodEnd : end,
  };
}

/**
 * Whether a file's period fits the engagement as its kind requires. Year-end: within the fiscal year (an interim
 * trial balance of the year fits). Period-end: within the fiscal year and including the engagement's last day, so
 * the closing balances are at the right date — a SIE file states its whole fiscal year (#RAR 0) even when it is
 * exported for a quarter, and a year-to-date file fits too.
 */
function periodFits(period: Period, engagement: ActivationFacts["engagement"]): boolean {
  const year = fiscalYearOf(engagement);
  const withinYear = period.start >= year.start && period.end <= year.end && period.start <= period.end;
  if (engagement.kind === "year-end") return withinYear;
  return withinYear && period.start <= engagement.periodEnd && period.end >= engagement.periodEnd;
}

function periodRequirement(engagement: ActivationFacts["engagement"]): string {
  const year = fiscalYearOf(engagement);
  return engagement.kind === "year-end"
    ? `a year-end file must lie within the fiscal year ${year.start} – ${year.end}`
    : `a period-end file must include ${engagement.periodEnd} and lie within the fiscal year ${year.start} – ${year.end}`;
}
