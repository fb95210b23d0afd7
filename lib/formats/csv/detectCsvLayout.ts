import { CsvError, type Options } from "csv-parse";
import { parse } from "csv-parse/sync";
import type { Company, Period } from "../../ledger/types.ts";
import { AmbiguousLayoutError, MalformedInputError } from "../errors.ts";
import { classifyHeaderCell, COLUMN_ROLES, normalizeHeaderText, type ColumnRole } from "./classifyHeaderCell.ts";
import type { CsvColumnReference, CsvLayout } from "./CsvLayoutSchema.ts";
import { CsvLayoutOptionError } from "./errors.ts";
import { parseAccountCell } from "./parseAccountCell.ts";
import { decimalEvidence, isBlankAmount, parseCsvAmount, type DecimalSeparator } from "./parseCsvAmount.ts";
import { countLineBreaks, csvParseOptions, type CsvRecord } from "./readCsvRecords.ts";

export type CsvDelimiter = ";" | "," | "\t";

/** How many characters of decoded text the layout is detected from: a fixed prefix, so chunking cannot change it. */
export const LAYOUT_SAMPLE_CHARS = 64 * 1024;
/** Header rows are looked for among this many records before the first account row (report preambles are short). */
const MAX_PREAMBLE_RECORDS = 100;

/** Every role but the account and its name holds an amount. */
const AMOUNT_ROLES: readonly ColumnRole[] = COLUMN_ROLES.filter((role) => role !== "account" && role !== "name");

/** The layout of a CSV trial balance, decided from the head sample and the explicit options. */
export interface ResolvedCsvLayout {
  delimiter: CsvDelimiter;
  decimal: DecimalSeparator;
  /** Whether the decimal separator was given, seen in the amounts, or assumed because every amount is an integer. */
  decimalSource: "explicit" | "detected" | "assumed";
  /** 1-based line of the header row; `undefined` when the file has none. */
  headerLine: number | undefined;
  /** 0-based column index per role. */
  columns: Partial<Record<ColumnRole, number>>;
  /** Header cells that were not used (unknown, prior-year, budget, dimension columns), for an info issue. */
  unusedHeaderCells: { column: number; text: string }[];
  /**
   * Rows of the sample with an account number whose amount cells all read as amounts (or are blank), at least one
   * not blank: how well the layout fits the file (0 means it reads nothing, e.g. a remembered layout from another
   * exporter).
   */
  sampleAccountRows: number;
  company: Company;
  period?: Period;
}

const DELIMITER_NAMES: Record<CsvDelimiter, string> = { ";": "semicolon", ",": "comma", "\t": "tab" };

/** `semicolon/decimal-comma/header`: the dialect as the header record's `formatVersion`. */
export function describeDialect(layout: ResolvedCsvLayout): string {
  return `${DELIMITER_NAMES[layout.delimiter]}/${layout.decimal === "," ? "decimal-comma" : "decimal-point"}/${
    layout.headerLine === undefined ? "no-header" : "header"
  }`;
}

/** How to override detection, appended to every {@link AmbiguousLayoutError} message: where the layout can be given. */
export const EXPLICIT_LAYOUT_HELP =
  "Pass the layout explicitly: `saldo inspect <file>` and `saldo upload <file>` take " +
  '--columns account=0,name=1,closing=2 --delimiter ";" --decimal "," (and --header-row 3 or --header-row none); ' +
  'the uploads API (POST …/engagements/{engagementId}/uploads) takes the same as "layout": {"delimiter": ";", ' +
  '"decimal": ",", "headerRow": 3 | "none", "columns": {"account": 0, "name": 1, "closing": 2}}. Columns are 0-based ' +
  "indexes or header texts; amount roles: opening, movement, closing, debit, credit, openingDebit, openingCredit, " +
  "movementDebit, movementCredit, closingDebit, closingCredit. An upload's layout is remembered for the client.";

function ambiguous(detail: string, fileName: string | undefined, line?: number): AmbiguousLayoutError {
  return new AmbiguousLayoutError(`${detail}. ${EXPLICIT_LAYOUT_HELP}`, {
    fileName,
    location: line === undefined ? undefined : { line, column: 1 },
  });
}

/**
 * Records wider than this are not looked at for the layout (a trial balance has a handful of columns): a hostile
 * line of tens of thousands of cells then costs one pass, not one classification per cell and candidate delimiter.
 */
const MAX_LAYOUT_COLUMNS = 256;

/**
 * Parses the sample with csv-parse, in one pass, and numbers the records by the line they start on. A quoted field
 * still open at the end (the sample was cut inside it, or the file never closes it) does not lose the records before
 * it: csv-parse hands over each record as it completes, so the records before the unclosed one are kept, and the line
 * where that one starts is returned as `openQuoteLine`. One parse per call keeps detection linear in the sample.
 */
export function parseSampleRecords(
  sample: string,
  delimiter: string,
): { records: CsvRecord[]; openQuoteLine?: number } {
  const records: CsvRecord[] = [];
  let line = 1;
  try {
    // With `raw`, csv-parse hands `on_record` the record with its raw text (its typings do not model that pairing).
    const onRecord = (({ record, raw }: { record: string[]; raw: string }) => {
      records.push({ cells: record, line });
      line += countLineBreaks(raw);
      return null;
    }) as unknown as NonNullable<Options["on_record"]>;
    parse(sample, { ...csvParseOptions(delimiter), raw: true, on_record: onRecord });
  } catch (error) {
    if (error instanceof CsvError && error.code === "CSV_QUOTE_NOT_CLOSED") return { records, openQuoteLine: line };
    throw error;
  }
  return { records };
}

function readsAsAmount(cell: string, decimal: DecimalSeparator): boolean {
  try {
    parseCsvAmount(cell, decimal);
    return true;
  } catch {
    return false;
  }
}

function isAmountLike(cell: string): boolean {
  if (isBlankAmount(cell)) return false;
  for (const decimal of [",", "."] as const) {
    try {
      parseCsvAmount(cell, decimal);
      return true;
    } catch {
      // try the other dialect
    }
  }
  return false;
}

/** A record that looks like an account row: an account number in one cell and an amount in another. */
function looksLikeAccountRow(cells: string[]): boolean {
  if (cells.length > MAX_LAYOUT_COLUMNS) return false;
  const accountAt = cells.findIndex((cell) => parseAccountCell(cell) !== undefined);
  return accountAt >= 0 && cells.some((cell, index) => index !== accountAt && isAmountLike(cell));
}

function rolesOf(cells: string[]): (ColumnRole | "ignored" | undefined)[] {
  return cells.map((cell) => classifyHeaderCell(cell));
}

function isHeaderRecord(cells: string[]): boolean {
  if (cells.length > MAX_LAYOUT_COLUMNS) return false;
  const roles = rolesOf(cells);
  return (
    roles.includes("account") && roles.some((role) => role !== undefined && AMOUNT_ROLES.includes(role as ColumnRole))
  );
}

function recognisedRoleCount(cells: string[]): number {
  return rolesOf(cells).filter((role) => role !== undefined && role !== "ignored").length;
}

function showCells(cells: string[]): string {
  return `[${cells.map((cell) => JSON.stringify(cell)).join(", ")}]`;
}

/**
 * Decides delimiter, header row, column mapping and decimal separator from the head of the file, honouring whatever
 * the caller gave explicitly.
 * @param sample the first {@link LAYOUT_SAMPLE_CHARS} characters, cut after the last line break unless `complete`.
 * @param complete whether the sample is the whole file (then a quote left open in it is an error).
 * @throws AmbiguousLayoutError when the layout cannot be decided; the message says what was found and how to pass it.
 * @throws MalformedInputError for empty or binary input, or a quote never closed in a complete sample.
 */
export function detectCsvLayout(
  sample: string,
  complete: boolean,
  options: CsvLayout & { fileName?: string },
): ResolvedCsvLayout {
  const { fileName } = options;
  if (sample.trim() === "") {
    throw new MalformedInputError("CSV_EMPTY", "the file is empty", {
      fileName,
      location: { line: 1, column: 1 },
      expected: "a trial balance",
    });
  }
  const controls = sample.match(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/g)?.length ?? 0;
  if (sample.includes("\u0000") || controls > Math.max(2, sample.length / 100)) {
    throw new MalformedInputError(
      "CSV_BINARY_CONTENT",
      `the file holds binary data (${controls} control characters in the first ${sample.length} characters), not text`,
      {
        fileName,
        location: { line: 1, column: 1 },
        expected: 'a text file; if it is UTF-16 without a byte-order mark, pass encoding "utf-16le"',
      },
    );
  }

  const delimiter = options.delimiter ?? detectDelimiter(sample, fileName);
  const { records, openQuoteLine } = parseSampleRecords(sample, delimiter);
  if (openQuoteLine !== undefined && complete) {
    throw new MalformedInputError(
      "CSV_QUOTE_NOT_CLOSED",
      `the quoted field opened in the record at line ${openQuoteLine} is never closed`,
      {
        fileName,
        location: { line: openQuoteLine, column: 1 },
        expected: "a closing quote for every quoted field",
      },
    );
  }
  const firstDataIndex = records.findIndex((record) => looksLikeAccountRow(record.cells));
  const headerRecord = findHeader(records, firstDataIndex, options, fileName);
  const headerLine = headerRecord?.line;

  let columns: Partial<Record<ColumnRole, number>>;
  let unusedHeaderCells: ResolvedCsvLayout["unusedHeaderCells"] = [];
  if (options.columns) {
    columns = resolveExplicitColumns(options.columns, headerRecord, fileName);
  } else if (headerRecord) {
    ({ columns, unusedHeaderCells } = columnsFromHeader(headerRecord, fileName));
  } else {
    columns = inferColumns(records, fileName);
  }
  const dataRecords = records.filter(
    (record) =>
      (headerLine === undefined || record.line > headerLine) &&
      parseAccountCell(record.cells[columns.account!] ?? "", columns.name === undefined),
  );
  const { decimal, source } = options.decimal
    ? { decimal: options.decimal, source: "explicit" as const }
    : detectDecimal(dataRecords, columns, delimiter, fileName);
  const amountColumns = AMOUNT_ROLES.map((role) => columns[role]).filter((column) => column !== undefined);
  const sampleAccountRows = dataRecords.filter((record) => {
    const cells = amountColumns.map((column) => record.cells[column]);
    if (cells.some((cell) => cell === undefined) || cells.every((cell) => isBlankAmount(cell!))) return false;
    return cells.every((cell) => isBlankAmount(cell!) || readsAsAmount(cell!, decimal));
  }).length;
  const preamble = records.filter((record) =>
    headerLine !== undefined
      ? record.line < headerLine
      : firstDataIndex >= 0 && record.line < records[firstDataIndex]!.line,
  );
  return {
    delimiter,
    decimal,
    decimalSource: source,
    headerLine,
    columns,
    unusedHeaderCells,
    sampleAccountRows,
    ...readPreamble(preamble),
  };
}

function detectDelimiter(sample: string, fileName: string | undefined): CsvDelimiter {
  const candidates = ([";", ",", "\t"] as const).map((delimiter) => {
    let records: CsvRecord[] = [];
    try {
      ({ records } = parseSampleRecords(sample, delimiter));
    } catch {
      // A candidate that cannot even split the sample scores nothing.
    }
    const accountRows = records.filter((record) => looksLikeAccountRow(record.cells)).length;
    const headerRows = records.slice(0, MAX_PREAMBLE_RECORDS).filter((record) => isHeaderRecord(record.cells)).length;
    return { delimiter, accountRows, headerRows };
  });
  const score = (candidate: (typeof candidates)[number]) => candidate.accountRows * 2 + candidate.headerRows;
  const ranked = [...candidates].sort((a, b) => score(b) - score(a));
  const [best, second] = ranked as [(typeof candidates)[number], (typeof candidates)[number]];
  const summary = candidates
    .map((c) => `${JSON.stringify(c.delimiter)}: ${c.accountRows} account rows${c.headerRows ? ", a header row" : ""}`)
    .join("; ");
  if (score(best) === 0) {
    throw ambiguous(`found no delimiter that gives rows with an account number and an amount (${summary})`, fileName);
  }
  if (score(best) === score(second)) {
    throw ambiguous(
      `cannot choose the delimiter: ${JSON.stringify(best.delimiter)} and ${JSON.stringify(second.delimiter)} fit equally well (${summary})`,
      fileName,
    );
  }
  return best.delimiter;
}

function findHeader(
  records: CsvRecord[],
  firstDataIndex: number,
  options: CsvLayout,
  fileName: string | undefined,
): CsvRecord | undefined {
  if (options.headerRow === "none") return undefined;
  if (typeof options.headerRow === "number") {
    const record = records.find((candidate) => candidate.line === options.headerRow);
    if (!record) {
      throw new CsvLayoutOptionError(
        `headerRow ${options.headerRow} is not the first line of a record in the head of the file`,
        {
          fileName,
          location: { line: options.headerRow, column: 1 },
          expected: `a line number between 1 and ${records.at(-1)?.line ?? 1}`,
        },
      );
    }
    return record;
  }
  const before = records.slice(0, firstDataIndex >= 0 ? firstDataIndex : records.length).slice(-MAX_PREAMBLE_RECORDS);
  const header = before.findLast((record) => isHeaderRecord(record.cells));
  if (header) return header;
  // Explicit columns by index need no header; by text they do, and say so below.
  if (options.columns) return undefined;
  const almost = before.findLast((record) => recognisedRoleCount(record.cells) >= 2);
  if (almost) {
    const roles = rolesOf(almost.cells);
    throw ambiguous(
      `line ${almost.line} looks like a header but has no recognisable account column: cells ${showCells(almost.cells)} read as ${showCells(
        roles.map((role) => role ?? "?"),
      )}`,
      fileName,
      almost.line,
    );
  }
  return undefined;
}

function columnsFromHeader(
  header: CsvRecord,
  fileName: string | undefined,
): { columns: Partial<Record<ColumnRole, number>>; unusedHeaderCells: ResolvedCsvLayout["unusedHeaderCells"] } {
  const columns: Partial<Record<ColumnRole, number>> = {};
  const unusedHeaderCells: ResolvedCsvLayout["unusedHeaderCells"] = [];
  header.cells.forEach((cell, index) => {
    const role = classifyHeaderCell(cell);
    if (role === undefined || role === "ignored") {
      if (cell.trim() !== "") unusedHeaderCells.push({ column: index, text: cell });
      return;
    }
    if (columns[role] !== undefined) {
      throw ambiguous(
        `header cells ${JSON.stringify(header.cells[columns[role]!])} (column ${columns[role]}) and ${JSON.stringify(cell)} (column ${index}) both read as ${role}; header cells seen: ${showCells(header.cells)}`,
        fileName,
        header.line,
      );
    }
    columns[role] = index;
  });
  checkColumns(columns, `header cells seen at line ${header.line}: ${showCells(header.cells)}`, fileName, header.line);
  return { columns, unusedHeaderCells };
}

function checkColumns(
  columns: Partial<Record<ColumnRole, number>>,
  found: string,
  fileName: string | undefined,
  line?: number,
): void {
  if (columns.account === undefined) throw ambiguous(`no account column (${found})`, fileName, line);
  if (!AMOUNT_ROLES.some((role) => columns[role] !== undefined))
    throw ambiguous(`no amount column (${found})`, fileName, line);
}

function resolveExplicitColumns(
  explicit: NonNullable<CsvLayout["columns"]>,
  header: CsvRecord | undefined,
  fileName: string | undefined,
): Partial<Record<ColumnRole, number>> {
  const columns: Partial<Record<ColumnRole, number>> = {};
  for (const [role, reference] of Object.entries(explicit) as [ColumnRole, CsvColumnReference | undefined][]) {
    if (reference === undefined) continue;
    if (typeof reference === "number") {
      columns[role] = reference;
      continue;
    }
    if (!header) {
      throw new CsvLayoutOptionError(
        `column ${role}=${JSON.stringify(reference)} names a header text, but no header row was found`,
        {
          fileName,
          expected: "0-based column indexes, or headerRow set to the line of the header",
        },
      );
    }
    const wanted = normalizeHeaderText(reference);
    const index = header.cells.findIndex((cell) => normalizeHeaderText(cell) === wanted);
    if (index < 0) {
      throw new CsvLayoutOptionError(`no header cell reads ${JSON.stringify(reference)} (for ${role})`, {
        fileName,
        location: { line: header.line, column: 1 },
        expected: `one of ${showCells(header.cells)}`,
      });
    }
    columns[role] = index;
  }
  return columns;
}

/**
 * Infers the columns of a file without a header (Visma Finale `<konto>TAB<navn>TAB<saldo>`): the leftmost column
 * that holds account numbers, a text column for the name, and exactly one amount column, read as the closing
 * balance. Anything else (no amount column, several) is ambiguous: saldo does not guess which is IB and which is UB.
 */
function inferColumns(records: CsvRecord[], fileName: string | undefined): Partial<Record<ColumnRole, number>> {
  const rows = records.filter((record) => looksLikeAccountRow(record.cells)).slice(0, 1000);
  const width = Math.max(0, ...rows.map((row) => row.cells.length));
  const stats = Array.from({ length: width }, (_, column) => {
    const cells = rows.map((row) => row.cells[column] ?? "");
    return {
      column,
      accounts: cells.filter((cell) => parseAccountCell(cell) !== undefined).length,
      amounts: cells.filter((cell) => isAmountLike(cell)).length,
      blanks: cells.filter((cell) => cell.trim() === "").length,
      texts: cells.filter((cell) => cell.trim() !== "" && !isAmountLike(cell)).length,
    };
  });
  const account = stats.find((stat) => stat.accounts * 2 > rows.length);
  const found = `no header row; ${rows.length} rows with an account number; columns guessed: ${stats
    .map(
      (stat) =>
        `${stat.column}=${stat === account ? "account" : stat.texts > 0 ? "text" : stat.amounts > 0 ? "amount" : "empty"}`,
    )
    .join(", ")}; first row ${rows[0] ? showCells(rows[0].cells) : "none"}`;
  if (!account) throw ambiguous(`cannot find the account column (${found})`, fileName);
  const amountColumns = stats.filter((stat) => stat !== account && stat.amounts > 0 && stat.texts === 0);
  const nameColumn = stats.find((stat) => stat !== account && stat.texts > 0);
  if (amountColumns.length !== 1) {
    throw ambiguous(
      amountColumns.length === 0
        ? `found no amount column (${found})`
        : `found ${amountColumns.length} amount columns and no header to tell opening, movement and closing apart (${found})`,
      fileName,
    );
  }
  const columns: Partial<Record<ColumnRole, number>> = { account: account.column, closing: amountColumns[0]!.column };
  if (nameColumn) columns.name = nameColumn.column;
  return columns;
}

function detectDecimal(
  rows: CsvRecord[],
  columns: Partial<Record<ColumnRole, number>>,
  delimiter: CsvDelimiter,
  fileName: string | undefined,
): { decimal: DecimalSeparator; source: "detected" | "assumed" } {
  const tally = { strong: { ",": 0, ".": 0 }, weak: { ",": 0, ".": 0 } };
  const examples: Record<DecimalSeparator, string | undefined> = { ",": undefined, ".": undefined };
  for (const row of rows) {
    for (const role of AMOUNT_ROLES) {
      const column = columns[role];
      if (column === undefined) continue;
      const evidence = decimalEvidence(row.cells[column] ?? "");
      if (!evidence) continue;
      tally[evidence.strength][evidence.decimal]++;
      examples[evidence.decimal] ??= row.cells[column];
    }
  }
  const decide = (counts: Record<DecimalSeparator, number>, strength: string): DecimalSeparator | undefined => {
    if (counts[","] > 0 && counts["."] > 0) {
      throw ambiguous(
        `cannot decide the decimal separator: ${counts[","]} amounts read as decimal comma (e.g. ${JSON.stringify(examples[","])}) and ${counts["."]} as decimal point (e.g. ${JSON.stringify(examples["."])}) (${strength} evidence)`,
        fileName,
      );
    }
    if (counts[","] > 0) return ",";
    if (counts["."] > 0) return ".";
    return undefined;
  };
  const decimal = decide(tally.strong, "clear") ?? decide(tally.weak, "three-digit groups only");
  if (decimal) return { decimal, source: "detected" };
  // Only integers: both dialects read them the same; follow the delimiter's usual companion.
  return { decimal: delimiter === "," ? "." : ",", source: "assumed" };
}

const ORG_NUMBER =
  /(?:org(?:anisasjons)?\.?\s*-?\s*(?:nr|nummer|no)\.?|foretaksnr\.?|org\.?\s*number)\s*:?\s*((?:\d[\s\u00a0]?){8}\d)\b/i;
const DATE = String.raw`(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})`;
const PERIOD = new RegExp(`${DATE}\\s*(?:-|\u2013|til|to)\\s*${DATE}`, "i");

function isoDate(text: string): string {
  if (text.includes("-")) return text;
  const [day, month, year] = text.split(".") as [string, string, string];
  return `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
}

/** Reads an org number (`Org.nr 999 888 777`), the company name before it, and a period from report title lines. */
function readPreamble(preamble: CsvRecord[]): { company: Company; period?: Period } {
  const company: Company = {};
  let period: Period | undefined;
  for (const record of preamble) {
    const text = record.cells
      .map((cell) => cell.trim())
      .filter(Boolean)
      .join(" ");
    const org = company.orgNumber === undefined ? ORG_NUMBER.exec(text) : null;
    if (org) {
      company.orgNumber = org[1]!.replace(/\D/g, "");
      const name = text
        .slice(0, org.index)
        .replace(/[\s,;:\-–]+$/, "")
        .trim();
      if (name) company.name = name;
    }
    const dates = period === undefined ? PERIOD.exec(text) : null;
    if (dates) period = { start: isoDate(dates[1]!), end: isoDate(dates[2]!) };
  }
  return period ? { company, period } : { company };
}
