import type { TransactionQuery } from "../imports/ports.ts";
import type { LedgerLine, Transaction } from "../ledger/types.ts";
import { StoreInvalidQueryError } from "./errors.ts";

/**
 * Flattens a transaction (voucher) into the lines the store keeps and serves, in line order.
 *
 * `date` is the voucher date (SAF-T TransactionDate, SIE #VER verdatum) for every line: date-range reads select
 * vouchers by the date they were booked on, as the period filters of a ledger report do. The line-level fields the
 * LedgerLine (lib/ledger/types.ts) does not carry (SAF-T DebitAmount/CreditAmount side, quantity, value date) are not stored.
 */
export function toLedgerLines(transaction: Transaction): LedgerLine[] {
  return transaction.lines.map((line, lineNumber) => {
    const ledgerLine: LedgerLine = {
      transactionId: transaction.id,
      lineNumber,
      date: transaction.date,
      account: line.account,
      amount: line.amount,
    };
    if (transaction.journal !== undefined) ledgerLine.journal = transaction.journal;
    if (transaction.period !== undefined) ledgerLine.period = { ...transaction.period };
    if (transaction.description !== undefined) ledgerLine.transactionDescription = transaction.description;
    if (line.description !== undefined) ledgerLine.description = line.description;
    if (line.currencyAmount !== undefined) ledgerLine.currencyAmount = { ...line.currencyAmount };
    if (line.taxCode !== undefined) ledgerLine.taxCode = line.taxCode;
    if (line.customerId !== undefined) ledgerLine.customerId = line.customerId;
    if (line.supplierId !== undefined) ledgerLine.supplierId = line.supplierId;
    if (line.dimensions !== undefined) ledgerLine.dimensions = line.dimensions.map((dimension) => ({ ...dimension }));
    if (line.recordId !== undefined) ledgerLine.recordId = line.recordId;
    return ledgerLine;
  });
}

/** Whether a line passes the filters of `query` (account, inclusive date range, voucher). */
export function lineMatches(line: LedgerLine, query: TransactionQuery): boolean {
  if (query.account !== undefined && line.account !== query.account) return false;
  if (query.voucher !== undefined && line.transactionId !== query.voucher) return false;
  if (query.from !== undefined && line.date < query.from) return false;
  if (query.to !== undefined && line.date > query.to) return false;
  return true;
}

/** Rejects queries no store can answer: a page must hold at least one line. */
export function assertValidQuery(query: TransactionQuery): void {
  assertValidLimit(query.limit);
}

/** A page size the stores answer: a whole number ≥ 1 (StoreInvalidQueryError otherwise). */
export function assertValidLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new StoreInvalidQueryError(`limit must be a whole number ≥ 1, got ${String(limit)}`, {
      context: { limit },
    });
  }
}
