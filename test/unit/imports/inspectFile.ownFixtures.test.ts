import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inspectFile } from "../../../lib/imports/inspectFile.ts";
import { toLedgerJson, type LedgerJson } from "../../../lib/ledger/ledgerJson.ts";
import { formatOre, parseOre } from "../../../lib/money/ore.ts";
import { fileSource } from "../../../lib/formats/shared/sources.ts";
import { ownFixture } from "../../helpers/fixtures.ts";

/**
 * `saldo inspect` (detection → parser → summarizer → JSON) on the project's own SIE and CSV fixtures, so the whole
 * inspect path stays covered for those formats when ../shared is absent (SAF-T has the bundled demo sample in
 * test/integration/cli/saldo.test.ts). The parsers' records are tested in test/unit/formats.
 *
 * SIE figures were worked out by hand from the fixture text (test/fixtures/sie): opening = #IB 0, closing = #UB 0
 * else #RES 0 (a missing side 0), movement = Σ #TRANS when the file has vouchers, else closing − opening. CSV
 * figures come from each fixture's `*.expected.json`, written by test/fixtures/csv/generate.py from its own table;
 * where a file states only the closing balance, opening and movement are unknown (null, issue #7), with one
 * OPENING_NOT_STATED info issue.
 */
async function inspectOwn(relativePath: string): Promise<LedgerJson> {
  const fileName = relativePath.split("/").pop()!;
  return toLedgerJson(await inspectFile(fileSource(ownFixture(relativePath)), { fileName }));
}

type Row = [account: string, opening: string | null, movement: string | null, closing: string];
const rowsOf = (json: LedgerJson): Row[] => json.accounts.map((a) => [a.account, a.opening, a.movement, a.closing]);
const findingsOf = (json: LedgerJson) =>
  json.issues.filter((issue) => issue.severity !== "info").map((issue) => issue.code);
const ZERO_TOTALS = { opening: "0.00", movement: "0.00", closing: "0.00" };
const NO_TRANSACTIONS = { count: 0, lines: 0, totalDebit: "0.00", totalCredit: "0.00" };

describe("inspecting the own SIE fixtures", () => {
  it("type 4 with vouchers: movement is the sum of #TRANS, #RTRANS/#BTRANS are left out", async () => {
    const json = await inspectOwn("sie/own_type4_utf8_crlf.se");
    expect(json).toMatchObject({ format: "sie", encoding: "utf-8", currency: "SEK" });
    expect(json.company).toEqual({ orgNumber: "5569876543", name: "Öresunds Ärendehantering AB" });
    expect(json.period).toEqual({ start: "2024-07-01", end: "2025-06-30" });
    // A 1: 1930 +10 000, 3010 −8 000, 2610 −2 000; A 2: 4010 +1 200, 2440 −1 200; B 7: 2440 +1 200, 1930 −1 200.
    expect(rowsOf(json)).toEqual([
      ["1930", "1000.00", "8800.00", "9800.00"],
      ["2440", "-1000.00", "0.00", "-1000.00"],
      ["2610", "0.00", "-2000.00", "-2000.00"],
      ["3010", "0.00", "-8000.00", "-8000.00"],
      ["4010", "0.00", "1200.00", "1200.00"],
    ]);
    expect(json.totals).toEqual(ZERO_TOTALS);
    expect(json.transactions).toEqual({ count: 3, lines: 7, totalDebit: "12400.00", totalCredit: "12400.00" });
    // UTF-8 bytes under `#FORMAT PC8` is the one finding; the figures agree everywhere.
    expect(findingsOf(json)).toEqual(["ENCODING_OVERRIDDEN"]);
  });

  it("type 1 without vouchers: movement is closing − opening, and balances of an account without #KONTO count", async () => {
    const json = await inspectOwn("sie/own_type1_cp437.se");
    expect(json).toMatchObject({ format: "sie", formatVersion: "1", encoding: "cp437", currency: "SEK" });
    expect(json.company).toEqual({ orgNumber: "5561234567", name: "Åkerbärs Hälsokost AB" });
    expect(rowsOf(json)).toEqual([
      ["1510", "12000.50", "-4000.50", "8000.00"],
      ["1630", "-500.00", "0.00", "-500.00"],
      ["1930", "25500.00", "35500.25", "61000.25"],
      ["2081", "-25000.00", "0.00", "-25000.00"],
      ["2440", "-12000.50", "7500.50", "-4500.00"],
      ["3010", "0.00", "-120000.00", "-120000.00"],
      ["5010", "0.00", "80000.00", "80000.00"],
      ["6570", "0.00", "999.75", "999.75"],
    ]);
    // ΣIB 0 = 0; ΣUB 0 = 39 000.25 and ΣRES 0 = −39 000.25, so the closing side sums to zero too.
    expect(json.totals).toEqual(ZERO_TOTALS);
    expect(json.transactions).toEqual(NO_TRANSACTIONS);
    expect(findingsOf(json)).toEqual([]);
  });

  it("Norwegian PC8 is read as CP865 (ø/Ø), and the override is reported", async () => {
    const json = await inspectOwn("sie/own_norwegian_cp865.se");
    expect(json).toMatchObject({ format: "sie", encoding: "cp865", currency: "NOK" });
    expect(json.company).toEqual({ orgNumber: "987654321", name: "Bjørnstad Økonomi AS" });
    expect(json.accounts.map((a) => a.name)).toContain("Bank- og kortgebyrer Østlandet");
    expect(rowsOf(json)).toEqual([
      ["1500", "0.00", "0.00", "0.00"],
      ["1920", "50000.00", "20000.00", "70000.00"],
      ["2050", "-50000.00", "0.00", "-50000.00"],
      ["3000", "0.00", "-30000.00", "-30000.00"],
      ["6300", "0.00", "9500.00", "9500.00"],
      ["7770", "0.00", "500.00", "500.00"],
    ]);
    expect(json.totals).toEqual(ZERO_TOTALS);
    expect(findingsOf(json)).toEqual(["ENCODING_OVERRIDDEN"]);
  });

  it("balances after the vouchers give the trial balance of the same file in the usual order", async () => {
    const usual = await inspectOwn("sie/own_type4_utf8_crlf.se");
    const late = await inspectOwn("sie/own_type4_balances_after_vouchers.se");
    expect(late.formatVersion).toBe("4E");
    expect(late.accounts).toEqual(usual.accounts);
    expect(late.totals).toEqual(usual.totals);
    expect(late.transactions).toEqual(usual.transactions);
    expect(late.issues.map(({ location: _location, ...issue }) => issue)).toEqual(
      usual.issues.map(({ location: _location, ...issue }) => issue),
    );
    // No CLOSING_MISMATCH saying the file states 0.00: the #UB records after the vouchers are the closing.
    expect(findingsOf(late)).toEqual(["ENCODING_OVERRIDDEN"]);
  });

  it("the totals are the sums of the rows, whatever order the balances come in", async () => {
    for (const name of [
      "own_type4_utf8_crlf.se",
      "own_type4_balances_after_vouchers.se",
      "own_economic_no_open_brace.se",
    ]) {
      const json = await inspectOwn(`sie/${name}`);
      for (const side of ["opening", "movement", "closing"] as const) {
        const sum = json.accounts.reduce((total, row) => {
          const figure = row[side];
          if (figure === null) throw new Error(`${name}: ${side} of ${row.account} unknown`);
          return total + parseOre(figure);
        }, 0n);
        expect(json.totals[side]).toBe(formatOre(sum));
      }
    }
  });

  it("e-conomic style vouchers whose rows come without '{' count, with one warning", async () => {
    const json = await inspectOwn("sie/own_economic_no_open_brace.se");
    expect(json).toMatchObject({ format: "sie", formatVersion: "4E", currency: "NOK" });
    // 1-1: 1500 +1 250, 3000 −1 000, 2700 −250; 1-2: 1920 +1 250, 1500 −1 250; 1-3: 1500 +500, 3000 −400, 2700 −100.
    expect(rowsOf(json)).toEqual([
      ["1500", "0.00", "500.00", "500.00"],
      ["1920", "10000.00", "1250.00", "11250.00"],
      ["2050", "-10000.00", "0.00", "-10000.00"],
      ["2700", "0.00", "-350.00", "-350.00"],
      ["3000", "0.00", "-1400.00", "-1400.00"],
    ]);
    expect(json.totals).toEqual(ZERO_TOTALS);
    expect(json.transactions).toEqual({ count: 3, lines: 8, totalDebit: "3000.00", totalCredit: "3000.00" });
    expect(findingsOf(json)).toEqual(["SIE_VOUCHER_BLOCK_NOT_OPENED"]);
  });

  it("a Norwegian SIE file without #VALUTA states no currency: null, with CURRENCY_NOT_STATED", async () => {
    const json = await inspectOwn("sie/own_norwegian_no_valuta.se");
    expect(json.currency).toBeNull();
    expect(json.company).toEqual({ orgNumber: "923609016", name: "Fjellbekk Snekkeri AS" });
    expect(json.issues.filter((issue) => issue.code === "CURRENCY_NOT_STATED")).toEqual([
      expect.objectContaining({ severity: "info" }),
    ]);
    expect(rowsOf(json)).toEqual([
      ["1920", "5000.00", "800.00", "5800.00"],
      ["2050", "-5000.00", "0.00", "-5000.00"],
      ["3000", "0.00", "-800.00", "-800.00"],
    ]);
    expect(findingsOf(json)).toEqual([]);
  });
});

interface ExpectedCsv {
  accounts: { account: string; name: string; opening?: string; movement?: string; closing: string }[];
  totals: { opening?: string; movement?: string; closing: string };
}

const CSV_FIXTURES = readdirSync(ownFixture("csv"))
  .filter((file) => file.endsWith(".expected.json"))
  .map((file) => file.slice(0, -".expected.json".length));

describe("inspecting the own CSV fixtures", () => {
  it("finds every CSV fixture that has an expected trial balance", () => {
    expect(CSV_FIXTURES).toHaveLength(6);
  });

  it.each(CSV_FIXTURES)("%s: the expected trial balance, balanced on every side, no findings", async (file) => {
    const expected = JSON.parse(readFileSync(ownFixture(`csv/${file}.expected.json`), "utf8")) as ExpectedCsv;
    const json = await inspectOwn(`csv/${file}`);
    expect(json.format).toBe("csv");
    expect(rowsOf(json)).toEqual(
      expected.accounts.map((row): Row => {
        const opening = row.opening ?? null;
        const movement =
          row.movement ?? (opening === null ? null : formatOre(parseOre(row.closing) - parseOre(opening)));
        return [row.account, opening, movement, row.closing];
      }),
    );
    expect(json.accounts.map((a) => a.name)).toEqual(expected.accounts.map((row) => row.name));
    const closingOnly = expected.accounts.every((row) => row.opening === undefined);
    expect(json.totals).toEqual(closingOnly ? { opening: null, movement: null, closing: "0.00" } : ZERO_TOTALS);
    expect(json.issues.filter((issue) => issue.code === "OPENING_NOT_STATED")).toHaveLength(closingOnly ? 1 : 0);
    expect(expected.totals.closing).toBe("0.00");
    expect(json.transactions).toEqual(NO_TRANSACTIONS);
    expect(findingsOf(json)).toEqual([]);
  });
});
