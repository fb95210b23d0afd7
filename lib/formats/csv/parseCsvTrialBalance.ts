import type { Account, FileHeader, Issue } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import { AmountOutOfRangeError, MoneyError } from "../../money/errors.ts";
import type { ImportRecord } from "../../ledger/records.ts";
import { decodeStream, type EncodingDecision } from "../shared/decoding.ts";
import type { ColumnRole } from "./classifyHeaderCell.ts";
import { describeLayout, hasLayout, type CsvParseOptions } from "./CsvLayoutSchema.ts";
import { FormatError } from "../errors.ts";
import { describeDialect, detectCsvLayout, LAYOUT_SAMPLE_CHARS, type ResolvedCsvLayout } from "./detectCsvLayout.ts";
import { parseAccountCell } from "./parseAccountCell.ts";
import { parseCsvAmount, trimCell } from "./parseCsvAmount.ts";
import { readCsvRecords, type CsvRecord } from "./readCsvRecords.ts";
import type { ByteSource } from "../shared/sources.ts";

/** Labels of subtotal and total rows in report exports (`Sum eiendeler`, `Totalt`, `I alt`, `Sum 1000-1999`). */
const SUBTOTAL_LABEL = /^(sum\b|sum[a-zæøå]|totalt?\b|total\b|i alt\b|resultat\b|grand total\b|subtotal\b)/i;

type SkipReason = "preamble" | "blank" | "subtotal" | "noAccount";
const SKIP_DESCRIPTIONS: Record<SkipReason, string> = {
  preamble: "title/preamble lines before the header",
  blank: "blank rows",
  subtotal: "sum/total rows",
  noAccount: "rows whose account cell is not an account number",
};

/**
 * Streams a CSV trial balance (saldobalanse) into import records: the header record, then one `account` record per
 * row whose account cell is an account number, in file order, with format-specific issues.
 *
 * Detection looks only at the first {@link LAYOUT_SAMPLE_CHARS} characters, so the result never
 * depends on chunking: the delimiter (`;`, `,`, TAB) that yields the most rows with an account number and an amount;
 * the header row (Norwegian and English names, see classifyHeaderCell) or, without one, the columns inferred from the
 * data (account, text, exactly one amount column = closing); and the decimal separator seen in the amounts.
 * Anything undecidable throws {@link AmbiguousLayoutError} with what was found and how to pass the layout; every
 * part of the layout can be given in `options` instead.
 *
 * Figures: signed columns are net (debit positive); split columns give net = debit − credit. A column the layout
 * lacks leaves the figure `undefined` (only closing present → opening and movement undefined); an EMPTY CELL in a
 * column the layout has counts as 0, because report generators blank out zeros and the split debit/credit layouts
 * leave one side empty by design. Movement comes from a movement column, else movement debit/credit, else plain
 * debit/credit columns.
 *
 * Encoding: options.encoding, else decodeStream's detection (BOM, UTF-8, 8-bit sniffing, which reads 0xA0 between
 * digits as the Windows-1252 no-break space thousands separator).
 *
 * Issues: `CSV_CURRENCY_ASSUMED` (info; CSV carries no currency, NOK assumed), `CSV_ENCODING_GUESSED` (info; no BOM
 * and not UTF-8), `CSV_ENCODING_DECIDED_LATE` (info; the head was ASCII and later bytes decided another encoding
 * than the header record states), `CSV_COLUMNS_IGNORED` (info), `CSV_INVALID_AMOUNT` (error; figure left undefined),
 * `CSV_AMOUNT_OUT_OF_RANGE` (error; more than 18 digits before the decimal, figure left undefined),
 * `CSV_ROW_TOO_SHORT` (warning), `CSV_ROWS_SKIPPED` (info; one summary with counts per reason),
 * `CSV_NO_ACCOUNT_ROWS` (error). Locations are `{line, column}` with `column` the 1-based FIELD number (the
 * spreadsheet column), not a character offset.
 *
 * @throws AmbiguousLayoutError, MalformedInputError (`CSV_EMPTY`, `CSV_BINARY_CONTENT`, `CSV_QUOTE_NOT_CLOSED`, …),
 *   CsvLayoutOptionError.
 */
export async function* parseCsvTrialBalance(
  source: ByteSource,
  options: CsvParseOptions = {},
): AsyncGenerator<ImportRecord, void, undefined> {
  const { fileName } = options;
  let decision: EncodingDecision | undefined;
  const text = decodeStream(source, {
    ...(options.encoding ? { override: options.encoding } : {}),
    onDecision: (decided) => {
      decision = decided;
    },
  });

  // Hold back the head sample (bounded) to detect the layout, then replay it in front of the rest.
  const iterator = text[Symbol.asyncIterator]();
  try {
    const held: string[] = [];
    let heldChars = 0;
    let ended = false;
    while (heldChars <= LAYOUT_SAMPLE_CHARS) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      held.push(next.value);
      heldChars += next.value.length;
    }
    const head = held.join("");
    const complete = ended && head.length <= LAYOUT_SAMPLE_CHARS;
    let sample = head.slice(0, LAYOUT_SAMPLE_CHARS);
    if (!complete) sample = sample.slice(0, Math.max(sample.lastIndexOf("\n"), sample.lastIndexOf("\r")) + 1) || sample;
    const { layout, remembered } = decideLayout(sample, complete, options);

    // The encoding is certain for the header when it was given, came from a BOM, or the sample already held non-ASCII
    // text (decodeStream decides before yielding any). A pure-ASCII head reads the same in every candidate encoding;
    // it is reported as UTF-8, and a different decision further on gets an info issue at the end.
    const sampleHasNonAscii = /[^\u0000-\u007f]/.test(sample);
    const headerEncoding =
      decision && (decision.reason === "override" || decision.reason === "bom" || sampleHasNonAscii)
        ? decision.encoding
        : "utf-8";
    const header: FileHeader = {
      format: "csv",
      formatVersion: describeDialect(layout),
      encoding: headerEncoding,
      company: layout.company,
      currency: "NOK",
    };
    if (layout.period) header.period = layout.period;
    yield { type: "header", header };
    yield issue(
      "info",
      "CSV_CURRENCY_ASSUMED",
      "a CSV trial balance does not state its currency: amounts are read as NOK",
    );
    if (remembered) yield remembered;
    if (decision?.reason === "sniffed" && headerEncoding === decision.encoding) yield encodingGuessed(headerEncoding);
    if (layout.unusedHeaderCells.length > 0) {
      yield issue(
        "info",
        "CSV_COLUMNS_IGNORED",
        `columns not used (unknown, prior-year, budget or dimension columns): ${layout.unusedHeaderCells
          .map((cell) => `${cell.column + 1} ${JSON.stringify(cell.text)}`)
          .join(", ")}`,
        { line: layout.headerLine!, column: layout.unusedHeaderCells[0]!.column + 1 },
      );
    }

    async function* replay(): AsyncGenerator<string> {
      yield head;
      if (ended) return;
      while (true) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    }

    const skipped = new Map<SkipReason, { count: number; firstLine: number }>();
    let accounts = 0;
    for await (const record of readCsvRecords(replay(), { delimiter: layout.delimiter, fileName })) {
      if (layout.headerLine !== undefined && record.line <= layout.headerLine) {
        if (record.line < layout.headerLine) countSkip(skipped, "preamble", record.line);
        continue;
      }
      const accountCell = parseAccountCell(
        record.cells[layout.columns.account!] ?? "",
        layout.columns.name === undefined,
      );
      if (!accountCell) {
        countSkip(skipped, skipReason(record, layout, accounts === 0 && layout.headerLine === undefined), record.line);
        continue;
      }
      accounts++;
      yield* accountRecords(record, accountCell, layout);
    }

    if (accounts === 0) {
      yield issue("error", "CSV_NO_ACCOUNT_ROWS", "the file has no rows with an account number: nothing was imported");
    }
    if (skipped.size > 0) {
      const parts = [...skipped].map(
        ([reason, { count, firstLine }]) => `${count} ${SKIP_DESCRIPTIONS[reason]} (first at line ${firstLine})`,
      );
      const total = [...skipped.values()].reduce((sum, entry) => sum + entry.count, 0);
      const firstLine = Math.min(...[...skipped.values()].map((entry) => entry.firstLine));
      yield issue("info", "CSV_ROWS_SKIPPED", `skipped ${total} rows without an account number: ${parts.join("; ")}`, {
        line: firstLine,
        column: 1,
      });
    }
    if (decision && decision.encoding !== headerEncoding) {
      yield { type: "headerUpdate", changes: { encoding: decision.encoding } };
      yield issue(
        "info",
        "CSV_ENCODING_DECIDED_LATE",
        `the head of the file was plain ASCII (reported as ${headerEncoding}); non-ASCII bytes further on were read as ${decision.encoding}`,
      );
      if (decision.reason === "sniffed") yield encodingGuessed(decision.encoding);
    }
  } finally {
    // A consumer that stops early (after the header, say) or an error lets the file go: the decoder closes the source.
    await iterator.return?.(undefined as never);
  }
}

/**
 * The layout: the explicit options when any part is given; else the remembered layout when it fits the head of the
 * file (it resolves and at least one row reads as an account with amounts); else detection. Using, or passing over,
 * a remembered layout is reported as an info issue.
 */
function decideLayout(
  sample: string,
  complete: boolean,
  options: CsvParseOptions,
): { layout: ResolvedCsvLayout; remembered?: ImportRecord } {
  const { rememberedLayout, ...explicit } = options;
  if (!rememberedLayout || hasLayout(explicit)) return { layout: detectCsvLayout(sample, complete, explicit) };
  const described = `${describeLayout(rememberedLayout.layout)}${rememberedLayout.from ? `, from ${rememberedLayout.from}` : ""}`;
  let misfit: string;
  try {
    const layout = detectCsvLayout(sample, complete, { ...explicit, ...rememberedLayout.layout });
    if (layout.sampleAccountRows > 0) {
      return {
        layout,
        remembered: issue(
          "info",
          "CSV_LAYOUT_REMEMBERED",
          `read with the CSV layout remembered for this client (${described}); give layout options ` +
            '(`saldo upload --columns …`, or "layout" in the uploads API) to read it otherwise',
        ),
      };
    }
    misfit = "no row in the head of the file reads as an account with amounts";
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    misfit = error.message;
  }
  return {
    layout: detectCsvLayout(sample, complete, explicit),
    remembered: issue(
      "info",
      "CSV_LAYOUT_REMEMBERED_NOT_USED",
      `the CSV layout remembered for this client (${described}) does not fit this file (${misfit}); the layout was detected instead`,
    ),
  };
}

function* accountRecords(
  record: CsvRecord,
  accountCell: { id: string; name?: string },
  layout: ResolvedCsvLayout,
): Generator<ImportRecord> {
  const { columns } = layout;
  const problems: Issue[] = [];
  const accountId = accountCell.id;
  let short = false;

  /** Reads one amount cell: blank → 0 (see the TSDoc above), missing cell → undefined, bad text → issue. */
  const cell = (role: ColumnRole): Ore | undefined => {
    const column = columns[role];
    if (column === undefined) return undefined;
    const raw = record.cells[column];
    if (raw === undefined) {
      short = true;
      return undefined;
    }
    try {
      return parseCsvAmount(raw, layout.decimal) ?? 0n;
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      const tooLarge = error instanceof AmountOutOfRangeError;
      problems.push({
        severity: "error",
        code: tooLarge ? "CSV_AMOUNT_OUT_OF_RANGE" : "CSV_INVALID_AMOUNT",
        message: tooLarge
          ? `account ${accountId}: the amount in column ${column + 1} (${role}) is beyond any ledger: ${error.message}; the figure is left out`
          : `account ${accountId}: ${JSON.stringify(raw)} in column ${column + 1} (${role}) is not an amount with decimal ${JSON.stringify(
              layout.decimal,
            )}: ${error.message}; the figure is left out`,
        account: accountId,
        location: { line: record.line, column: column + 1 },
      });
      return undefined;
    }
  };
  const has = (role: ColumnRole) => columns[role] !== undefined;
  /** Signed column if present, else net of an unsigned debit/credit pair (either side may be absent). */
  const figure = (signed: ColumnRole, debit: ColumnRole, credit: ColumnRole): Ore | undefined => {
    if (has(signed)) return cell(signed);
    if (!has(debit) && !has(credit)) return undefined;
    const debitAmount = has(debit) ? cell(debit) : 0n;
    const creditAmount = has(credit) ? cell(credit) : 0n;
    if (debitAmount === undefined || creditAmount === undefined) return undefined;
    return debitAmount - creditAmount;
  };

  const opening = figure("opening", "openingDebit", "openingCredit");
  let movement = figure("movement", "movementDebit", "movementCredit");
  if (movement === undefined && !has("movement") && !has("movementDebit") && !has("movementCredit")) {
    movement = figure("movement", "debit", "credit");
  }
  const closing = figure("closing", "closingDebit", "closingCredit");

  const nameColumn = columns.name;
  const account: Account = {
    id: accountId,
    name:
      nameColumn !== undefined
        ? trimCell(record.cells[nameColumn] ?? "") || (accountCell.name ?? "")
        : (accountCell.name ?? ""),
    mapping: {},
    location: { line: record.line, column: columns.account! + 1 },
  };
  if (opening !== undefined) account.opening = opening;
  if (movement !== undefined) account.movement = movement;
  if (closing !== undefined) account.closing = closing;
  yield { type: "account", account };
  if (short) {
    yield issue(
      "warning",
      "CSV_ROW_TOO_SHORT",
      `account ${accountId}: the row has ${record.cells.length} cells, fewer than the layout needs; missing figures are left out`,
      { line: record.line, column: record.cells.length + 1 },
      accountId,
    );
  }
  for (const problem of problems) yield { type: "issue", issue: problem };
}

function skipReason(record: CsvRecord, layout: ResolvedCsvLayout, beforeFirstAccount: boolean): SkipReason {
  const cells = record.cells.map((cell) => trimCell(cell));
  if (cells.every((cell) => cell === "")) return "blank";
  const label = cells.find((cell) => cell !== "") ?? "";
  if (
    SUBTOTAL_LABEL.test(label) ||
    (layout.columns.name !== undefined && SUBTOTAL_LABEL.test(cells[layout.columns.name] ?? ""))
  ) {
    return "subtotal";
  }
  return beforeFirstAccount ? "preamble" : "noAccount";
}

function countSkip(
  skipped: Map<SkipReason, { count: number; firstLine: number }>,
  reason: SkipReason,
  line: number,
): void {
  const entry = skipped.get(reason);
  if (entry) entry.count++;
  else skipped.set(reason, { count: 1, firstLine: line });
}

function issue(
  severity: Issue["severity"],
  code: string,
  message: string,
  location?: Issue["location"],
  account?: string,
): ImportRecord {
  const found: Issue = { severity, code, message };
  if (location) found.location = location;
  if (account) found.account = account;
  return { type: "issue", issue: found };
}

function encodingGuessed(encoding: string): ImportRecord {
  return issue(
    "info",
    "CSV_ENCODING_GUESSED",
    `no byte-order mark and not valid UTF-8: the text was read as ${encoding}; pass encoding explicitly if names look wrong`,
  );
}
