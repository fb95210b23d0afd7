import { describe, expect, it } from "vitest";
import { problemFor } from "../../../../../lib/api/problem.ts";
import { ExportTooLargeError } from "../../../../../lib/export/errors.ts";
import type { TransactionLinesPage, TransactionLinesQuery } from "../../../../../lib/imports/listTransactionLines.ts";
import type { LedgerLine } from "../../../../../lib/ledger/types.ts";
import { API_XLSX_MAX_LINES, transactionLinesXlsxAnswer } from "../../../../../functions/http/figures/exportAnswers.ts";
import { negotiateLocale, negotiateRepresentation } from "../../../../../functions/http/shared/negotiate.ts";

const ref = { tenantId: "t", clientId: "c", engagementId: "e" };

/** A use case stand-in that pages through `total` lines, 1 000 at a time, recording what it was asked. */
function pagesOf(total: number) {
  const asked: TransactionLinesQuery[] = [];
  const listPage = async (query: TransactionLinesQuery): Promise<TransactionLinesPage> => {
    asked.push(query);
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    const end = Math.min(total, start + (query.limit ?? 100));
    const items: LedgerLine[] = [];
    for (let index = start; index < end; index++) {
      items.push({
        transactionId: String(index),
        lineNumber: 0,
        date: "2025-01-31",
        account: "1920",
        amount: BigInt(index),
      });
    }
    return { importId: "i", items, ...(end < total ? { nextCursor: String(end) } : {}) };
  };
  return { asked, listPage };
}

describe("the API's XLSX of the transactions", () => {
  it("reads every page with the filters and answers one workbook", async () => {
    const { asked, listPage } = pagesOf(2_500);
    const answer = await transactionLinesXlsxAnswer(listPage, ref, { account: "1920", limit: 7 }, "nb");
    expect(asked.map((query) => [query.account, query.limit, query.cursor])).toEqual([
      ["1920", 1000, undefined],
      ["1920", 1000, "1000"],
      ["1920", 1000, "2000"],
    ]);
    expect(answer.representation.body).toBeInstanceOf(Uint8Array);
    expect(answer.headers?.["content-disposition"]).toContain('filename="transaksjoner-c-e.xlsx"');
  });

  it(`refuses more than ${API_XLSX_MAX_LINES} lines with a 422 that says what works instead, before building anything`, async () => {
    const { asked, listPage } = pagesOf(API_XLSX_MAX_LINES + 1);
    const failure = await transactionLinesXlsxAnswer(listPage, ref, {}, "en").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ExportTooLargeError);
    expect(asked).toHaveLength(Math.ceil((API_XLSX_MAX_LINES + 1) / 1000));
    const { problem } = problemFor(failure, "request-1");
    expect(problem).toMatchObject({ status: 422, code: "EXPORT_TOO_LARGE" });
    expect(problem.detail).toContain("Accept: text/csv");
    expect(problem.detail).toContain("saldo transactions --format xlsx --output FILE");
  });
});

describe("content negotiation", () => {
  it("chooses by q-value and wildcard, JSON by default, 406 when nothing offered is acceptable", () => {
    const offered = ["json", "csv", "xlsx"] as const;
    expect(negotiateRepresentation({}, offered)).toBe("json");
    expect(negotiateRepresentation({ accept: "text/*" }, offered)).toBe("csv");
    expect(
      negotiateRepresentation(
        { accept: "application/json;q=0.1, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
        offered,
      ),
    ).toBe("xlsx");
    expect(() => negotiateRepresentation({ accept: "text/html" }, offered)).toThrow(
      expect.objectContaining({ status: 406, code: "NOT_ACCEPTABLE" }),
    );
  });

  it("writes Norwegian titles unless English is preferred", () => {
    expect(negotiateLocale({})).toBe("nb");
    expect(negotiateLocale({ "accept-language": "sv-SE" })).toBe("nb");
    expect(negotiateLocale({ "accept-language": "nn-NO, en;q=0.5" })).toBe("nb");
    expect(negotiateLocale({ "accept-language": "en-US, nb;q=0.5" })).toBe("en");
  });
});
