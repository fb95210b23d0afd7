import type { Account, Dimension, Issue, Transaction, TransactionLine } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import { plainDecimalText } from "../amounts.ts";
import type { GeneralLedgerAccountTypeSchema } from "./schemas.ts";
import type { z } from "zod";

/**
 * Mapping PowerOffice Go's DTOs (amounts already in øre, see schemas.ts) to saldo's ledger records, the ones the file
 * parsers yield: one account record per general-ledger account with the opening and closing the API's trial balance
 * states, one transaction per voucher with its postings as lines.
 */

export type PowerOfficeAccountType = z.infer<typeof GeneralLedgerAccountTypeSchema>;

/** An AccountTransactionDto after validation (amounts in øre). */
export interface PostingRow {
  Id: number;
  AccountNo: number;
  Amount: Ore;
  CurrencyAmount?: number | null | undefined;
  CurrencyCode?: string | null | undefined;
  PostingDate: string;
  VoucherDate?: string | null | undefined;
  VoucherNo: number;
  VoucherId: string;
  VoucherType?: string | null | undefined;
  Description?: string | null | undefined;
  VoucherDescription?: string | null | undefined;
  VatCode?: string | null | undefined;
  CustomerAccountNo?: number | null | undefined;
  SupplierAccountNo?: number | null | undefined;
  DepartmentCode?: string | null | undefined;
  ProjectCode?: string | null | undefined;
  Dim1Code?: string | null | undefined;
  Dim2Code?: string | null | undefined;
  Dim3Code?: string | null | undefined;
  CreatedDateTimeOffset?: string | null | undefined;
  LastChangedDateTimeOffset?: string | null | undefined;
}

/** One line of a voucher. */
export function lineOf(row: PostingRow, clientCurrency: string, voucherDate: string): TransactionLine {
  const dimensions: Dimension[] = [];
  if (row.DepartmentCode) dimensions.push({ type: "department", id: row.DepartmentCode });
  if (row.ProjectCode) dimensions.push({ type: "project", id: row.ProjectCode });
  if (row.Dim1Code) dimensions.push({ type: "dim1", id: row.Dim1Code });
  if (row.Dim2Code) dimensions.push({ type: "dim2", id: row.Dim2Code });
  if (row.Dim3Code) dimensions.push({ type: "dim3", id: row.Dim3Code });
  const foreign =
    row.CurrencyCode &&
    row.CurrencyCode !== clientCurrency &&
    row.CurrencyAmount !== undefined &&
    row.CurrencyAmount !== null;
  return {
    recordId: String(row.Id),
    account: String(row.AccountNo),
    amount: row.Amount,
    ...(row.Description ? { description: row.Description } : {}),
    ...(foreign
      ? { currencyAmount: { currency: row.CurrencyCode!, amount: plainDecimalText(row.CurrencyAmount!) } }
      : {}),
    ...(row.VatCode ? { taxCode: row.VatCode } : {}),
    ...(row.CustomerAccountNo !== undefined && row.CustomerAccountNo !== null
      ? { customerId: String(row.CustomerAccountNo) }
      : {}),
    ...(row.SupplierAccountNo !== undefined && row.SupplierAccountNo !== null
      ? { supplierId: String(row.SupplierAccountNo) }
      : {}),
    ...(dimensions.length > 0 ? { dimensions } : {}),
    ...(row.PostingDate !== voucherDate ? { date: row.PostingDate } : {}),
  };
}

/** A voucher from its postings (all with the same VoucherId). */
export function transactionOf(rows: readonly PostingRow[], clientCurrency: string): Transaction {
  const first = rows[0]!;
  const date = first.VoucherDate ?? first.PostingDate;
  const description = first.VoucherDescription ?? rows.find((row) => row.Description)?.Description ?? undefined;
  const created = first.CreatedDateTimeOffset?.slice(0, 10);
  return {
    id: String(first.VoucherNo),
    date,
    ...(description ? { description } : {}),
    ...(first.VoucherType ? { voucherType: first.VoucherType } : {}),
    ...(created && /^\d{4}-\d{2}-\d{2}$/.test(created) ? { entryDate: created } : {}),
    lines: rows.map((row) => lineOf(row, clientCurrency, date)),
  };
}

/**
 * Groups a stream of postings into vouchers: consecutive postings with the same VoucherId make one voucher (the API
 * lists a voucher's postings together). A voucher seen again later in the same window is reported, not merged: its
 * lines still count, and the voucher-balance check shows the split.
 */
export async function* vouchersOf(
  pages: AsyncIterable<readonly PostingRow[]>,
  clientCurrency: string,
  onSplitVoucher: (voucherNo: number) => void,
): AsyncGenerator<Transaction> {
  let pending: PostingRow[] = [];
  const seen = new Set<string>();
  for await (const page of pages) {
    for (const row of page) {
      if (pending.length > 0 && pending[0]!.VoucherId !== row.VoucherId) {
        seen.add(pending[0]!.VoucherId);
        yield transactionOf(pending, clientCurrency);
        pending = [];
      }
      if (pending.length === 0 && seen.has(row.VoucherId)) onSplitVoucher(row.VoucherNo);
      pending.push(row);
    }
  }
  if (pending.length > 0) yield transactionOf(pending, clientCurrency);
}

/**
 * Whether an account's balance belongs to the result (P&L): Income/Expense accounts; Asset/Liability ones do not;
 * Equity or no type by the NS 4102 number (3000–8999), since 8800 Årsresultat and 8960 Overføringer annen egenkapital
 * are typed as equity in some charts but restart with the result accounts.
 */
export function isResultAccount(accountNo: number, type: PowerOfficeAccountType | null | undefined): boolean {
  if (type === "Income" || type === "Expense") return true;
  if (type === "Asset" || type === "Liability") return false;
  return accountNo >= 3000 && accountNo <= 8999;
}

/** SAF-T-like account type for the mapping (PowerOffice gives no SAF-T standard account or grouping code). */
export function accountMappingOf(type: PowerOfficeAccountType | null | undefined): Account["mapping"] {
  return type ? { accountType: type } : {};
}

/** How a result account's balances in `/TrialBalance` behave across fiscal years (apis.md: UNCONFIRMED). */
export type ResultBalanceMode = "restart" | "cumulative";

/** Per-account figures a pull collected, to decide the opening and closing of each account. */
export interface AccountFigures {
  accountNo: number;
  name: string;
  type?: PowerOfficeAccountType | null;
  /** Trial balance at the day before the period. */
  before: Ore;
  /** Trial balance at the period's last day. */
  atEnd: Ore;
  /** Σ of the period's postings. */
  movement: Ore;
}

/**
 * The result-account mode the figures show, for a period that starts a fiscal year: restarting balances make
 * `atEnd = movement`; cumulative ones `atEnd − before = movement`. Undefined when nothing tells (no result account
 * had a balance before the period). The mode most accounts agree with wins.
 */
export function detectResultBalanceMode(figures: Iterable<AccountFigures>): ResultBalanceMode | undefined {
  let restart = 0;
  let cumulative = 0;
  for (const figure of figures) {
    if (!isResultAccount(figure.accountNo, figure.type) || figure.before === 0n) continue;
    if (figure.atEnd === figure.movement) restart++;
    else if (figure.atEnd - figure.before === figure.movement) cumulative++;
  }
  if (restart === 0 && cumulative === 0) return undefined;
  return cumulative > restart ? "cumulative" : "restart";
}

/**
 * The account record of one account. Balance-sheet accounts: IB = balance at the day before the period, UB = at its
 * last day. Result accounts when the period starts the fiscal year: IB = 0 and UB = the year's balance (the trial
 * balance at the end, less the balance before when result balances are cumulative). The import's summarizer then
 * reconciles IB + Σ postings = UB per account and reports any difference (`CLOSING_MISMATCH`).
 */
export function accountOf(figure: AccountFigures, startsFiscalYear: boolean, mode: ResultBalanceMode): Account {
  const result = isResultAccount(figure.accountNo, figure.type);
  let opening = figure.before;
  let closing = figure.atEnd;
  if (result && startsFiscalYear) {
    opening = 0n;
    closing = mode === "cumulative" ? figure.atEnd - figure.before : figure.atEnd;
  }
  return {
    id: String(figure.accountNo),
    name: figure.name,
    mapping: accountMappingOf(figure.type),
    opening,
    closing,
  };
}

/** The info issue saying how result balances were read, when the API's behaviour was inferred. */
export function resultModeIssue(mode: ResultBalanceMode): Issue {
  return {
    severity: "info",
    code: "POWEROFFICE_RESULT_BALANCES_CUMULATIVE",
    message:
      mode === "cumulative"
        ? "PowerOffice Go's trial balance carried result accounts over from earlier fiscal years: their opening was set to 0 and their closing to the year's own balance (checked against the postings)"
        : "result accounts restart at the fiscal year in PowerOffice Go's trial balance",
  };
}
