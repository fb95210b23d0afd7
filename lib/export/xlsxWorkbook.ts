import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { formatOre, type Ore } from "../money/ore.ts";
import type { Locale } from "../presentation/locale.ts";
import type { ExportCell } from "./csvCells.ts";
import { AmountNotExactInSpreadsheetError } from "./errors.ts";
import type { ExportColumn } from "./exportColumns.ts";

/*
 * XLSX through exceljs: real numeric cells with number formats (not text), dates as date cells, the header row
 * frozen and filterable. Number formats in XLSX are locale-independent codes: `#,##0.00` shows `1 234,50` in a
 * Norwegian Excel and `1,234.50` in an English one.
 */

/** Display format of amount cells. */
export const AMOUNT_NUMBER_FORMAT = "#,##0.00;-#,##0.00";
/** Display format of date cells per locale. */
export const DATE_NUMBER_FORMAT: Record<Locale, string> = { nb: "dd.mm.yyyy", en: "yyyy-mm-dd" };
/** Rows of one worksheet, header included (Excel's limit); longer exports continue on the next sheet. */
export const XLSX_MAX_ROWS_PER_SHEET = 1_048_576;

/** Largest øre amount whose decimal value fits in 15 significant digits, the precision spreadsheets keep. */
const MAX_EXACT_ORE = 10n ** 15n - 1n;

/** What one sheet holds. */
export interface SheetSpec<Row> {
  name: string;
  columns: readonly ExportColumn<Row>[];
  /** A total row under the data: the label in `labelColumn`, SUM formulas (with their values) under amount columns. */
  total?: { label: string; labelColumn: number };
}

/** An amount as a spreadsheet number, exact to the øre: refused when it has more than 15 digits. */
export function spreadsheetAmount(ore: Ore): number {
  if (ore > MAX_EXACT_ORE || ore < -MAX_EXACT_ORE) throw new AmountNotExactInSpreadsheetError(formatOre(ore));
  return Number(formatOre(ore));
}

function cellValue(cell: ExportCell): ExcelJS.CellValue {
  switch (cell.kind) {
    case "text":
      return cell.value ?? null;
    case "amount":
      return cell.value === null || cell.value === undefined ? null : spreadsheetAmount(cell.value);
    case "integer":
      return cell.value ?? null;
    case "decimal": {
      if (cell.value === undefined) return null;
      // A number when it survives the round trip exactly, else the text as stated.
      const number = Number(cell.value);
      return Number.isFinite(number) && sameDecimal(String(number), cell.value) ? number : cell.value;
    }
    case "date":
      return cell.value === undefined ? null : new Date(`${cell.value}T00:00:00.000Z`);
  }
}

function sameDecimal(a: string, b: string): boolean {
  const normal = (text: string) => {
    const [whole = "", fraction = ""] = text.replace(/^\+/, "").split(".");
    const sign = whole.startsWith("-") ? "-" : "";
    const digits = whole.replace(/^-/, "").replace(/^0+(?=\d)/, "");
    const decimals = fraction.replace(/0+$/, "");
    return `${sign}${digits}${decimals ? `.${decimals}` : ""}`.replace(/^-0$/, "0");
  };
  return normal(a) === normal(b);
}

/** The header row stays in view when scrolling. */
const SHEET_OPTIONS: Partial<ExcelJS.AddWorksheetOptions> = { views: [{ state: "frozen", ySplit: 1 }] };

function configureSheet<Row>(sheet: ExcelJS.Worksheet, spec: SheetSpec<Row>, locale: Locale): void {
  sheet.columns = spec.columns.map((column) => {
    const { kind } = column;
    const numFmt = kind === "amount" ? AMOUNT_NUMBER_FORMAT : kind === "date" ? DATE_NUMBER_FORMAT[locale] : undefined;
    return { header: column.title[locale], width: column.width, ...(numFmt ? { style: { numFmt } } : {}) };
  });
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: spec.columns.length } };
}

/** A whole workbook in memory (small exports: a trial balance has one row per account). */
export async function writeWorkbook<Row>(
  spec: SheetSpec<Row>,
  rows: readonly Row[],
  locale: Locale,
): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "saldo";
  const sheet = workbook.addWorksheet(spec.name, SHEET_OPTIONS);
  configureSheet(sheet, spec, locale);
  for (const row of rows) sheet.addRow(spec.columns.map((column) => cellValue(column.cell(row))));
  if (spec.total) {
    const values: ExcelJS.CellValue[] = spec.columns.map((column, index) => {
      if (index === spec.total!.labelColumn) return spec.total!.label;
      if (column.kind !== "amount") return null;
      let sum = 0n;
      for (const row of rows) {
        const cell = column.cell(row);
        if (cell.kind !== "amount") continue;
        // A total over an unknown figure is unknown (a closing-only file's opening and movement): a blank cell.
        if (cell.value === null || cell.value === undefined) return null;
        sum += cell.value;
      }
      const letter = sheet.getColumn(index + 1).letter;
      return { formula: `SUM(${letter}2:${letter}${rows.length + 1})`, result: spreadsheetAmount(sum) };
    });
    const total = sheet.addRow(values);
    total.font = { bold: true };
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/**
 * Streams a workbook to `sink` as pages of rows arrive (exceljs' streaming writer: rows are committed and leave
 * memory as they are written), continuing on a new sheet `<name> (2)` … when one is full. Resolves with the number of
 * rows written once the file is complete.
 */
export async function streamWorkbook<Row>(
  spec: SheetSpec<Row>,
  pages: AsyncIterable<readonly Row[]>,
  locale: Locale,
  sink: Writable,
  maxRowsPerSheet = XLSX_MAX_ROWS_PER_SHEET,
): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  workbook.creator = "saldo";
  let sheetNumber = 1;
  let sheet = workbook.addWorksheet(spec.name, SHEET_OPTIONS);
  configureSheet(sheet, spec, locale);
  sheet.getRow(1).commit();
  let rowsInSheet = 1;
  let written = 0;
  for await (const page of pages) {
    for (const row of page) {
      if (rowsInSheet >= maxRowsPerSheet) {
        sheet.commit();
        sheetNumber += 1;
        sheet = workbook.addWorksheet(`${spec.name} (${sheetNumber})`, SHEET_OPTIONS);
        configureSheet(sheet, spec, locale);
        sheet.getRow(1).commit();
        rowsInSheet = 1;
      }
      sheet.addRow(spec.columns.map((column) => cellValue(column.cell(row)))).commit();
      rowsInSheet += 1;
      written += 1;
    }
  }
  sheet.commit();
  await workbook.commit();
  return written;
}
