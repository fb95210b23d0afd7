import { stringify } from "csv-stringify/sync";
import { formatOre, type Ore } from "../money/ore.ts";

/*
 * The CSV dialect of every export, chosen so that Excel and Numbers with Norwegian settings open the file right by a
 * double click: `;` between cells, decimal comma, no thousands separator inside cells, `-` for negatives (what
 * spreadsheets parse as a number), UTF-8 with a byte-order mark (without it Excel reads the file as Windows-1252 and
 * garbles æ, ø, å), CRLF between records, RFC 4180 quoting (a cell with `;`, `"`, CR or LF is quoted, `"` doubled).
 */

/** The UTF-8 byte-order mark that makes Excel read the file as UTF-8. */
export const CSV_BOM = "\ufeff";

/** One cell of an export row: text, an amount in øre, a whole number, or nothing (blank). */
export type ExportCell =
  | { kind: "text"; value: string | undefined }
  | { kind: "amount"; value: Ore | null | undefined }
  | { kind: "integer"; value: number | undefined }
  /** A decimal string with any number of decimals (`-12.3456`), as a file states a foreign-currency amount. */
  | { kind: "decimal"; value: string | undefined }
  | { kind: "date"; value: string | undefined };

/** An amount as a CSV cell: `-1234,50`; blank when unknown. */
export function csvAmount(ore: Ore | null | undefined): string {
  return ore === null || ore === undefined ? "" : formatOre(ore).replace(".", ",");
}

/**
 * Text as a CSV cell. A text starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`, so that a spreadsheet
 * shows it as text instead of running it as a formula (CSV injection: names and descriptions come from uploaded
 * files). A text that already starts with such `'`s before one of those characters gets one too, so the guard is
 * always the one `'` a reader removes (`'-` is written `''-`). Figures are never text cells, so a negative amount keeps
 * its `-`.
 */
export function csvText(text: string | undefined): string {
  if (text === undefined) return "";
  return /^'*[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One cell's CSV text. Dates stay ISO (YYYY-MM-DD), which spreadsheets read as dates in every locale. */
export function csvCell(cell: ExportCell): string {
  switch (cell.kind) {
    case "text":
      return csvText(cell.value);
    case "amount":
      return csvAmount(cell.value);
    case "integer":
      return cell.value === undefined ? "" : String(cell.value);
    case "decimal":
      return cell.value === undefined ? "" : cell.value.replace(".", ",");
    case "date":
      return cell.value ?? "";
  }
}

/** CSV records (CRLF-terminated) for rows of cell texts, quoted as RFC 4180 requires. */
export function csvRecords(rows: readonly (readonly string[])[]): string {
  return stringify(rows as string[][], { delimiter: ";", record_delimiter: "\r\n", quoted_match: /[\r\n]/ });
}
