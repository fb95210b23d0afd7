import { describe, expect, it } from "vitest";
import { issuesWith, parseOwnSie, sum } from "./sieTestHelpers.ts";

// Own fixtures (test/fixtures/sie, see PROVENANCE.md there): figures below are the ones written into the files.

describe("parseSie on the own type 1 fixture (CP437, #KSUMMA)", () => {
  it("reads the header", async () => {
    const { header } = await parseOwnSie("own_type1_cp437.se");
    expect(header).toEqual({
      format: "sie",
      formatVersion: "1",
      encoding: "cp437",
      company: { name: "Åkerbärs Hälsokost AB", orgNumber: "5561234567" },
      period: { start: "2024-01-01", end: "2024-12-31" },
      priorPeriod: { start: "2023-01-01", end: "2023-12-31" },
      currency: "SEK",
      software: { name: "saldo testdata", version: "1.0" },
      createdAt: "2025-01-10",
    });
  });

  it("passes on the accounts in order of first mention, balances in øre", async () => {
    const { accounts, records } = await parseOwnSie("own_type1_cp437.se");
    expect([...accounts.keys()]).toEqual(["1510", "1930", "2081", "2440", "3010", "5010", "6570", "1630"]);
    expect(accounts.get("1510")).toEqual({
      id: "1510",
      name: "Kundfordringar",
      mapping: { sru: "7251", accountType: "T" },
      opening: 1_200_050n,
      closing: 800_000n,
      location: { line: 13, column: 1 },
    });
    expect(records.at(-1)!.type).toBe("account");
  });

  it("gives result accounts an opening of 0 and #RES as closing", async () => {
    const { accounts } = await parseOwnSie("own_type1_cp437.se");
    expect(accounts.get("3010")).toMatchObject({
      opening: 0n,
      closing: -12_000_000n,
      mapping: { accountType: "I", sru: "7410" },
    });
    expect(accounts.get("6570")).toMatchObject({ opening: 0n, closing: 99_975n });
  });

  it("keeps the prior year from #IB -1, #UB -1 and #RES -1", async () => {
    const { accounts } = await parseOwnSie("own_type1_cp437.se");
    expect(accounts.get("1930")!.prior).toEqual({ opening: 1_000_000n, closing: 2_550_000n });
    expect(accounts.get("3010")!.prior).toEqual({ opening: 0n, closing: -9_000_000n });
    expect(accounts.get("2440")!.prior).toBeUndefined();
  });

  it("creates an account with an empty name for balances without #KONTO", async () => {
    const { accounts } = await parseOwnSie("own_type1_cp437.se");
    expect(accounts.get("1630")).toEqual({
      id: "1630",
      name: "",
      mapping: {},
      opening: -50_000n,
      closing: -50_000n,
      location: { line: 36, column: 1 },
    });
  });

  it("ignores extra trailing fields and balances the books", async () => {
    const parsed = await parseOwnSie("own_type1_cp437.se");
    expect(parsed.accounts.get("5010")!.name).toBe("Lokalhyra");
    const all = [...parsed.accounts.values()];
    expect(sum(all.map((a) => a.opening))).toBe(0n);
    expect(sum(all.map((a) => a.closing))).toBe(0n);
  });

  it("verifies its #KSUMMA and raises no issue at all", async () => {
    const parsed = await parseOwnSie("own_type1_cp437.se");
    expect(parsed.issues).toEqual([]);
  });
});

describe("parseSie on the own type 4 fixture (UTF-8, CRLF)", () => {
  it("reads the header as 4E with the currency given", async () => {
    const { header } = await parseOwnSie("own_type4_utf8_crlf.se");
    expect(header).toMatchObject({
      formatVersion: "4E",
      encoding: "utf-8",
      company: { name: "Öresunds Ärendehantering AB", orgNumber: "5569876543" },
      period: { start: "2024-07-01", end: "2025-06-30" },
      currency: "SEK",
    });
  });

  it("streams the vouchers and passes on the accounts at the end, with zero openings left out by the writer", async () => {
    const { records, accounts } = await parseOwnSie("own_type4_utf8_crlf.se");
    expect(records.map((r) => r.type)).toEqual([
      "header",
      "issue",
      "transaction",
      "transaction",
      "transaction",
      "account",
      "account",
      "account",
      "account",
      "account",
      "issue",
    ]);
    expect(accounts.get("2610")).toMatchObject({ opening: 0n, closing: -200_000n });
    expect(accounts.get("1930")).toMatchObject({ opening: 100_000n, closing: 980_000n });
  });

  it("maps a voucher with its rows, dimensions, quantities and escaped quotes", async () => {
    const { transactions } = await parseOwnSie("own_type4_utf8_crlf.se");
    expect(transactions[0]).toEqual({
      id: "A-1",
      journal: "A",
      date: "2024-07-05",
      description: 'Faktura 1001 "Ärende"',
      entryDate: "2024-07-06",
      location: { line: 28, column: 1 },
      lines: [
        { account: "1930", amount: 1_000_000n },
        {
          account: "3010",
          amount: -800_000n,
          dimensions: [{ type: "1", id: "10" }],
          description: "Konsult",
          quantity: "2.5",
        },
        { account: "2610", amount: -200_000n },
      ],
    });
  });

  it("keeps a row date only when it differs from the voucher date", async () => {
    const { transactions } = await parseOwnSie("own_type4_utf8_crlf.se");
    expect(transactions[1]!.lines[0]).toEqual({
      account: "4010",
      amount: 120_000n,
      dimensions: [
        { type: "1", id: "10" },
        { type: "6", id: "P1" },
      ],
      date: "2024-07-11",
      description: "Kabel",
    });
  });

  it("leaves #RTRANS and #BTRANS out of the voucher and notes them", async () => {
    const parsed = await parseOwnSie("own_type4_utf8_crlf.se");
    expect(parsed.transactions[1]!.lines).toHaveLength(2);
    expect(issuesWith(parsed, "SIE_AUDIT_TRAIL_IGNORED")[0]!.message).toContain("1 #RTRANS and 1 #BTRANS");
  });

  it("ignores #OIB, #PSALDO, #DIM, #OBJEKT and unknown labels", async () => {
    const parsed = await parseOwnSie("own_type4_utf8_crlf.se");
    expect(parsed.accounts.get("1930")!.opening).toBe(100_000n);
    expect(parsed.issues.map((issue) => issue.code)).toEqual(["ENCODING_OVERRIDDEN", "SIE_AUDIT_TRAIL_IGNORED"]);
  });

  it("agrees with its balances: IB + rows = UB and rows = RES per account", async () => {
    const { accounts, transactions } = await parseOwnSie("own_type4_utf8_crlf.se");
    const movement = new Map<string, bigint>();
    for (const line of transactions.flatMap((t) => t.lines))
      movement.set(line.account, (movement.get(line.account) ?? 0n) + line.amount);
    for (const account of accounts.values()) {
      expect(account.opening! + (movement.get(account.id) ?? 0n)).toBe(account.closing);
    }
  });
});
