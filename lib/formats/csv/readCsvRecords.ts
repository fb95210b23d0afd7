import { CsvError, type Options } from "csv-parse";
import { parse } from "csv-parse/sync";
import { MalformedInputError } from "../errors.ts";

/** One CSV record with the 1-based line it starts on. */
export interface CsvRecord {
  cells: string[];
  line: number;
}

export interface ReadCsvRecordsOptions {
  delimiter: string;
  fileName?: string;
  /** Text gathered before a batch is handed to csv-parse (default 64 Ki characters). */
  batchChars?: number;
  /** Longest record accepted, in characters: a quote that is never closed must not make us hold the whole file. */
  maxRecordChars?: number;
}

/** csv-parse options shared by detection and reading: lenient quotes, ragged rows, any line ending. */
export function csvParseOptions(delimiter: string): Options {
  return {
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    record_delimiter: ["\r\n", "\n", "\r"],
    bom: false,
  };
}

/**
 * Splits decoded text into CSV records with csv-parse's synchronous core (quoting, escaped quotes, delimiters inside
 * quotes, CRLF/LF/CR), batch by batch, so memory stays flat. A batch is cut after the last line break; when the cut
 * falls inside a quoted field csv-parse reports `CSV_QUOTE_NOT_CLOSED` and the batch simply waits for more text.
 * Cutting at record boundaries makes the records identical to a single parse of the whole text, whatever the chunking.
 * @throws MalformedInputError (`CSV_QUOTE_NOT_CLOSED`, `CSV_RECORD_TOO_LONG`, or csv-parse's own code) with the line.
 */
export async function* readCsvRecords(
  text: AsyncIterable<string>,
  options: ReadCsvRecordsOptions,
): AsyncGenerator<CsvRecord> {
  const batchChars = options.batchChars ?? 64 * 1024;
  const maxRecordChars = options.maxRecordChars ?? 8 * 1024 * 1024;
  const parseOptions = { ...csvParseOptions(options.delimiter), raw: true } as const;
  let buffer = "";
  let lineOffset = 0;
  let retryAt = batchChars;

  // Lines are counted from each record's raw text: csv-parse's own `info.lines` counts a CRLF inside a quoted
  // field as two lines, while editors (and saldo's messages) count it as one.
  const numberRecords = (parsed: { record: string[]; raw: string }[]): CsvRecord[] =>
    parsed.map(({ record, raw }) => {
      const line = lineOffset + 1;
      lineOffset += countLineBreaks(raw);
      return { cells: record, line };
    });

  const parseBatch = (batch: string, end: boolean): CsvRecord[] | undefined => {
    let parsed: { record: string[]; raw: string }[];
    try {
      parsed = parse(batch, parseOptions) as unknown as typeof parsed;
    } catch (error) {
      const quoteOpen = error instanceof CsvError && error.code === "CSV_QUOTE_NOT_CLOSED";
      if (!end && quoteOpen) return undefined;
      // An unclosed quote is reported at the last line of the file (where csv-parse gives up), counted by saldo so
      // the number does not depend on where the batch began.
      const line = quoteOpen
        ? lineOffset + countLineBreaks(batch) + 1
        : lineOffset + (error instanceof CsvError ? Number((error as CsvError & { lines?: number }).lines ?? 1) : 1);
      throw new MalformedInputError(
        error instanceof CsvError ? error.code : "CSV_UNREADABLE",
        error instanceof Error ? error.message : String(error),
        {
          fileName: options.fileName,
          location: { line, column: 1 },
          expected: "a closing quote for every quoted field",
          cause: error,
        },
      );
    }
    return numberRecords(parsed);
  };

  for await (const piece of text) {
    buffer += piece;
    if (buffer.length < retryAt) continue;
    const cut = lastLineBreak(buffer);
    if (cut <= 0) {
      if (buffer.length > maxRecordChars) throw tooLong(options.fileName, lineOffset + 1);
      retryAt = buffer.length + batchChars;
      continue;
    }
    const records = parseBatch(buffer.slice(0, cut), false);
    if (!records) {
      if (buffer.length > maxRecordChars) throw tooLong(options.fileName, lineOffset + 1);
      retryAt = buffer.length + batchChars;
      continue;
    }
    buffer = buffer.slice(cut);
    retryAt = batchChars;
    yield* records;
  }
  if (buffer !== "") yield* parseBatch(buffer, true) ?? [];
}

/** Line breaks in a text, CRLF counted once. */
export function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/** Index just after the last line break that cannot be the first half of a CRLF, or 0. */
function lastLineBreak(text: string): number {
  const lf = text.lastIndexOf("\n");
  let cr = text.lastIndexOf("\r");
  // A CR at the very end may be followed by an LF in the next piece: not a safe cut yet.
  // (lastIndexOf with a negative start still looks at index 0, hence the explicit check.)
  if (cr === text.length - 1) cr = cr === 0 ? -1 : text.lastIndexOf("\r", cr - 1);
  return Math.max(lf, cr) + 1;
}

function tooLong(fileName: string | undefined, line: number): MalformedInputError {
  return new MalformedInputError(
    "CSV_RECORD_TOO_LONG",
    "a record is longer than saldo accepts (probably a quote that is never closed)",
    {
      fileName,
      location: { line, column: 1 },
      expected: "a closing quote for every quoted field",
    },
  );
}
