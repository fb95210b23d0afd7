import { gunzipSync, gzipSync } from "node:zlib";
import type { z } from "zod";
import type { Client, Engagement } from "../../engagements/types.ts";
import type { ImportRunSummary, RejectedUpload, StoredTrialBalanceRow } from "../../imports/ports.ts";
import type { LedgerLine, Issue } from "../../ledger/types.ts";
import type { ImportRun } from "../../imports/types.ts";
import type { TrialBalanceRow } from "../../ledger/summarizeLedger.ts";
import { formatOre, type Ore } from "../../money/ore.ts";
import { StoreCorruptItemError } from "../errors.ts";
import {
  ClientItemSchema,
  EngagementItemSchema,
  ImportItemSchema,
  ImportSummaryItemSchema,
  IssuesJsonSchema,
  RejectedUploadItemSchema,
  TrialBalanceRowFieldsSchema,
  TrialBalanceRowItemSchema,
  type ImportItem,
} from "./itemSchemas.ts";
import { keys } from "./keys.ts";

/** A DynamoDB item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

/**
 * Validates an item read back from the table with `schema`.
 *
 * @throws StoreCorruptItemError `STORE_CORRUPT_ITEM` naming the item's key and the first problems, when it does not
 * match — or when it belongs to another tenant than `tenantId` (only possible for `IMP#…` items reached through a
 * forged or colliding import id).
 */
export function parseItem<S extends z.ZodType>(schema: S, item: Item, what: string, tenantId?: string): z.output<S> {
  const parsed = schema.safeParse(item);
  const where = { pk: item.pk, sk: item.sk };
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "(item)"}: ${issue.message}`)
      .join("; ");
    throw new StoreCorruptItemError(
      `The ${what} item ${String(item.pk)} / ${String(item.sk)} is not valid: ${problems}`,
      {
        cause: parsed.error,
        context: where,
      },
    );
  }
  if (tenantId !== undefined && (parsed.data as { tenantId?: unknown }).tenantId !== tenantId) {
    throw new StoreCorruptItemError(
      `The ${what} item ${String(item.pk)} / ${String(item.sk)} belongs to another tenant`,
      {
        context: where,
      },
    );
  }
  return parsed.data;
}

/** Drops `undefined` values (the document client is also told to, but keys stay readable in tests). */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, element]) => element !== undefined)) as T;
}

/** The client item (`T#{tenant}` / `CLIENT#{client}`). */
export function encodeClient(client: Client): Item {
  return { ...keys.client(client.tenantId, client.clientId), type: "client", ...defined(client) };
}

/** A client item read back, validated. */
export function decodeClient(item: Item): Client {
  return parseItem(ClientItemSchema, item, "client");
}

/**
 * The engagement's own fields; the active version (`activeImportId`/`activeOrderKey`, the slots and the source plan,
 * which decides the active version) is only ever written by activateImport and changeSourcePlan, and the schedule's
 * fields (`closedAt`, `refresh`, `refreshDueAt` and its index entry) by updateEngagementSchedule.
 */
export function engagementFields(engagement: Engagement): Item {
  const {
    activeImportId: _activeImportId,
    activeOrderKey: _activeOrderKey,
    closedAt: _closedAt,
    refresh: _refresh,
    refreshDueAt: _refreshDueAt,
    sources: _sources,
    sourcePlan: _sourcePlan,
    ...fields
  } = engagement;
  return defined(fields);
}

/** An engagement item read back, validated. */
export function decodeEngagement(item: Item): Engagement {
  return parseItem(EngagementItemSchema, item, "engagement");
}

/** Largest gzipped validation report kept inside the import item (the rest of the item is a few KB). */
export const INLINE_ISSUES_LIMIT = 300_000;

/** A validation report as gzipped JSON, amounts as decimal strings. */
export function encodeIssues(issues: readonly Issue[]): Buffer {
  return gzipSync(JSON.stringify(issues.map((issue) => defined({ ...issue, amount: optionalOre(issue.amount) }))));
}

/** Inverse of {@link encodeIssues}, validated; `where` names the item for errors. */
export function decodeIssues(bytes: Uint8Array, where: Item): Issue[] {
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(bytes).toString("utf8"));
  } catch (error) {
    throw new StoreCorruptItemError(
      `The validation report of ${String(where.pk)} / ${String(where.sk)} cannot be read`,
      {
        cause: error,
        context: { pk: where.pk, sk: where.sk },
      },
    );
  }
  return parseItem(IssuesJsonSchema, json as Item, "validation report") as Issue[];
}

/**
 * The import run as an item, without its validation report (see {@link encodeIssues}) and without the lease and
 * the sweeper's index keys, which only the lease methods write.
 */
export function importRunFields(run: ImportRun): Item {
  const { issues: _issues, ...fields } = run;
  return defined(fields);
}

/** An import item read back, validated (still with its storage-only attributes). */
export function decodeImportItem(item: Item): ImportItem {
  return parseItem(ImportItemSchema, item, "import");
}

/** An import item as a listing reads it (the summary projection), validated, as the summary of its run. */
export function decodeImportSummary(item: Item, tenantId: string): ImportRunSummary {
  return defined(parseItem(ImportSummaryItemSchema, item, "import", tenantId)) as ImportRunSummary;
}

/** The import run of a validated item; `issues` are those inline or, when spilled, `spilledIssues`. */
export function toImportRun(item: ImportItem, where: Item, spilledIssues?: Issue[]): ImportRun {
  const {
    issues,
    issuePages: _issuePages,
    leaseUntil: _leaseUntil,
    leaseOwner: _leaseOwner,
    redeliveries: _redeliveries,
    gsi1pk: _gsi1pk,
    gsi1sk: _gsi1sk,
    ...run
  } = item;
  const decodedIssues = issues !== undefined ? decodeIssues(issues, where) : spilledIssues;
  return defined({ ...run, issues: decodedIssues }) as ImportRun;
}

/** A trial-balance row item: amounts as decimal strings, `ordinal` keeps the written order, `chunks` the ranges of chunks holding the account's lines. */
export function encodeTrialBalanceRow(
  tenantId: string,
  importId: string,
  ordinal: number,
  row: TrialBalanceRow,
  chunks: string,
): Item {
  return {
    ...keys.trialBalanceRow(importId, row.account),
    type: "tbRow",
    tenantId,
    importId,
    ordinal,
    account: row.account,
    name: row.name,
    mapping: defined({ ...row.mapping }),
    opening: row.opening === null ? null : formatOre(row.opening),
    movement: row.movement === null ? null : formatOre(row.movement),
    closing: formatOre(row.closing),
    stated: defined({
      opening: optionalOre(row.stated.opening),
      movement: optionalOre(row.stated.movement),
      closing: optionalOre(row.stated.closing),
    }),
    posted: { debit: formatOre(row.posted.debit), credit: formatOre(row.posted.credit), lines: row.posted.lines },
    ...(row.prior === undefined
      ? {}
      : { prior: defined({ opening: optionalOre(row.prior.opening), closing: optionalOre(row.prior.closing) }) }),
    inChart: row.inChart,
    chunks,
  };
}

/**
 * A validated trial-balance row item, read without its account → chunks index (TRIAL_BALANCE_ROW_ATTRIBUTES): the
 * row and its position.
 */
export function decodeTrialBalanceRow(item: Item, tenantId: string): { row: StoredTrialBalanceRow; ordinal: number } {
  const {
    tenantId: _tenantId,
    ordinal,
    ...row
  } = parseItem(TrialBalanceRowFieldsSchema, item, "trial-balance row", tenantId);
  return { row: row as StoredTrialBalanceRow, ordinal };
}

/** The ranges of chunks holding the lines of a trial-balance row item's account (the whole item validated). */
export function decodeAccountChunks(item: Item, tenantId: string): string {
  return parseItem(TrialBalanceRowItemSchema, item, "trial-balance row", tenantId).chunks;
}

/** One line as the JSON text stored in a chunk: amounts as decimal strings (STYLE.md §9). */
export function encodeLedgerLine(line: LedgerLine): string {
  return JSON.stringify({ ...line, amount: formatOre(line.amount) });
}

/** The item recording a rejected upload (`REJECTED#{tenant}` / `{at}#{key}`). */
export function encodeRejectedUpload(rejection: RejectedUpload): Item {
  return {
    ...keys.rejectedUpload(rejection.tenantId, rejection.at, rejection.key),
    type: "rejected",
    ...defined(rejection),
  };
}

/** A rejected-upload item read back, validated and checked to belong to `tenantId`. */
export function decodeRejectedUpload(item: Item, tenantId: string): RejectedUpload {
  return parseItem(RejectedUploadItemSchema, item, "rejected upload", tenantId);
}

function optionalOre(amount: Ore | undefined): string | undefined {
  return amount === undefined ? undefined : formatOre(amount);
}
