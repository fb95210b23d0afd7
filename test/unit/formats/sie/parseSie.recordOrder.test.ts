import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { issuesWith, parseBytes, parseOwnSie } from "./sieTestHelpers.ts";
import { ownFixture, readBytes } from "../../../helpers/fixtures.ts";

/**
 * SIE 4B §5.12–5.13: group 4 holds the balances (#IB, #UB, #RES, #PSALDO …) and the vouchers, in any order. The
 * reader streams the vouchers as it reads them and passes the accounts on at the end, with every balance applied
 * wherever it stood. own_type4_balances_after_vouchers.se has exactly the records of own_type4_utf8_crlf.se with the
 * balances moved behind (and one between) the #VER blocks (test/fixtures/sie/make_own_fixtures.py).
 */
describe("parseSie with balance records after the vouchers", () => {
  it("gives the same accounts and vouchers as the same file in the usual order", async () => {
    const usual = await parseOwnSie("own_type4_utf8_crlf.se");
    const late = await parseOwnSie("own_type4_balances_after_vouchers.se");
    const withoutLocation = (parsed: typeof usual) =>
      [...parsed.accounts.values()].map(({ location: _location, ...account }) => account);
    expect(withoutLocation(late)).toEqual(withoutLocation(usual));
    expect(late.transactions.map((t) => [t.id, t.lines])).toEqual(usual.transactions.map((t) => [t.id, t.lines]));
    // Hand-worked from the fixture: #IB 0 / #UB 0 / #RES 0 as written, wherever they stand.
    expect(late.accounts.get("1930")).toMatchObject({ opening: 100_000n, closing: 980_000n });
    expect(late.accounts.get("2440")).toMatchObject({ opening: -100_000n, closing: -100_000n });
    expect(late.accounts.get("2610")).toMatchObject({ opening: 0n, closing: -200_000n });
    expect(late.accounts.get("3010")).toMatchObject({ opening: 0n, closing: -800_000n });
    expect(late.accounts.get("4010")).toMatchObject({ opening: 0n, closing: 120_000n });
    expect(late.issues.map((issue) => issue.code)).toEqual(usual.issues.map((issue) => issue.code));
  });

  it("streams each voucher as soon as its '}' is read, before the balances that follow it", async () => {
    const { records } = await parseOwnSie("own_type4_balances_after_vouchers.se");
    const types = records.map((record) => record.type);
    expect(types.indexOf("transaction")).toBeLessThan(types.indexOf("account"));
    expect(types.lastIndexOf("transaction")).toBeLessThan(types.indexOf("account"));
  });

  it("reads a #SIETYP 4 file whose balances all follow the vouchers as 4E, correcting the header at the end", async () => {
    const { records, header } = await parseOwnSie("own_type4_balances_after_vouchers.se");
    // The header goes out at the first #VER, before any balance is seen; the correction follows the vouchers.
    expect(header.formatVersion).toBe("4I");
    const updates = records.filter((record) => record.type === "headerUpdate");
    expect(updates).toEqual([{ type: "headerUpdate", changes: { formatVersion: "4E" } }]);
  });

  it("takes a late #UB over the zero an account with only an #IB would otherwise close at", async () => {
    const parsed = await parseBytes(
      "#FLAGGA 0\n#SIETYP 4\n#VALUTA NOK\n#KONTO 1920 Bank\n#IB 0 1920 100\n" +
        "#VER A 1 20240101\n{\n#TRANS 1920 {} 50\n#TRANS 3000 {} -50\n}\n#UB 0 1920 150\n#RES 0 3000 -50\n",
    );
    expect(parsed.accounts.get("1920")).toEqual({
      id: "1920",
      name: "Bank",
      mapping: {},
      opening: 10_000n,
      closing: 15_000n,
      location: { line: 4, column: 1 },
    });
    expect(parsed.accounts.get("3000")).toMatchObject({ opening: 0n, closing: -5_000n });
  });

  it("marks a closing of 0 that no record states (an #IB without #UB, SIE 4B §5.17)", async () => {
    const parsed = await parseBytes(
      "#FLAGGA 0\n#VALUTA NOK\n#KONTO 1920 Bank\n#IB 0 1920 100\n#KONTO 1930 Bank 2\n#UB 0 1930 0\n",
    );
    expect(parsed.accounts.get("1920")).toMatchObject({ opening: 10_000n, closing: 0n, impliedClosing: true });
    expect(parsed.accounts.get("1930")).toMatchObject({ closing: 0n });
    expect(parsed.accounts.get("1930")).not.toHaveProperty("impliedClosing");
  });

  it("ignores #PSALDO wherever it stands: period balances are not account totals", async () => {
    const parsed = await parseBytes(
      "#FLAGGA 0\n#SIETYP 4\n#VALUTA NOK\n#VER A 1 20240101\n{\n#TRANS 1920 {} 50\n#TRANS 3000 {} -50\n}\n" +
        "#PSALDO 0 202401 3000 {} -50\n#RES 0 3000 -50\n",
    );
    expect(parsed.accounts.get("3000")).toMatchObject({ opening: 0n, closing: -5_000n });
    expect([...parsed.accounts.keys()]).toEqual(["3000"]);
  });
});

describe("parseSie with #TRANS rows that follow a #VER without '{'", () => {
  it("reads the e-conomic style fixture's vouchers with their rows, noted once", async () => {
    const parsed = await parseOwnSie("own_economic_no_open_brace.se");
    expect(parsed.transactions.map((t) => [t.id, t.lines.map((line) => [line.account, line.amount])])).toEqual([
      [
        "1-1",
        [
          ["1500", 125_000n],
          ["3000", -100_000n],
          ["2700", -25_000n],
        ],
      ],
      [
        "1-2",
        [
          ["1920", 125_000n],
          ["1500", -125_000n],
        ],
      ],
      [
        "1-3",
        [
          ["1500", 50_000n],
          ["3000", -40_000n],
          ["2700", -10_000n],
        ],
      ],
    ]);
    expect(issuesWith(parsed, "SIE_VOUCHER_BLOCK_NOT_OPENED")).toEqual([
      expect.objectContaining({ severity: "warning", transactionId: "1-1", location: { line: 17, column: 1 } }),
    ]);
    expect(issuesWith(parsed, "SIE_VOUCHER_BLOCK_NOT_OPENED")[0]!.message).toMatch(/^2 #VER record/);
    for (const code of [
      "SIE_TRANS_OUTSIDE_VOUCHER",
      "SIE_UNEXPECTED_BRACE",
      "SIE_VOUCHER_WITHOUT_ROWS",
      "SIE_UNCLOSED_BLOCK",
    ]) {
      expect(issuesWith(parsed, code)).toEqual([]);
    }
  });

  it("ends such rows at the next #VER or at the next record that is not a row", async () => {
    const parsed = await parseBytes(
      "#FLAGGA 0\n#VALUTA NOK\n#VER A 1 20240101\n#TRANS 1920 {} 5\n#TRANS 3000 {} -5\n" +
        "#VER A 2 20240102\n#TRANS 1920 {} 7\n#RTRANS 3000 {} -7\n#TRANS 3000 {} -7\n#UB 0 1920 12\n",
    );
    expect(parsed.transactions.map((t) => [t.id, t.lines.length])).toEqual([
      ["A-1", 2],
      ["A-2", 2],
    ]);
    expect(parsed.accounts.get("1920")!.closing).toBe(1_200n);
    expect(issuesWith(parsed, "SIE_VOUCHER_BLOCK_NOT_OPENED")).toHaveLength(1);
    expect(issuesWith(parsed, "SIE_UNCLOSED_BLOCK")).toEqual([]);
  });

  it("passes on the last such voucher at the end of the file, warning that the file may be cut off", async () => {
    const parsed = await parseBytes("#FLAGGA 0\n#VALUTA NOK\n#VER A 1 20240101\n#TRANS 1920 {} 5\n#TRANS 3000 {} -5\n");
    expect(parsed.transactions.map((t) => [t.id, t.lines.length])).toEqual([["A-1", 2]]);
    expect(issuesWith(parsed, "SIE_UNCLOSED_BLOCK")).toEqual([
      expect.objectContaining({ severity: "warning", transactionId: "A-1", location: { line: 6, column: 1 } }),
    ]);
  });

  it("still refuses a file whose real '{' is never closed (cut off)", async () => {
    await expect(parseBytes("#FLAGGA 0\n#VER A 1 20240101\n{\n#TRANS 1920 {} 5\n")).rejects.toMatchObject({
      code: "FORMAT_TRUNCATED",
    });
  });

  it("still skips a #TRANS with no #VER before it", async () => {
    const parsed = await parseBytes("#FLAGGA 0\n#VER A 1 20240101\n{\n}\n#TRANS 1920 {} 5\n");
    expect(parsed.transactions.map((t) => t.lines.length)).toEqual([0]);
    expect(issuesWith(parsed, "SIE_TRANS_OUTSIDE_VOUCHER")).toHaveLength(1);
  });
});

describe("parseSie on a Norwegian file without #VALUTA", () => {
  it("states no currency and says why (CURRENCY_NOT_STATED), rather than SEK", async () => {
    const parsed = await parseOwnSie("own_norwegian_no_valuta.se");
    expect(parsed.header.company).toEqual({ orgNumber: "923609016", name: "Fjellbekk Snekkeri AS" });
    expect(parsed.header).not.toHaveProperty("currency");
    expect(issuesWith(parsed, "CURRENCY_NOT_STATED")).toEqual([
      expect.objectContaining({ severity: "info", message: expect.stringMatching(/company is Norwegian/) }),
    ]);
    expect(issuesWith(parsed, "SIE_CURRENCY_ASSUMED")).toEqual([]);
  });
});

/** Chunk sizes: mostly tiny (cutting CR LF pairs, quotes, UTF-8 sequences and labels), some large. */
const chunkSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 8, max: 5000 })), {
  minLength: 1,
  maxLength: 40,
});

describe("parseSie output does not depend on chunking (new orderings)", () => {
  for (const name of [
    "own_type4_balances_after_vouchers.se",
    "own_economic_no_open_brace.se",
    "own_norwegian_no_valuta.se",
  ]) {
    it(`gives the same records for ${name}`, async () => {
      const bytes = await readBytes(ownFixture(`sie/${name}`));
      const whole = await parseBytes(bytes, { fileName: name }, [bytes.length]);
      await fc.assert(
        fc.asyncProperty(chunkSizes, async (sizes) => {
          expect((await parseBytes(bytes, { fileName: name }, sizes)).records).toEqual(whole.records);
        }),
        { numRuns: 100 },
      );
    });
  }
});
