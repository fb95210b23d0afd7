import type { FileFormat } from "../ledger/types.ts";
import { parseCsvTrialBalance, type CsvParseOptions } from "./csv/index.ts";
import { DETECT_HEAD_BYTES, detectFormat } from "./detectFormat.ts";
import type { ImportRecord } from "../ledger/records.ts";
import type { ParseOptions } from "./records.ts";
import { parseSaft } from "./saft/index.ts";
import { parseSie } from "./sie/index.ts";
import { peekSource, type ByteSource } from "./shared/sources.ts";

export interface ParseFileOptions extends ParseOptions {
  /** `auto` (default) decides from the bytes. */
  format?: FileFormat | "auto";
  /**
   * CSV-only options, passed to the CSV parser: an explicit layout, a remembered one, and an `encoding` that applies
   * to CSV files only (a remembered encoding; the top-level `encoding` applies to every format).
   */
  csv?: Omit<CsvParseOptions, "fileName">;
}

/**
 * Parses any supported file: picks the parser from the bytes (or the explicit format) and streams its records.
 * Returns the format chosen along with the records.
 */
export async function parseFile(
  source: ByteSource,
  options: ParseFileOptions = {},
): Promise<{ format: FileFormat; records: AsyncGenerator<ImportRecord, void, undefined> }> {
  const peeked = await peekSource(source, DETECT_HEAD_BYTES);
  let format: FileFormat;
  try {
    format = options.format && options.format !== "auto" ? options.format : detectFormat(peeked.head, options.fileName);
  } catch (error) {
    await peeked.close(); // not a format saldo reads: the file is let go at once
    throw error;
  }
  const { format: _format, csv, ...parseOptions } = options;
  switch (format) {
    case "saft":
      return { format, records: parseSaft(peeked.source, parseOptions) };
    case "sie":
      return { format, records: parseSie(peeked.source, parseOptions) };
    case "csv":
      return { format, records: parseCsvTrialBalance(peeked.source, { ...parseOptions, ...csv }) };
  }
}
