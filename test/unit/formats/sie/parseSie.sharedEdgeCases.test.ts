import { describe, expect, it } from "vitest";
import { TruncatedInputError } from "../../../../lib/formats/errors.ts";
import { hasSharedFixtures, readBytes, sharedFixture } from "../../../helpers/fixtures.ts";
import { issuesWith, parseBytes, parseSharedSie, sum } from "./sieTestHelpers.ts";

// Figures below were read off the files with grep/python (line numbers with `grep -n`).

describe.skipIf(!hasSharedFixtures)("parseSie on the deliberately broken Sie4j samples", () => {
  it("drops a fiscal year that ends before it starts (erroneous leap year) and keeps the prior year", async () => {
    const parsed = await parseSharedSie("sie4j/BLBLOV_SIE1_erroneous_leap_year.SE");
    const [issue] = issuesWith(parsed, "SIE_INVALID_FISCAL_YEAR");
    expect(issue).toMatchObject({ severity: "error", location: { line: 10, column: 1 } });
    expect(issue!.message).toContain("2020-02-28");
    expect(parsed.header.period).toBeUndefined();
    expect(parsed.header.priorPeriod).toEqual({ start: "2020-03-01", end: "2021-02-28" });
    expect(parsed.accounts.size).toBe(202);
  });

  it("reports an empty #IB amount with its location and leaves that opening balance undefined", async () => {
    const parsed = await parseSharedSie("sie4j/BLBLOV_SIE4_UTF_8_with_missing_account_balance.SE");
    expect(issuesWith(parsed, "SIE_INVALID_AMOUNT")).toEqual([
      expect.objectContaining({ severity: "error", account: "1119", location: { line: 426, column: 12 } }),
    ]);
    const account = parsed.accounts.get("1119")!;
    expect(account.opening).toBeUndefined();
    expect(account.closing).toBe(-10_000_000n);
    expect(account.prior).toEqual({ opening: -6_000_000n, closing: -8_000_000n });
  });

  it("keeps a voucher without a date, with an error and an empty date", async () => {
    const parsed = await parseSharedSie("sie4j/BLBLOV_SIE4_UTF_8_with_missing_voucher_date.SI");
    expect(issuesWith(parsed, "SIE_MISSING_VOUCHER_DATE")).toEqual([
      expect.objectContaining({ severity: "error", transactionId: "K-line8", location: { line: 8, column: 12 } }),
    ]);
    expect(parsed.transactions).toHaveLength(1);
    expect(parsed.transactions[0]!.date).toBe("");
    expect(parsed.transactions[0]!.lines.map((line) => line.amount)).toEqual([10_000n, -2_000n, -8_000n]);
  });

  it("reads an ISO voucher date with a warning", async () => {
    const parsed = await parseSharedSie("sie4j/BLBLOV_SIE4_UTF_8_with_iso_voucher_date.SI");
    expect(issuesWith(parsed, "SIE_NONSTANDARD_DATE")).toEqual([
      expect.objectContaining({ severity: "warning", location: { line: 8, column: 13 } }),
    ]);
    expect(parsed.transactions[0]!.date).toBe("2018-05-01");
    expect(parsed.transactions[0]!.entryDate).toBe("2018-05-03");
  });

  it("keeps a non-numeric account number with a warning", async () => {
    const parsed = await parseSharedSie("sie4j/BLBLOV_SIE4_UTF_8_with_non_numeric_account_number.SE");
    expect(issuesWith(parsed, "SIE_NON_NUMERIC_ACCOUNT")).toEqual([
      expect.objectContaining({ severity: "warning", account: "11AF", location: { line: 16, column: 8 } }),
    ]);
    expect(parsed.accounts.get("11AF")!.name).toBe("Mark");
    expect(parsed.accounts.has("1130")).toBe(false);
  });

  it("passes on the voucher whose row was changed from 72.00 to 72.10 as it stands", async () => {
    const parsed = await parseSharedSie("sie4j/BLBLOV_SIE4_UTF_8_with_imbalanced_voucher.SE");
    const voucher = parsed.transactions.find((t) => t.id === "A-1")!;
    expect(voucher.lines.map((line) => [line.account, line.amount])).toEqual([
      ["1930", -100_000n],
      ["6072", 92_800n],
      ["2640", 7_210n],
    ]);
    expect(sum(voucher.lines.map((line) => line.amount))).toBe(10n);
    expect(parsed.issues.filter((issue) => issue.severity === "error")).toEqual([]);
  });

  it("passes on both imbalanced vouchers of the 4I file with their rows", async () => {
    const parsed = await parseSharedSie("sie4j/BLBLOV_SIE4_UTF_8_IMBALANCED.SI");
    expect(parsed.transactions.map((t) => t.lines.map((line) => line.amount))).toEqual([
      [10_000n, -1_945n, -8_000n],
      [50_000n, -5_357n, -44_657n],
    ]);
    expect(parsed.transactions.map((t) => sum(t.lines.map((line) => line.amount)))).toEqual([55n, -14n]);
  });

  it("passes on jsisie's bad-balance voucher B:1 off by -12771.00", async () => {
    const parsed = await parseSharedSie("jsisie/transaktioner_ovnbolag-bad-balance.se");
    const voucher = parsed.transactions.find((t) => t.id === "B-1")!;
    expect(voucher.location).toEqual({ line: 3905, column: 1 });
    expect(sum(voucher.lines.map((line) => line.amount))).toBe(-1_277_100n);
  });
});

describe.skipIf(!hasSharedFixtures)("parseSie on vendor quirks in the shared samples", () => {
  it('unescapes \\" inside quoted fields (Quotes_test.si)', async () => {
    const parsed = await parseSharedSie("sie4j/Quotes_test.si");
    expect(parsed.header.software).toEqual({ name: "Kassasystem", version: '1.0 - "Oblique Ozelot" - alpha' });
    expect(parsed.transactions[0]!.description).toBe('Försäljning 25% "DF:157"');
  });

  it("joins an unquoted company name with blanks (BLBLOV_SIE4.SI)", async () => {
    const parsed = await parseSharedSie("sie4j/BLBLOV_SIE4.SI");
    expect(parsed.header.company.name).toBe("Övningsbolaget AB");
  });

  it("keeps a bare quote inside a name as a character (SoftOne XE)", async () => {
    const parsed = await parseSharedSie("jsisie/XE_SIE_4_20151125095119.SE");
    expect(parsed.accounts.get("1710")!.name).toBe('F"rutbetalda hyreskostnad');
    expect(parsed.accounts.get("1684")!.name).toBe('Fordringar hos leverant"r');
  });

  it("passes on XE voucher 1:1 that is off by 2.00 and keeps the broken prior year", async () => {
    const parsed = await parseSharedSie("jsisie/XE_SIE_4_20151125095119.SE");
    const voucher = parsed.transactions.find((t) => t.id === "1-1")!;
    expect(sum(voucher.lines.map((line) => line.amount))).toBe(200n);
    expect(parsed.header.priorPeriod).toEqual({ start: "2013-07-01", end: "2015-08-31" });
    // 3010 has both #UB 0 and #RES 0 with the same amount: no conflict.
    expect(parsed.accounts.get("3010")!.closing).toBe(-6_861_674n);
    expect(issuesWith(parsed, "SIE_UB_RES_CONFLICT")).toEqual([]);
  });

  it("reads a one-decimal amount (Fortnox Sie4.si: #UB 0 1930 3438419.5)", async () => {
    const parsed = await parseSharedSie("jsisie/Sie4.si");
    expect(parsed.accounts.get("1930")!.closing).toBe(343_841_950n);
    expect(parsed.header.formatVersion).toBe("4I");
  });

  it("maps object lists to dimensions and keeps quantities (Kontek Lön 4I)", async () => {
    const parsed = await parseSharedSie("jsisie/LON_Lönekörning.SI");
    const [voucher] = parsed.transactions;
    expect(voucher).toMatchObject({ id: "line13", date: "2011-02-25", entryDate: "2011-03-01" });
    expect(voucher!.journal).toBeUndefined();
    expect(voucher!.lines[7]).toEqual({
      account: "7010",
      amount: 2_415_000n,
      dimensions: [{ type: "1", id: "200" }],
      quantity: "1.00",
    });
    expect(voucher!.lines[10]!.dimensions).toEqual([
      { type: "1", id: "100" },
      { type: "6", id: "Obj300" },
      { type: "20", id: "1234567890" },
    ]);
  });

  it("names vouchers with an empty series by their number (Z-rapport)", async () => {
    const parsed = await parseSharedSie("sie4j/Transaktioner_per_Z-rapport.se");
    expect(parsed.transactions.slice(0, 3).map((t) => t.id)).toEqual(["64", "65", "66"]);
    expect(parsed.transactions[0]!.journal).toBeUndefined();
  });

  it("counts but does not sum #RTRANS and #BTRANS rows (BL0001 type 4)", async () => {
    const parsed = await parseSharedSie("jsisie/BL0001_typ4.SE");
    const [note] = issuesWith(parsed, "SIE_AUDIT_TRAIL_IGNORED");
    expect(note!.severity).toBe("info");
    expect(note!.message).toContain("6 #RTRANS and 3 #BTRANS");
    for (const voucher of parsed.transactions) expect(sum(voucher.lines.map((line) => line.amount))).toBe(0n);
  });

  it("keeps the first of two #SRU codes and notes it once (CC2-foretaget)", async () => {
    const parsed = await parseSharedSie("sie4j/CC2-foretaget.SE");
    expect([...parsed.accounts.values()].filter((a) => a.mapping.sru !== undefined)).toHaveLength(205);
    expect(parsed.accounts.get("6072")!.mapping.sru).toBe("7513");
    expect(issuesWith(parsed, "SIE_DUPLICATE_SRU")).toHaveLength(1);
    expect(issuesWith(parsed, "SIE_DUPLICATE_SRU")[0]!.message).toMatch(/^8 #SRU records/);
  });

  it("reports a #RAR 0 without dates as incomplete (BL0001 4I)", async () => {
    const parsed = await parseSharedSie("jsisie/BL0001_typ4I.SI");
    expect(issuesWith(parsed, "SIE_INCOMPLETE_RECORD")).toEqual([
      expect.objectContaining({ severity: "warning", location: { line: 7, column: 1 } }),
    ]);
    expect(parsed.transactions[0]!.id).toBe("0");
  });
});

describe.skipIf(!hasSharedFixtures)("#KSUMMA on the shared samples (SIE 4B §10)", () => {
  const files = ["jsisie/Sie1.se", "jsisie/Norstedts_Bokslut_SIE_1.se", "jsisie/Norstedts_Bokslut_SIE_4I.si"];

  for (const file of files) {
    it(`verifies the declared checksum of ${file}`, async () => {
      const parsed = await parseSharedSie(file);
      expect(issuesWith(parsed, "SIE_KSUMMA_MISMATCH")).toEqual([]);
      expect(issuesWith(parsed, "SIE_KSUMMA_WITHOUT_START")).toEqual([]);
    });
  }

  it("reports a mismatch when one digit of an amount is changed", async () => {
    const bytes = await readBytes(sharedFixture("sie/jsisie/Sie1.se"));
    const text = Buffer.from(bytes).toString("latin1");
    const at = text.indexOf("#UB\t0\t1210\t64490.00");
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(text.slice(0, at) + "#UB\t0\t1210\t64491.00" + text.slice(at + 19), "latin1");
    const parsed = await parseBytes(tampered, { fileName: "Sie1.se" });
    const [mismatch] = issuesWith(parsed, "SIE_KSUMMA_MISMATCH");
    expect(mismatch).toMatchObject({ severity: "error" });
    expect(mismatch!.message).toContain("909685525");
    expect(parsed.accounts.get("1210")!.closing).toBe(6_449_100n);
  });

  it("throws TruncatedInputError when the closing #KSUMMA is cut off", async () => {
    const bytes = await readBytes(sharedFixture("sie/jsisie/Norstedts_Bokslut_SIE_1.se"));
    const text = Buffer.from(bytes).toString("latin1");
    const cut = Buffer.from(text.slice(0, text.lastIndexOf("#KSUMMA")), "latin1");
    await expect(parseBytes(cut, { fileName: "cut.se" })).rejects.toThrow(TruncatedInputError);
  });
});
