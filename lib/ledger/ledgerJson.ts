import { z } from "zod";
import { DecimalAmountSchema, formatOre } from "../money/ore.ts";
import type { LedgerSummary } from "./summarizeLedger.ts";
import { SourceFormatSchema, SeveritySchema, type Issue } from "./types.ts";

/** An amount that may be unknown: null where the file does not state it (a closing-balance CSV's opening). */
const UnknownOrAmountSchema = DecimalAmountSchema.nullable();

/** `formatOre`, keeping an unknown figure unknown. */
export function formatKnownOre(ore: bigint | null): string | null {
  return ore === null ? null : formatOre(ore);
}

export const LedgerJsonAccountSchema = z.object({
  account: z.string(),
  name: z.string(),
  /** Null when unknown: the file states closing balances only (see `OPENING_NOT_STATED`). */
  opening: UnknownOrAmountSchema,
  /** Null when unknown: the file states neither the movement nor an opening balance. */
  movement: UnknownOrAmountSchema,
  closing: DecimalAmountSchema,
  mapping: z
    .object({
      standardAccountId: z.string().optional(),
      groupingCategory: z.string().optional(),
      groupingCode: z.string().optional(),
      sru: z.string().optional(),
      accountType: z.string().optional(),
    })
    .optional(),
  /** The movement the file states, when it differs from the one computed from its transactions. */
  statedMovement: DecimalAmountSchema.optional(),
  prior: z.object({ opening: DecimalAmountSchema.optional(), closing: DecimalAmountSchema.optional() }).optional(),
  /** Present (false) only for accounts posted to but missing from the file's chart. */
  inChart: z.literal(false).optional(),
});

export const IssueJsonSchema = z.object({
  severity: SeveritySchema,
  code: z.string(),
  message: z.string(),
  account: z.string().optional(),
  amount: DecimalAmountSchema.optional(),
  transactionId: z.string().optional(),
  /** The field concerned (e.g. `account.name`), for issues about one field. */
  field: z.string().optional(),
  location: z
    .object({ line: z.number().int(), column: z.number().int(), offset: z.number().int().optional() })
    .optional(),
  /**
   * `false` on an error about a column the engagement's source plan does not take from the import (as the plan was
   * when the import was read): it does not affect the figures; `unusedByPlan` says why. Absent otherwise.
   */
  affectsFigures: z.literal(false).optional(),
  /** Which column the plan does not use (`opening`: it comes from `openingFrom`; `closing`: computed). */
  unusedByPlan: z
    .object({
      column: z.enum(["opening", "closing"]),
      openingFrom: z.enum(["prior", "file", "api", "none"]),
    })
    .optional(),
});

/** The JSON shape of `saldo inspect --json`, also used by `saldo trial-balance --json` and the HTTP API. */
export const LedgerJsonSchema = z.object({
  format: SourceFormatSchema,
  formatVersion: z.string(),
  encoding: z.string(),
  company: z.object({ orgNumber: z.string().nullable(), name: z.string().nullable() }),
  period: z.object({ start: z.string(), end: z.string() }).nullable(),
  /** ISO 4217 code; null when the file does not state its currency (CURRENCY_NOT_STATED in `issues`). */
  currency: z.string().nullable(),
  accounts: z.array(LedgerJsonAccountSchema),
  /** Sums of the accounts; an opening or movement total is null when any account's figure is unknown. */
  totals: z.object({ opening: UnknownOrAmountSchema, movement: UnknownOrAmountSchema, closing: DecimalAmountSchema }),
  transactions: z.object({
    count: z.number().int(),
    lines: z.number().int(),
    totalDebit: DecimalAmountSchema,
    totalCredit: DecimalAmountSchema,
  }),
  issues: z.array(IssueJsonSchema),
});
export type LedgerJson = z.infer<typeof LedgerJsonSchema>;

/** Renders a summary in the public JSON shape: amounts as decimal strings with two decimals. */
export function toLedgerJson(summary: LedgerSummary): LedgerJson {
  const { header } = summary;
  return {
    format: header.format,
    formatVersion: header.formatVersion,
    encoding: header.encoding,
    company: { orgNumber: header.company.orgNumber ?? null, name: header.company.name ?? null },
    period: header.period ? { start: header.period.start, end: header.period.end } : null,
    currency: header.currency ?? null,
    accounts: summary.rows.map((row) => {
      const mapping = Object.fromEntries(Object.entries(row.mapping).filter(([, value]) => value !== undefined));
      const prior = row.prior
        ? {
            ...(row.prior.opening !== undefined ? { opening: formatOre(row.prior.opening) } : {}),
            ...(row.prior.closing !== undefined ? { closing: formatOre(row.prior.closing) } : {}),
          }
        : undefined;
      return {
        account: row.account,
        name: row.name,
        opening: formatKnownOre(row.opening),
        movement: formatKnownOre(row.movement),
        closing: formatOre(row.closing),
        ...(Object.keys(mapping).length > 0 ? { mapping } : {}),
        ...(row.stated.movement !== undefined && row.stated.movement !== row.movement
          ? { statedMovement: formatOre(row.stated.movement) }
          : {}),
        ...(prior ? { prior } : {}),
        ...(row.inChart ? {} : { inChart: false as const }),
      };
    }),
    totals: {
      opening: formatKnownOre(summary.totals.opening),
      movement: formatKnownOre(summary.totals.movement),
      closing: formatOre(summary.totals.closing),
    },
    transactions: {
      count: summary.transactions.count,
      lines: summary.transactions.lines,
      totalDebit: formatOre(summary.transactions.totalDebit),
      totalCredit: formatOre(summary.transactions.totalCredit),
    },
    issues: summary.issues.map(toIssueJson),
  };
}

/** One issue of a validation report in the public JSON shape (amount as a decimal string). */
export function toIssueJson(issue: Issue): z.infer<typeof IssueJsonSchema> {
  return {
    severity: issue.severity,
    code: issue.code,
    message: issue.message,
    ...(issue.account !== undefined ? { account: issue.account } : {}),
    ...(issue.amount !== undefined ? { amount: formatOre(issue.amount) } : {}),
    ...(issue.transactionId !== undefined ? { transactionId: issue.transactionId } : {}),
    ...(issue.field !== undefined ? { field: issue.field } : {}),
    ...(issue.location ? { location: issue.location } : {}),
    ...(issue.unusedByPlan ? { affectsFigures: false as const, unusedByPlan: { ...issue.unusedByPlan } } : {}),
  };
}
