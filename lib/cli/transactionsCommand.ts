import { transactionLinesCsv, writeTransactionLinesXlsx } from "../export/transactionLinesExport.ts";
import { TransactionLineSchema, TransactionLinesQuerySchema, toTransactionLineJson } from "../imports/importViews.ts";
import {
  TRANSACTION_LINES_MAX_LIMIT,
  listTransactionLines,
  type TransactionLinesPage,
  type TransactionLinesQuery,
} from "../imports/listTransactionLines.ts";
import type { EngagementRef } from "../engagements/types.ts";
import type { LedgerLine } from "../ledger/types.ts";
import type { ListTransactionLinesDeps } from "../imports/listTransactionLines.ts";
import { ClientNotFoundError, EngagementNotFoundError } from "../engagements/errors.ts";
import { NoActiveImportError } from "../imports/errors.ts";
import { formatCountForPeople, formatDateForPeople, formatOreForPeople } from "../presentation/formatForPeople.ts";
import { labelsFor } from "../presentation/labels.ts";
import type { Locale } from "../presentation/locale.ts";
import {
  columnWidths,
  fitCells,
  formatTableFooter,
  formatTableRow,
  tableRule,
  type TextColumn,
} from "../presentation/textTable.ts";
import { NothingToShowError, UsageError } from "./errors.ts";
import { parseOptions } from "./parseOptions.ts";
import { FIGURES_OUTPUT_OPTIONS, figuresOutputFromOptions, writeChunks, writeOutput } from "./outputOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";

/** Line texts longer than this are shortened at a word boundary with `…` in the text table. */
const LINE_TEXT_MAX_WIDTH = 50;

/**
 * `saldo transactions --tenant T --client C --engagement E [--account A] [--from D] [--to D] [--voucher V]
 * [--format text|json|csv|xlsx] [--output FILE] [--locale nb|en]`: the transaction lines of the engagement's active
 * version, through the same use case and filters as `GET …/transactions`, read page by page (never the whole import
 * at once) and written as they arrive.
 */
export async function transactionsCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    ...FIGURES_OUTPUT_OPTIONS,
    account: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    voucher: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError("transactions takes no file", "«saldo transactions» tar ingen fil.");
  const ref = engagementRefFromOptions(values);
  const output = figuresOutputFromOptions(values, env);
  // The API's query rules, so both entry points accept and refuse the same filters.
  const parsed = TransactionLinesQuerySchema.safeParse({
    account: values.account,
    from: values.from,
    to: values.to,
    voucher: values.voucher,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `--${String(issue?.path[0] ?? "filters")}: ${issue?.message ?? "invalid"}`,
      `--${String(issue?.path[0] ?? "filters")} kan ikke brukes: ${issue?.message ?? "ugyldig"}. Datoer skrives ÅÅÅÅ-MM-DD.`,
    );
  }
  const filters: TransactionLinesQuery = {
    ...(parsed.data.account !== undefined ? { account: parsed.data.account } : {}),
    ...(parsed.data.from !== undefined ? { from: parsed.data.from } : {}),
    ...(parsed.data.to !== undefined ? { to: parsed.data.to } : {}),
    ...(parsed.data.voucher !== undefined ? { voucher: parsed.data.voucher } : {}),
  };
  const name = `${ref.tenantId}/${ref.clientId}/${ref.engagementId}`;
  const pipeline = await openPipelineTarget(env);
  try {
    let first: TransactionLinesPage;
    try {
      first = await listTransactionLines(pipeline, ref, { ...filters, limit: TRANSACTION_LINES_MAX_LIMIT });
    } catch (error) {
      if (error instanceof ClientNotFoundError || error instanceof EngagementNotFoundError) {
        throw new NothingToShowError("ENGAGEMENT_NOT_FOUND", `no engagement ${name} (${pipeline.target.description})`, {
          context: { ...ref, where: pipeline.target.description },
        });
      }
      if (error instanceof NoActiveImportError) {
        throw new NothingToShowError(
          "NO_ACTIVE_IMPORT",
          `engagement ${name} has no active import yet: upload a file first`,
          { context: { ...ref } },
        );
      }
      throw error;
    }
    const pages = linePages(pipeline, ref, filters, first);
    await writeOutput(output, async (sink) => {
      switch (output.format) {
        case "json":
          return writeChunks(sink, jsonArray(pages));
        case "csv":
          return writeChunks(sink, transactionLinesCsv(pages, output.locale));
        case "xlsx":
          await writeTransactionLinesXlsx(pages, output.locale, sink);
          return;
        case "text":
          return writeChunks(sink, textTable(pages, output.locale, `${name}, import ${first.importId}`));
      }
    });
    return 0;
  } finally {
    pipeline.close();
  }
}

/** Every page of the filtered lines, starting with the one already read; each page continues the previous cursor. */
async function* linePages(
  deps: ListTransactionLinesDeps,
  ref: EngagementRef,
  filters: TransactionLinesQuery,
  first: TransactionLinesPage,
): AsyncGenerator<LedgerLine[]> {
  let page = first;
  yield page.items;
  while (page.nextCursor !== undefined) {
    page = await listTransactionLines(deps, ref, {
      ...filters,
      cursor: page.nextCursor,
      limit: TRANSACTION_LINES_MAX_LIMIT,
    });
    yield page.items;
  }
}

/** The lines as one JSON array (the API's TransactionLineSchema items), one item per text line, streamed. */
async function* jsonArray(pages: AsyncIterable<readonly LedgerLine[]>): AsyncGenerator<string> {
  let count = 0;
  yield "[";
  for await (const page of pages) {
    const items = page.map((line) => JSON.stringify(TransactionLineSchema.parse(toTransactionLineJson(line))));
    if (items.length === 0) continue;
    yield `${count === 0 ? "\n" : ",\n"}${items.join(",\n")}`;
    count += items.length;
  }
  yield count === 0 ? "]\n" : "\n]\n";
}

/**
 * The lines as a table for people, streamed: column widths from the first page (up to 1 000 lines; a later, wider
 * figure pushes its row's cells right rather than being cut), texts shortened at word boundaries with `…`, and a
 * labelled total row with the sum of the amounts.
 */
async function* textTable(
  pages: AsyncIterable<readonly LedgerLine[]>,
  locale: Locale,
  title: string,
): AsyncGenerator<string> {
  const labels = labelsFor(locale);
  const titles = labels.transactionColumns;
  const columns: TextColumn[] = [
    { title: titles.date, align: "left" },
    { title: titles.voucher, align: "left" },
    { title: titles.line, align: "right" },
    { title: titles.account, align: "left" },
    { title: titles.amount, align: "right" },
    { title: titles.description, align: "left", maxWidth: LINE_TEXT_MAX_WIDTH },
  ];
  const cells = (line: LedgerLine) =>
    fitCells(columns, [
      formatDateForPeople(line.date, locale),
      line.transactionId,
      formatCountForPeople(line.lineNumber + 1, locale),
      line.account,
      formatOreForPeople(line.amount, locale),
      line.description ?? line.transactionDescription ?? "",
    ]);
  let widths: number[] | undefined;
  let lines = 0;
  let sum = 0n;
  yield `${title}\n`;
  for await (const page of pages) {
    const rows = page.map(cells);
    for (const line of page) sum += line.amount;
    lines += page.length;
    if (widths === undefined) {
      widths = columnWidths(columns, rows);
      yield `${formatTableRow(
        columns,
        widths,
        columns.map((column) => column.title),
      )}\n${tableRule(widths)}\n`;
    }
    if (rows.length > 0) yield rows.map((row) => formatTableRow(columns, widths!, row)).join("\n") + "\n";
  }
  if (lines === 0) {
    yield `${labels.noTransactions}\n`;
    return;
  }
  const footer = {
    label: labels.transactionsTotal(formatCountForPeople(lines, locale)),
    span: 4,
    cells: [formatOreForPeople(sum, locale)],
  };
  const footerWidths = columnWidths(columns, [], [footer]).map((width, index) => Math.max(width, widths![index] ?? 0));
  yield `${tableRule(widths!)}\n${formatTableFooter(columns, footerWidths, footer)}\n`;
}
