import { z } from "zod";
import { DecimalAmountSchema, formatOre } from "../money/ore.ts";
import type { Difference, ReconciliationResult } from "./reconcileEngagement.ts";

/** The stable difference codes (README "Reconciliation"), in the order the README lists them. */
export const DIFFERENCE_CODES = [
  "SOURCE_MISSING",
  "OPENING_DIFFERS_FROM_PRIOR_CLOSING",
  "OPENING_RESULT_NOT_ZERO",
  "OPENING_FILE_DIFFERS",
  "OPENING_API_DIFFERS",
  "CLOSING_DIFFERS_FROM_STATED",
  "MOVEMENT_DIFFERS_FROM_TRANSACTIONS",
  "OPENING_NOT_BALANCED",
  "CLOSING_NOT_BALANCED",
  "CONTROL_TOTALS_DIFFER",
] as const satisfies readonly Difference["code"][];

/** The stable hint codes. */
export const HINT_CODES = [
  "RESULT_NOT_MOVED_TO_EQUITY",
  "POSTED_AFTER_PRIOR_CLOSE",
  "OPENING_ZEROED_BY_EXPORTER",
  "POSTINGS_IN_NEXT_YEAR",
] as const satisfies readonly NonNullable<Difference["hint"]>[];

const SourceKindSchema = z.enum(["prior", "file", "api", "none"]);

/** One compared figure: its source (kind, import, engagement, system or format) and the figure (null: none there). */
export const ComparedFigureJsonSchema = z.object({
  kind: SourceKindSchema,
  importId: z.string().nullable(),
  engagementId: z.string().nullable(),
  system: z.string().nullable(),
  format: z.string().nullable(),
  figure: DecimalAmountSchema.nullable(),
});

/** One difference as the API and `saldo reconcile --json` answer it (amounts as decimal strings). */
export const DifferenceJsonSchema = z.object({
  code: z.enum(DIFFERENCE_CODES),
  account: z.string().nullable(),
  name: z.string().nullable(),
  amount: DecimalAmountSchema.nullable(),
  sources: z.array(ComparedFigureJsonSchema),
  hint: z.enum(HINT_CODES).nullable(),
  message: z.string(),
});
export type DifferenceJson = z.infer<typeof DifferenceJsonSchema>;

export const ReconciliationStatusSchema = z.enum(["reconciled", "differences", "incomplete"]);

/** `GET …/reconciliation` and `saldo reconcile --json`. */
export const ReconciliationJsonSchema = z.object({
  status: ReconciliationStatusSchema,
  /** At most {@link MAX_LISTED_DIFFERENCES}; `count` and `total` cover all of them. */
  differences: z.array(DifferenceJsonSchema),
  count: z.number().int().nonnegative(),
  /** Σ |amount| of all differences. */
  total: DecimalAmountSchema,
  /** The parts of the plan without a source (status `incomplete`). */
  missing: z.array(z.object({ part: z.enum(["opening", "movement"]), kind: SourceKindSchema })),
  computedAt: z.iso.datetime(),
});
export type ReconciliationJson = z.infer<typeof ReconciliationJsonSchema>;

/** The summary an engagement shows: status, how many differences and how much in all. */
export const ReconciliationSummaryJsonSchema = z.object({
  status: ReconciliationStatusSchema,
  differences: z.number().int().nonnegative(),
  total: DecimalAmountSchema,
  computedAt: z.iso.datetime(),
});
export type ReconciliationSummaryJson = z.infer<typeof ReconciliationSummaryJsonSchema>;

/**
 * A reconciliation as stored (one item per engagement): the JSON plus `basis`, what it was computed from (the active
 * import of each slot, the plan, the prior engagement's active import): when the basis of the engagement as it is now
 * differs, the stored one is out of date and is computed again.
 */
export const StoredReconciliationSchema = ReconciliationJsonSchema.extend({ basis: z.string() });
export type StoredReconciliation = z.infer<typeof StoredReconciliationSchema>;

/** How many differences are kept and listed (an item stays far below DynamoDB's 400 KB); count and total cover all. */
export const MAX_LISTED_DIFFERENCES = 500;

/**
 * `GET …/reconciliation`: the reconciliation with one page of its differences (`limit`, default
 * {@link MAX_LISTED_DIFFERENCES}) and the cursor of the next page (null on the last one); `count` and `total` cover
 * all of them.
 */
export const ReconciliationPageJsonSchema = ReconciliationJsonSchema.extend({ nextCursor: z.string().nullable() });
export type ReconciliationPageJson = z.infer<typeof ReconciliationPageJsonSchema>;

/** The engine's result as JSON, computed at `computedAt`, listing the first `listed` differences. */
export function toReconciliationJson(
  result: ReconciliationResult,
  computedAt: string,
  listed: number = MAX_LISTED_DIFFERENCES,
): ReconciliationJson {
  return {
    status: result.status,
    differences: result.differences.slice(0, listed).map(toDifferenceJson),
    count: result.differences.length,
    total: formatOre(result.total),
    missing: result.missing.map((part) => ({ ...part })),
    computedAt,
  };
}

/** The summary an engagement shows. */
export function toReconciliationSummary(reconciliation: ReconciliationJson): ReconciliationSummaryJson {
  return {
    status: reconciliation.status,
    differences: reconciliation.count,
    total: reconciliation.total,
    computedAt: reconciliation.computedAt,
  };
}

function toDifferenceJson(difference: Difference): DifferenceJson {
  return {
    code: difference.code,
    account: difference.account ?? null,
    name: difference.name ?? null,
    amount: difference.amount === null ? null : formatOre(difference.amount),
    sources: difference.sources.map((source) => ({
      kind: source.kind,
      importId: source.importId ?? null,
      engagementId: source.engagementId ?? null,
      system: source.system ?? null,
      format: source.format ?? null,
      figure: source.figure === null ? null : formatOre(source.figure),
    })),
    hint: difference.hint ?? null,
    message: difference.message,
  };
}
