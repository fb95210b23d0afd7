import { z } from "zod";
import { ImportProgressSchema, toImportProgressJson } from "../imports/importReports.ts";
import { ImportStatusSchema, type ImportRun } from "../imports/types.ts";
import { SourceFormatSchema } from "../ledger/types.ts";
import { DecimalAmountSchema as AmountSchema } from "../money/ore.ts";

/** One import as `saldo imports --json` and `saldo upload --json` print it (the report itself: `trial-balance`). */
export const ImportSummaryJsonSchema = z.object({
  importId: z.string(),
  /** `held`: not activated by the activation gate; `heldFor` says why (README "Activation rules"). */
  status: ImportStatusSchema,
  /** Whether this import is the engagement's active version. */
  active: z.boolean(),
  fileName: z.string().nullable(),
  key: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  format: SourceFormatSchema.nullable(),
  formatVersion: z.string().nullable(),
  counts: z
    .object({
      accounts: z.number().int(),
      transactions: z.number().int(),
      lines: z.number().int(),
      /** Opening/movement null when unknown (a closing-balance file). */
      totals: z.object({ opening: AmountSchema.nullable(), movement: AmountSchema.nullable(), closing: AmountSchema }),
    })
    .nullable(),
  issues: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }).nullable(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** The codes of the activation rules that held the import; empty when it was never held. */
  heldFor: z.array(z.string()),
  /** The codes a person accepted when activating the held import, who and when; null unless that happened. */
  accepted: z.object({ codes: z.array(z.string()), by: z.string(), at: z.string() }).nullable(),
  /** While running: bytes read of the size and lines so far, as the import's heartbeat last recorded them. */
  progress: ImportProgressSchema.nullable(),
});
export type ImportSummaryJson = z.infer<typeof ImportSummaryJsonSchema>;

/** The JSON of one import for listings. */
export function toImportSummaryJson(run: ImportRun, activeImportId: string | undefined): ImportSummaryJson {
  const file = run.source.type === "file" ? run.source : undefined;
  return {
    importId: run.importId,
    status: run.status,
    active: run.importId === activeImportId,
    fileName: file?.fileName ?? null,
    key: file?.key ?? null,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt ?? null,
    format: run.format ?? null,
    formatVersion: run.formatVersion ?? null,
    counts: run.counts
      ? {
          accounts: run.counts.accounts,
          transactions: run.counts.transactions,
          lines: run.counts.lines,
          totals: run.counts.totals,
        }
      : null,
    issues: run.counts?.issues ?? null,
    failure: run.failure ?? null,
    heldFor: run.heldFor ?? [],
    accepted: run.accepted ? { codes: [...run.accepted.codes], by: run.accepted.by, at: run.accepted.at } : null,
    progress: toImportProgressJson(run),
  };
}

/** Issue counts for people: `0 error(s), 2 warning(s), 1 info`. */
export function formatIssueCounts(issues: { error: number; warning: number; info: number } | null | undefined): string {
  if (!issues) return "no report";
  return `${issues.error} error(s), ${issues.warning} warning(s), ${issues.info} info`;
}
