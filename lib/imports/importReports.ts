import { z } from "zod";
import type { EngagementRef } from "../engagements/types.ts";
import { getEngagement } from "../engagements/manageEngagements.ts";
import { DecimalAmountSchema } from "../money/ore.ts";
import { ImportVersionSchema, toImportVersionJson } from "./importViews.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import { CURSOR_MAX_LENGTH, cursorCodec } from "../paging/cursorCodec.ts";
import type { ImportRunSummary, ImportStore } from "./ports.ts";
import type { ImportRef } from "./types.ts";
import { requireImport } from "./importGuards.ts";
import { IssueJsonSchema, toIssueJson } from "../ledger/ledgerJson.ts";

/** Issue counts by severity. */
const IssueCountsSchema = z.object({
  error: z.number().int().nonnegative(),
  warning: z.number().int().nonnegative(),
  info: z.number().int().nonnegative(),
});

/** How far a running import has got. */
export const ImportProgressSchema = z.object({
  bytesRead: z.number().int().nonnegative(),
  size: z.number().int().nonnegative().nullable(),
  lines: z.number().int().nonnegative(),
  updatedAt: z.string(),
});

/**
 * One import of an engagement as listed: the version, whether it is the active one, its counts and failure. The one
 * summary of an import: `GET …/imports` answers it, and `saldo imports --json`, `saldo upload --json` and
 * `saldo activate --json` print it.
 */
export const ImportSummarySchema = ImportVersionSchema.extend({
  active: z.boolean(),
  counts: z
    .object({
      accounts: z.number().int().nonnegative(),
      transactions: z.number().int().nonnegative(),
      lines: z.number().int().nonnegative(),
      /** Opening/movement null when unknown (a closing-balance file, see `OPENING_NOT_STATED`). */
      totals: z.object({
        opening: DecimalAmountSchema.nullable(),
        movement: DecimalAmountSchema.nullable(),
        closing: DecimalAmountSchema,
      }),
    })
    .nullable(),
  issueCounts: IssueCountsSchema.nullable(),
  /** Why the import failed; null unless it did. */
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Attempts that worked on the import (a retry after an unexpected failure or a dead attempt counts too). */
  attempts: z.number().int().nonnegative(),
  /**
   * While the import is `running`: bytes of the file read so far (of `size`, null when unknown) and transaction
   * lines read, as its heartbeat last recorded them (every few seconds, at `updatedAt`); null otherwise.
   */
  progress: ImportProgressSchema.nullable(),
});
export type ImportSummaryJson = z.infer<typeof ImportSummarySchema>;

/** `GET …/imports`: one page of the engagement's imports, newest first; `nextCursor` is null on the last page. */
export const ImportListSchema = z.object({ items: z.array(ImportSummarySchema), nextCursor: z.string().nullable() });
export type ImportListJson = z.infer<typeof ImportListSchema>;

/**
 * `GET …/imports/{importId}`: one import with its whole validation report (the issues, bounded at 100 per code by
 * the summarizer, with an `ISSUES_TRUNCATED` entry when more were counted) and what the file says about itself.
 */
export const ImportReportSchema = ImportSummarySchema.extend({
  header: z
    .object({
      company: z.object({ orgNumber: z.string().nullable(), name: z.string().nullable() }),
      period: z.object({ start: z.iso.date(), end: z.iso.date() }).nullable(),
      /** null when the file does not state its currency (CURRENCY_NOT_STATED). */
      currency: z.string().nullable(),
    })
    .nullable(),
  issues: z.array(IssueJsonSchema),
});
export type ImportReportJson = z.infer<typeof ImportReportSchema>;

/** Default and maximum page size of `GET …/imports`. */
export const IMPORT_LIST_DEFAULT_LIMIT = 50;
export const IMPORT_LIST_MAX_LIMIT = 200;

/** The query string of `GET …/imports` (`limit` is coerced from the query string's text). */
export const ImportListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(IMPORT_LIST_MAX_LIMIT).optional(),
  cursor: z.string().min(1).max(CURSOR_MAX_LENGTH).optional(),
});
export type ImportListQuery = z.infer<typeof ImportListQuerySchema>;

/** The position a cursor of `GET …/imports` holds: the last import of the previous page (lib/paging binds it). */
const IMPORT_LIST_CURSOR = cursorCodec("imports", z.strictObject({ after: z.string().min(1).max(200) }));

/**
 * One page of the engagement's imports, newest first, each marked active or not. Reads only each import's summary
 * (ImportStore.listImports), never its validation report. The cursor is bound to the tenant, client and engagement.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids), InvalidCursorError
 */
export async function listImportSummaries(
  deps: { engagementStore: EngagementStore; importStore: ImportStore },
  ref: EngagementRef,
  query: ImportListQuery = {},
): Promise<ImportListJson> {
  const engagement = await getEngagement(deps, ref);
  const scope = [ref.tenantId, ref.clientId, ref.engagementId];
  const after = query.cursor === undefined ? undefined : IMPORT_LIST_CURSOR.decode(scope, query.cursor).after;
  const page = await deps.importStore.listImports(ref, {
    limit: query.limit ?? IMPORT_LIST_DEFAULT_LIMIT,
    ...(after === undefined ? {} : { after }),
  });
  return {
    items: page.items.map((run) => toImportSummaryJson(run, engagement.activeImportId)),
    nextCursor: page.next === undefined ? null : IMPORT_LIST_CURSOR.encode(scope, { after: page.next }),
  };
}

/**
 * One import of the engagement with its full validation report.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError, ImportNotFoundError (also for another tenant's ids)
 */
export async function getImportReport(
  deps: { engagementStore: EngagementStore; importStore: ImportStore },
  ref: ImportRef,
): Promise<ImportReportJson> {
  const engagement = await getEngagement(deps, ref);
  const run = await requireImport(deps, ref);
  return {
    ...toImportSummaryJson(run, engagement.activeImportId),
    header: run.header
      ? {
          company: { orgNumber: run.header.company.orgNumber ?? null, name: run.header.company.name ?? null },
          period: run.header.period ? { start: run.header.period.start, end: run.header.period.end } : null,
          currency: run.header.currency ?? null,
        }
      : null,
    issues: (run.issues ?? []).map(toIssueJson),
  };
}

/** The summary of one import ({@link ImportSummarySchema}); `activeImportId` is the engagement's active version. */
export function toImportSummaryJson(run: ImportRunSummary, activeImportId: string | undefined): ImportSummaryJson {
  return {
    ...toImportVersionJson(run),
    active: run.importId === activeImportId,
    counts: run.counts
      ? {
          accounts: run.counts.accounts,
          transactions: run.counts.transactions,
          lines: run.counts.lines,
          totals: run.counts.totals,
        }
      : null,
    issueCounts: run.counts?.issues ?? null,
    failure: run.failure ?? null,
    attempts: run.attempts ?? (run.status === "queued" ? 0 : 1),
    progress: toImportProgressJson(run),
  };
}

/** The progress of a running import as JSON; null for an import that is not running. */
export function toImportProgressJson(run: ImportRunSummary): z.infer<typeof ImportProgressSchema> | null {
  if (run.status !== "running" || run.progress === undefined) return null;
  const { bytesRead, size, lines, updatedAt } = run.progress;
  return { bytesRead, size: size ?? null, lines, updatedAt };
}
