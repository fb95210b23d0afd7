import { PassThrough } from "node:stream";
import { buffer } from "node:stream/consumers";
import { RequestValidationError } from "../../../lib/api/errors.ts";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { ExportTooLargeError } from "../../../lib/export/errors.ts";
import {
  contentDisposition,
  contentTypeOf,
  exportFileName,
  type ExportFormat,
} from "../../../lib/export/exportFormats.ts";
import {
  transactionLinesCsvHeader,
  transactionLinesCsvRecords,
  writeTransactionLinesXlsx,
} from "../../../lib/export/transactionLinesExport.ts";
import { trialBalanceCsv, trialBalanceXlsx } from "../../../lib/export/trialBalanceExport.ts";
import type { TransactionLinesQueryInput } from "../../../lib/imports/importViews.ts";
import {
  TRANSACTION_LINES_MAX_LIMIT,
  type TransactionLinesPage,
  type TransactionLinesQuery,
} from "../../../lib/imports/listTransactionLines.ts";
import type { LedgerLine } from "../../../lib/ledger/types.ts";
import type { TrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import type { Locale } from "../../../lib/presentation/locale.ts";
import type { RawHttpResult } from "../shared/types.ts";

/**
 * Lambda answers a synchronous invocation with at most 6 MB (API Gateway passes it on); a binary body travels base64
 * (4/3 the size) and the headers count too. Exports stay below this many bytes before encoding.
 */
export const API_EXPORT_MAX_BYTES = 4_400_000;
/** An XLSX of the transactions through the API holds at most this many lines; more is a 422 pointing to CSV pages. */
export const API_XLSX_MAX_LINES = 50_000;

/** An export as the answer's body: `Content-Type`, a download file name, the language of its titles. */
function exportAnswer(
  format: ExportFormat,
  body: string | Uint8Array,
  fileName: string,
  locale: Locale,
  options: { header?: boolean; headers?: Record<string, string> } = {},
): RawHttpResult {
  const size = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
  if (size > API_EXPORT_MAX_BYTES) {
    throw new ExportTooLargeError(
      `the ${format.toUpperCase()} export is ${size} bytes, more than an API answer carries (${API_EXPORT_MAX_BYTES}): ` +
        "page the transactions as CSV (Accept: text/csv, limit and cursor) or use `saldo … --format " +
        format +
        " --output FILE`",
      { format, size, limit: API_EXPORT_MAX_BYTES },
    );
  }
  return {
    status: 200,
    representation: { contentType: contentTypeOf(format, options), body },
    headers: {
      "content-disposition": contentDisposition(fileName),
      "content-language": locale === "nb" ? "nb" : "en",
      ...options.headers,
    },
  };
}

/** `GET …/trial-balance` as CSV or XLSX: the same file `saldo trial-balance --format csv|xlsx` writes. */
export async function trialBalanceExportAnswer(
  view: TrialBalanceView,
  format: ExportFormat,
  locale: Locale,
): Promise<RawHttpResult> {
  const fileName = exportFileName("trial-balance", view.engagement, format, locale);
  const body =
    format === "csv" ? trialBalanceCsv(view.summary.rows, locale) : await trialBalanceXlsx(view.summary.rows, locale);
  return exportAnswer(format, body, fileName, locale);
}

/**
 * One page of `GET …/transactions` as CSV: the page that starts a paging run (no cursor) begins with the BOM and the
 * header row, later pages hold records only, so the pages of one run appended in order are one CSV file. The next
 * page's cursor is in `x-next-cursor` (absent on the last page).
 */
export function transactionLinesCsvPageAnswer(
  page: TransactionLinesPage,
  ref: EngagementRef,
  query: TransactionLinesQueryInput,
  locale: Locale,
): RawHttpResult {
  const first = query.cursor === undefined;
  const body = (first ? transactionLinesCsvHeader(locale) : "") + transactionLinesCsvRecords(page.items);
  return exportAnswer("csv", body, exportFileName("transactions", ref, "csv", locale), locale, {
    header: first,
    headers: page.nextCursor !== undefined ? { "x-next-cursor": page.nextCursor } : {},
  });
}

/**
 * All filtered lines of `GET …/transactions` as one XLSX workbook. One file has no pages: a `cursor` is refused, and
 * `limit` does not apply. Above {@link API_XLSX_MAX_LINES} lines (or the answer size) the answer is a 422
 * `EXPORT_TOO_LARGE` that points to CSV pages and the CLI, which streams any number of lines into a file.
 */
export async function transactionLinesXlsxAnswer(
  listPage: (query: TransactionLinesQuery) => Promise<TransactionLinesPage>,
  ref: EngagementRef,
  query: TransactionLinesQueryInput,
  locale: Locale,
): Promise<RawHttpResult> {
  if (query.cursor !== undefined) {
    throw new RequestValidationError([
      {
        path: "query.cursor",
        message: "an XLSX export is one file and has no pages: page with Accept: text/csv or application/json",
      },
    ]);
  }
  const filters: TransactionLinesQuery = {
    ...(query.account !== undefined ? { account: query.account } : {}),
    ...(query.from !== undefined ? { from: query.from } : {}),
    ...(query.to !== undefined ? { to: query.to } : {}),
    ...(query.voucher !== undefined ? { voucher: query.voucher } : {}),
  };
  const lines: LedgerLine[][] = [];
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await listPage({
      ...filters,
      limit: TRANSACTION_LINES_MAX_LIMIT,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    lines.push(page.items);
    count += page.items.length;
    if (count > API_XLSX_MAX_LINES) {
      throw new ExportTooLargeError(
        `more than ${API_XLSX_MAX_LINES} transaction lines match: too many for one XLSX answer of the API. Narrow the ` +
          "filters (account, from, to, voucher), page them as CSV (Accept: text/csv, limit and cursor), or use " +
          "`saldo transactions --format xlsx --output FILE`, which has no limit",
        { format: "xlsx", lines: count, limit: API_XLSX_MAX_LINES },
      );
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const sink = new PassThrough();
  const pages = (async function* () {
    yield* lines;
  })();
  const [bytes] = await Promise.all([buffer(sink), writeTransactionLinesXlsx(pages, locale, sink)]);
  return exportAnswer("xlsx", new Uint8Array(bytes), exportFileName("transactions", ref, "xlsx", locale), locale);
}
