import type { Writable } from "node:stream";
import type { LedgerLine } from "../ledger/types.ts";
import type { Locale } from "../presentation/locale.ts";
import { CSV_BOM, csvCell, csvRecords } from "./csvCells.ts";
import { TRANSACTION_LINE_COLUMNS } from "./exportColumns.ts";

/** The header row of a transactions CSV (BOM first), as the first part of a file starts. */
export function transactionLinesCsvHeader(locale: Locale): string {
  return CSV_BOM + csvRecords([TRANSACTION_LINE_COLUMNS.map((column) => column.title[locale])]);
}

/** CSV records of transaction lines (no header): one record per line, amounts with decimal comma, ISO dates. */
export function transactionLinesCsvRecords(lines: readonly LedgerLine[]): string {
  return csvRecords(lines.map((line) => TRANSACTION_LINE_COLUMNS.map((column) => csvCell(column.cell(line)))));
}

/**
 * Streams transaction lines as one CSV file (same dialect as the trial balance: UTF-8 BOM, `;`, decimal comma, CRLF),
 * page by page as they are read, so memory holds one page at a time however many lines there are.
 */
export async function* transactionLinesCsv(
  pages: AsyncIterable<readonly LedgerLine[]>,
  locale: Locale,
): AsyncGenerator<string> {
  yield transactionLinesCsvHeader(locale);
  for await (const page of pages) if (page.length > 0) yield transactionLinesCsvRecords(page);
}

/** Streams transaction lines as an XLSX workbook into `sink`; resolves with the number of lines once it is complete. */
export async function writeTransactionLinesXlsx(
  pages: AsyncIterable<readonly LedgerLine[]>,
  locale: Locale,
  sink: Writable,
  maxRowsPerSheet?: number,
): Promise<number> {
  // exceljs is large: loaded only when a workbook is asked for (CLI start-up, Lambda cold starts).
  const { streamWorkbook } = await import("./xlsxWorkbook.ts");
  return streamWorkbook(
    { name: locale === "nb" ? "Transaksjoner" : "Transactions", columns: TRANSACTION_LINE_COLUMNS },
    pages,
    locale,
    sink,
    maxRowsPerSheet,
  );
}
