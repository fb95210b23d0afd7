import { getEngagement } from "../engagements/manageEngagements.ts";
import { z } from "zod";
import type { EngagementRef } from "../engagements/types.ts";
import { hasErrorCode } from "../errors/SaldoError.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import { InvalidCursorError } from "../paging/errors.ts";
import { cursorCodec } from "../paging/cursorCodec.ts";
import { LinePositionSchema, type ImportStore, type LinePosition } from "./ports.ts";
import type { LedgerLine } from "../ledger/types.ts";
import { InvalidTransactionQueryError, NoActiveImportError, StaleCursorError } from "./errors.ts";

/** What listTransactionLines needs (STYLE.md §5). */
export interface ListTransactionLinesDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
}

/** Filters and paging of `GET …/transactions`. */
export interface TransactionLinesQuery {
  /** Only lines posted to this account. */
  account?: string;
  /** Inclusive ISO dates (YYYY-MM-DD) of the voucher date. */
  from?: string;
  to?: string;
  /** Only the lines of this transaction (voucher) id. */
  voucher?: string;
  /** `nextCursor` of the previous page, unchanged, with the same filters. */
  cursor?: string;
  /** Lines per page: 1–1000, default 100. */
  limit?: number;
}

/** One page of the active version's transaction lines. Render it with `toTransactionLinesPageJson`. */
export interface TransactionLinesPage {
  /** The version the lines come from (every page of one paging run comes from the same one). */
  importId: string;
  /** One item per transaction line, in file order. */
  items: LedgerLine[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/** Default and maximum page size. */
export const TRANSACTION_LINES_DEFAULT_LIMIT = 100;
export const TRANSACTION_LINES_MAX_LIMIT = 1000;

/**
 * The position a cursor of `GET …/transactions` holds: the import it pages through and the store's position in its
 * lines. The cursor is bound to the tenant, client, engagement and filters (lib/paging).
 */
const TRANSACTION_LINES_CURSOR = cursorCodec(
  "transaction-lines",
  z.strictObject({ importId: z.string().min(1).max(200), position: LinePositionSchema }),
);

/**
 * Lists the transaction lines of the engagement's ACTIVE version, one item per line, filtered by account, voucher
 * date range and voucher, in pages.
 *
 * The cursor is bound to the import it was issued for and to the filters: after another version has been activated,
 * a cursor of the old one is refused with StaleCursorError (a conflict) rather than continuing in the new version and
 * mixing the lines of two versions; a cursor used with other filters, or altered, or from another engagement is
 * refused with InvalidCursorError (lib/paging).
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids), NoActiveImportError,
 *   InvalidTransactionQueryError, InvalidCursorError, StaleCursorError
 */
export async function listTransactionLines(
  deps: ListTransactionLinesDeps,
  ref: EngagementRef,
  query: TransactionLinesQuery,
): Promise<TransactionLinesPage> {
  const limit = query.limit ?? TRANSACTION_LINES_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > TRANSACTION_LINES_MAX_LIMIT) {
    throw new InvalidTransactionQueryError(
      "limit",
      `limit must be a whole number from 1 to ${TRANSACTION_LINES_MAX_LIMIT}, got ${String(query.limit)}`,
    );
  }
  for (const field of ["from", "to"] as const) {
    const value = query[field];
    if (value !== undefined && !isIsoDate(value)) {
      throw new InvalidTransactionQueryError(field, `${field} must be a date as YYYY-MM-DD, got "${value}"`);
    }
  }

  const engagement = await getEngagement(deps, ref);
  const importId = engagement.activeImportId;
  if (importId === undefined) throw new NoActiveImportError(ref);
  const scope = cursorScope(ref, query);

  let position: LinePosition | undefined;
  if (query.cursor !== undefined) {
    // Another engagement's or tenant's cursor, or one of other filters, fails here (InvalidCursorError).
    const cursor = TRANSACTION_LINES_CURSOR.decode(scope, query.cursor);
    if (cursor.importId !== importId) {
      // A version of this engagement that is no longer active: the client must restart.
      const issuedHere = await deps.importStore.getImport({ ...ref, importId: cursor.importId });
      if (issuedHere !== undefined) throw new StaleCursorError(ref, cursor.importId, importId);
      throw new InvalidCursorError("it names no import of this engagement");
    }
    position = cursor.position;
  }

  let page;
  try {
    page = await deps.importStore.readTransactionLines(
      { ...ref, importId },
      {
        ...(query.account !== undefined ? { account: query.account } : {}),
        ...(query.from !== undefined ? { from: query.from } : {}),
        ...(query.to !== undefined ? { to: query.to } : {}),
        ...(query.voucher !== undefined ? { voucher: query.voucher } : {}),
        ...(position !== undefined ? { after: position } : {}),
        limit,
      },
    );
  } catch (error) {
    if (hasErrorCode(error, "STORE_INVALID_CURSOR"))
      throw new InvalidCursorError("the position is not valid", { cause: error });
    if (hasErrorCode(error, "STORE_INVALID_QUERY")) {
      throw new InvalidTransactionQueryError("limit", error.message, { cause: error });
    }
    throw error;
  }
  return {
    importId,
    items: page.items,
    ...(page.next !== undefined
      ? { nextCursor: TRANSACTION_LINES_CURSOR.encode(scope, { importId, position: page.next }) }
      : {}),
  };
}

/**
 * What a cursor is bound to: the engagement (tenant included) and the filters, so that a cursor cannot silently
 * continue another engagement's listing or the same one under other filters.
 */
function cursorScope(ref: EngagementRef, query: TransactionLinesQuery): string[] {
  const filters = JSON.stringify([query.account ?? null, query.from ?? null, query.to ?? null, query.voucher ?? null]);
  return [ref.tenantId, ref.clientId, ref.engagementId, filters];
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00.000Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(text);
}
