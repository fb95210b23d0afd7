import type { LedgerLine } from "../ledger/types.ts";
import type { TrialBalanceRow } from "../ledger/summarizeLedger.ts";
import type { Locale } from "../presentation/locale.ts";
import type { ExportCell } from "./csvCells.ts";

/** One column of an export: its title per locale and how a row fills it. */
export interface ExportColumn<Row> {
  title: Record<Locale, string>;
  /** Column width in a spreadsheet, in characters. */
  width: number;
  /** The kind of cell every row gives (it decides the spreadsheet's number format). */
  kind: ExportCell["kind"];
  cell: (row: Row) => ExportCell;
}

/** What a trial-balance export needs of a row (opening and movement may be unknown: blank cells). */
export type TrialBalanceExportRow = Pick<TrialBalanceRow, "account" | "name"> & {
  opening: TrialBalanceRow["opening"] | null;
  movement: TrialBalanceRow["movement"] | null;
  closing: TrialBalanceRow["closing"];
};

/** The columns of a trial-balance export (saldobalanse), in order. */
export const TRIAL_BALANCE_COLUMNS: readonly ExportColumn<TrialBalanceExportRow>[] = [
  {
    title: { nb: "Konto", en: "Account" },
    width: 10,
    kind: "text",
    cell: (row) => ({ kind: "text", value: row.account }),
  },
  {
    title: { nb: "Kontonavn", en: "Account name" },
    width: 40,
    kind: "text",
    cell: (row) => ({ kind: "text", value: row.name }),
  },
  {
    title: { nb: "Inngående balanse (IB)", en: "Opening balance (IB)" },
    width: 18,
    kind: "amount",
    cell: (row) => ({ kind: "amount", value: row.opening }),
  },
  {
    title: { nb: "Bevegelse", en: "Movement" },
    width: 18,
    kind: "amount",
    cell: (row) => ({ kind: "amount", value: row.movement }),
  },
  {
    title: { nb: "Utgående balanse (UB)", en: "Closing balance (UB)" },
    width: 18,
    kind: "amount",
    cell: (row) => ({ kind: "amount", value: row.closing }),
  },
];

/** The columns of a transactions export: one row per transaction line, with its voucher's fields. */
export const TRANSACTION_LINE_COLUMNS: readonly ExportColumn<LedgerLine>[] = [
  {
    title: { nb: "Bilag", en: "Voucher" },
    width: 12,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.transactionId }),
  },
  // Numbered from 1 within the voucher for people (the JSON's lineNumber counts from 0).
  {
    title: { nb: "Linje", en: "Line" },
    width: 6,
    kind: "integer",
    cell: (line) => ({ kind: "integer", value: line.lineNumber + 1 }),
  },
  { title: { nb: "Dato", en: "Date" }, width: 11, kind: "date", cell: (line) => ({ kind: "date", value: line.date }) },
  {
    title: { nb: "Journal", en: "Journal" },
    width: 10,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.journal }),
  },
  {
    title: { nb: "År", en: "Year" },
    width: 6,
    kind: "integer",
    cell: (line) => ({ kind: "integer", value: line.period?.year }),
  },
  {
    title: { nb: "Periode", en: "Period" },
    width: 8,
    kind: "integer",
    cell: (line) => ({ kind: "integer", value: line.period?.number }),
  },
  {
    title: { nb: "Konto", en: "Account" },
    width: 10,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.account }),
  },
  {
    title: { nb: "Beløp", en: "Amount" },
    width: 16,
    kind: "amount",
    cell: (line) => ({ kind: "amount", value: line.amount }),
  },
  {
    title: { nb: "Linjetekst", en: "Line text" },
    width: 36,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.description }),
  },
  {
    title: { nb: "Bilagstekst", en: "Voucher text" },
    width: 36,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.transactionDescription }),
  },
  {
    title: { nb: "MVA-kode", en: "Tax code" },
    width: 9,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.taxCode }),
  },
  {
    title: { nb: "Kunde", en: "Customer" },
    width: 10,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.customerId }),
  },
  {
    title: { nb: "Leverandør", en: "Supplier" },
    width: 10,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.supplierId }),
  },
  {
    title: { nb: "Valuta", en: "Currency" },
    width: 7,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.currencyAmount?.currency }),
  },
  {
    title: { nb: "Valutabeløp", en: "Currency amount" },
    width: 16,
    kind: "decimal",
    // As the file states it: SAF-T allows more decimals than øre.
    cell: (line) => ({ kind: "decimal", value: line.currencyAmount?.amount }),
  },
  {
    title: { nb: "Dimensjoner", en: "Dimensions" },
    width: 20,
    kind: "text",
    cell: (line) => ({
      kind: "text",
      value: line.dimensions?.length
        ? line.dimensions.map((dimension) => `${dimension.type}:${dimension.id}`).join(", ")
        : undefined,
    }),
  },
  {
    title: { nb: "Post-ID", en: "Record ID" },
    width: 12,
    kind: "text",
    cell: (line) => ({ kind: "text", value: line.recordId }),
  },
];
