import { z } from "zod";
import type { Ore } from "../money/ore.ts";

/** Where in a source file something was found. Lines and columns are 1-based; `offset` is the 0-based byte offset. */
export interface SourceLocation {
  line: number;
  column: number;
  offset?: number;
}

/** How bad an issue is: an `error` makes the figures unreliable, a `warning` asks for a look, `info` only tells. */
export const SeveritySchema = z.enum(["error", "warning", "info"]);
export type Severity = z.infer<typeof SeveritySchema>;

/**
 * One finding of the validation report. `code` is stable (e.g. `SAFT_CLOSING_MISMATCH`) so that clients can act
 * on it; `message` is for people. `amount` is the difference (or the amount concerned) in øre.
 */
export interface Issue {
  severity: Severity;
  code: string;
  message: string;
  account?: string;
  amount?: Ore;
  transactionId?: string;
  /** The field concerned, as a path into the record (e.g. `account.name`, `transaction.lines[2].description`). */
  field?: string;
  location?: SourceLocation;
  /**
   * Set by the activation gate on an error about a column the engagement's source plan does not take from this
   * import (lib/imports/activationRules.ts, ERROR_CODES_BY_COLUMN): the issue does not affect the figures people see —
   * the opening comes from `openingFrom`, the closing is computed (opening + movement).
   */
  unusedByPlan?: { column: "opening" | "closing"; openingFrom: "prior" | "file" | "api" | "none" };
}

/** The company the figures belong to. Org numbers are kept as the file states them, digits only when possible. */
export interface Company {
  orgNumber?: string;
  name?: string;
}

/** An accounting period, ISO dates inclusive. */
export interface Period {
  start: string;
  end: string;
}

/** How an account maps to the standard charts: SAF-T StandardAccountID or GroupingCategory+GroupingCode, SIE #SRU. */
export interface AccountMapping {
  standardAccountId?: string;
  groupingCategory?: string;
  groupingCode?: string;
  sru?: string;
  /** SIE #KTYP: T asset, S liability/equity, K cost, I income; SAF-T AccountType (GL). */
  accountType?: string;
}

/**
 * An account of the chart with the balances the file states. `opening`/`closing` are undefined when the file
 * does not state them (e.g. a CSV with only a closing column, or SIE result accounts without #IB).
 * `prior` holds prior-year figures when the file carries them (SIE year −1).
 */
export interface Account {
  id: string;
  name: string;
  mapping: AccountMapping;
  opening?: Ore;
  closing?: Ore;
  /** Movement the file states directly (CSV movement column). Transactions, when present, take precedence. */
  movement?: Ore;
  prior?: { opening?: Ore; closing?: Ore };
  /**
   * Set when `closing` is 0 because the file leaves the balance out, not because a record says 0.00: SIE 4B §5.17
   * lets a writer omit zero balances, so an account with an opening (#IB) and no #UB/#RES closes at 0.
   */
  impliedClosing?: true;
  location?: SourceLocation;
}

/** Customer or supplier balance on one general-ledger account (SAF-T 1.30 BalanceAccount, or 1.20 AccountID+balances). */
export interface PartyBalance {
  account?: string;
  opening?: Ore;
  closing?: Ore;
}

export interface Party {
  kind: "customer" | "supplier";
  id: string;
  name: string;
  orgNumber?: string;
  balances: PartyBalance[];
  location?: SourceLocation;
}

/** A dimension (SAF-T Analysis, SIE object) on a line: type and id, e.g. `{type: "1", id: "456"}` (SIE cost centre). */
export interface Dimension {
  type: string;
  id: string;
}

/** An amount in a foreign currency as the file states it (decimal string; SAF-T 1.40 allows up to 18 decimals). */
export interface CurrencyAmount {
  currency: string;
  amount: string;
  exchangeRate?: string;
}

export interface TransactionLine {
  recordId?: string;
  account: string;
  /** Net amount in the default currency: debit positive, credit negative. */
  amount: Ore;
  /**
   * The side the file put the amount on, when the format says so (SAF-T DebitAmount/CreditAmount). Needed because
   * negative amounts occur on either side and control totals (SAF-T TotalDebit/TotalCredit) sum by side, not by sign.
   * When absent, the side follows the sign.
   */
  side?: "debit" | "credit";
  description?: string;
  currencyAmount?: CurrencyAmount;
  taxCode?: string;
  customerId?: string;
  supplierId?: string;
  dimensions?: Dimension[];
  /** Line date when the format gives one that differs from the voucher date (SIE #TRANS transdat, SAF-T ValueDate). */
  date?: string;
  quantity?: string;
}

/** A voucher / journal entry (SAF-T Transaction, SIE #VER) with its lines. */
export interface Transaction {
  id: string;
  /** SAF-T JournalID or SIE voucher series. */
  journal?: string;
  date: string;
  /** Accounting period, when the file states it (SAF-T Period/PeriodYear). */
  period?: { year: number; number: number };
  description?: string;
  voucherType?: string;
  /** Date the entry was registered (SAF-T SystemEntryDate, SIE regdatum). */
  entryDate?: string;
  lines: TransactionLine[];
  location?: SourceLocation;
}

/**
 * One general-ledger line as stored and served (`GET …/transactions` returns one item per line): a
 * {@link TransactionLine} with the fields of its {@link Transaction}. `date` is the voucher's date (date-range reads
 * select vouchers by the date they were booked on); what only the parse needs — the line's side, its own date and its
 * quantity — is not kept.
 */
export type LedgerLine = Omit<TransactionLine, "side" | "date" | "quantity"> &
  Pick<Transaction, "journal" | "date" | "period"> & {
    transactionId: Transaction["id"];
    /** 0-based position of the line within its transaction. */
    lineNumber: number;
    transactionDescription?: Transaction["description"];
  };

/** Control totals a file declares about itself (SAF-T GeneralLedgerEntries header). */
export interface ControlTotals {
  numberOfEntries?: number;
  totalDebit?: Ore;
  totalCredit?: Ore;
  location?: SourceLocation;
}

/** The file formats saldo reads. */
export const FileFormatSchema = z.enum(["saft", "sie", "csv"]);
export type FileFormat = z.infer<typeof FileFormatSchema>;

/**
 * How an import's figures were read: a file format, or the accounting system whose API they were pulled from. The one
 * list the zod enums of stored items and JSON answers use.
 */
export const SourceFormatSchema = z.enum([...FileFormatSchema.options, "poweroffice-go", "tripletex"]);
export type SourceFormat = z.infer<typeof SourceFormatSchema>;

/** A format's name for people: `SAF-T`, `SIE`, `CSV`, `PowerOffice Go`, `Tripletex`. */
export function formatLabel(format: SourceFormat): string {
  return { saft: "SAF-T", sie: "SIE", csv: "CSV", "poweroffice-go": "PowerOffice Go", tripletex: "Tripletex" }[format];
}

/**
 * What a file says about itself. Parsers emit it once, before any account or transaction; an API sync makes one from
 * what the accounting system says about the company (format: the system).
 */
export interface FileHeader {
  format: SourceFormat;
  formatVersion: string;
  /** The character encoding actually used to read the file (e.g. `utf-8`, `windows-1252`, `cp865`). */
  encoding: string;
  company: Company;
  period?: Period;
  /** Prior fiscal year, when the file carries one (SIE #RAR −1). */
  priorPeriod?: Period;
  /**
   * ISO 4217 code of the amounts, as the file states it (SAF-T DefaultCurrencyCode, SIE #VALUTA) or as the format
   * defines it when unstated (SIE: SEK, only for a Swedish company). Absent when the file does not state its
   * currency (a Norwegian SIE file without #VALUTA): then the header carries no currency, never a guess.
   */
  currency?: string;
  software?: { name?: string; version?: string };
  createdAt?: string;
}
