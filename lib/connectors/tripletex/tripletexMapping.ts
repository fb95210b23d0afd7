import type { Account, Dimension, Transaction, TransactionLine } from "../../ledger/types.ts";
import { formatOre } from "../../money/ore.ts";
import type { TripletexAccount, TripletexBalanceSheetAccount, TripletexPosting } from "./schemas.ts";

/**
 * Tripletex → saldo's records, the same domain model the file parsers produce. Amounts are already øre: the response
 * schemas convert them once, at the boundary (see schemas.ts).
 */

/**
 * One account of the chart with its figures from `/balanceSheet` over the period: `balanceIn` is the opening (IB),
 * `balanceOut` the closing (UB), `balanceChange` the movement the API states (the summarizer compares it with the
 * postings). The figures are reported as the API gives them, never corrected: a wrong IB is for reconciliation to
 * find (Σ IB ≠ 0 shows as `OPENING_NOT_BALANCED`). An account of the chart the balance sheet does not list gets no
 * stated figures (its postings, if any, make its movement).
 */
export function toAccount(
  account: TripletexAccount | undefined,
  balance: TripletexBalanceSheetAccount | undefined,
): Account {
  const number = account?.number ?? balance!.account.number;
  const id = String(number);
  const name = account?.name ?? balance?.account.name ?? "";
  const mapping: Account["mapping"] = {};
  if (account?.saftCode) mapping.standardAccountId = account.saftCode;
  if (account?.groupingCode) mapping.groupingCode = account.groupingCode;
  if (account?.type) mapping.accountType = account.type;
  const result: Account = { id, name, mapping };
  if (balance) {
    result.opening = balance.balanceIn;
    result.movement = balance.balanceChange;
    result.closing = balance.balanceOut;
  }
  return result;
}

/** The voucher's number as people know it in Tripletex, "number-year" (e.g. `123-2025`); else its internal id. */
export function voucherId(voucher: TripletexPosting["voucher"]): string {
  if (voucher.number && voucher.year) return `${voucher.number}-${voucher.year}`;
  return `id-${voucher.id}`;
}

function dimensionsOf(posting: TripletexPosting): Dimension[] | undefined {
  const dimensions: Dimension[] = [];
  const department = posting.department;
  if (department?.departmentNumber || department?.id)
    dimensions.push({ type: "department", id: department.departmentNumber || String(department.id) });
  const project = posting.project;
  if (project?.number || project?.id) dimensions.push({ type: "project", id: project.number || String(project.id) });
  const free = [posting.freeAccountingDimension1, posting.freeAccountingDimension2, posting.freeAccountingDimension3];
  free.forEach((value, index) => {
    if (value?.number || value?.id)
      dimensions.push({ type: `dimension${index + 1}`, id: value.number || String(value.id) });
  });
  return dimensions.length > 0 ? dimensions : undefined;
}

/** One posting → one transaction line. */
export function toLine(posting: TripletexPosting, currency: string): TransactionLine {
  const line: TransactionLine = {
    recordId: String(posting.id),
    account: String(posting.account.number),
    amount: posting.amount,
  };
  if (posting.description) line.description = posting.description;
  const code = posting.currency?.code;
  if (code && code !== currency && posting.amountCurrency !== null && posting.amountCurrency !== undefined) {
    line.currencyAmount = { currency: code, amount: formatOre(posting.amountCurrency) };
  }
  if (posting.vatType?.number) line.taxCode = posting.vatType.number;
  const customer = posting.customer;
  if (customer?.customerNumber || customer?.id) line.customerId = String(customer.customerNumber || customer.id);
  const supplier = posting.supplier;
  if (supplier?.supplierNumber || supplier?.id) line.supplierId = String(supplier.supplierNumber || supplier.id);
  const dimensions = dimensionsOf(posting);
  if (dimensions) line.dimensions = dimensions;
  return line;
}

/**
 * The postings of one voucher (in any order) → one transaction, lines in Tripletex's row order. The voucher's date
 * is its first posting's; a posting dated otherwise keeps its own date on the line.
 */
export function toTransaction(postings: readonly TripletexPosting[], currency: string): Transaction {
  const sorted = [...postings].sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || a.id - b.id);
  const first = sorted[0]!;
  const voucher = first.voucher;
  const transaction: Transaction = {
    id: voucherId(voucher),
    date: first.date,
    lines: sorted.map((posting) => {
      const line = toLine(posting, currency);
      if (posting.date !== first.date) line.date = posting.date;
      return line;
    }),
  };
  const description = voucher.description || sorted.find((posting) => posting.description)?.description;
  if (description) transaction.description = description;
  if (voucher.voucherType?.name) transaction.voucherType = voucher.voucherType.name;
  return transaction;
}
