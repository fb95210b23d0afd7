import type { Locale } from "../presentation/locale.ts";
import { CSV_BOM, csvCell, csvRecords } from "./csvCells.ts";
import { TRIAL_BALANCE_COLUMNS, type TrialBalanceExportRow } from "./exportColumns.ts";
import type { SheetSpec } from "./xlsxWorkbook.ts";

/**
 * The trial balance as a CSV file (README, "Export"): UTF-8 with BOM, `;`, decimal comma, CRLF, a header row in the
 * locale's language, one record per account, opening and movement blank when unknown. No total row: the file is data
 * for a spreadsheet, which sums it itself.
 */
export function trialBalanceCsv(rows: readonly TrialBalanceExportRow[], locale: Locale): string {
  const header = TRIAL_BALANCE_COLUMNS.map((column) => column.title[locale]);
  const records = rows.map((row) => TRIAL_BALANCE_COLUMNS.map((column) => csvCell(column.cell(row))));
  return CSV_BOM + csvRecords([header, ...records]);
}

/** The trial balance as an XLSX workbook: numeric amount cells with a number format, and a labelled total row. */
export async function trialBalanceXlsx(rows: readonly TrialBalanceExportRow[], locale: Locale): Promise<Uint8Array> {
  const sheet: SheetSpec<TrialBalanceExportRow> = {
    name: locale === "nb" ? "Saldobalanse" : "Trial balance",
    columns: TRIAL_BALANCE_COLUMNS,
    total: { label: locale === "nb" ? "Sum saldobalanse" : "Total trial balance", labelColumn: 1 },
  };
  // exceljs is large: loaded only when a workbook is asked for (CLI start-up, Lambda cold starts).
  const { writeWorkbook } = await import("./xlsxWorkbook.ts");
  return writeWorkbook(sheet, rows, locale);
}
