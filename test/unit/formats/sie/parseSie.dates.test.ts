import { describe, expect, it } from "vitest";
import { issuesWith, parseBytes } from "./sieTestHelpers.ts";

/**
 * The reader remembers the ISO form of each YYYYMMDD date it has read (a file has a few hundred distinct dates and
 * every #VER has two); a remembered date must never stand in for another one, however the dates follow each other.
 */
const HEAD = '#FLAGGA 0\n#SIETYP 4\n#RAR 0 20240101 20241231\n#KONTO 1910 "Kassa"\n#KONTO 3010 "Försäljning"\n';

function voucher(number: number, date: string, rowDate = date): string {
  return `#VER A ${number} ${date} "v${number}" ${date}\n{\n#TRANS 1910 {} 10.00 ${rowDate}\n#TRANS 3010 {} -10.00 ${date}\n}\n`;
}

describe("parseSie voucher and row dates", () => {
  it("reads alternating dates eight years apart (which share a slot of the date memory) each as written", async () => {
    const dates = ["20160105", "20240105", "20160105", "20320105", "20240105", "20240106"];
    const parsed = await parseBytes(HEAD + dates.map((date, i) => voucher(i + 1, date)).join(""));
    expect(parsed.transactions.map((t) => [t.date, t.entryDate])).toEqual([
      ["2016-01-05", "2016-01-05"],
      ["2024-01-05", "2024-01-05"],
      ["2016-01-05", "2016-01-05"],
      ["2032-01-05", "2032-01-05"],
      ["2024-01-05", "2024-01-05"],
      ["2024-01-06", "2024-01-06"],
    ]);
    expect(parsed.transactions.every((t) => t.lines.every((line) => line.date === undefined))).toBe(true);
  });

  it("gives a row its own date when its transdat differs from the voucher date, also after that date was read", async () => {
    const parsed = await parseBytes(
      HEAD + voucher(1, "20240105") + voucher(2, "20160105", "20240105") + voucher(3, "20240105", "20160105"),
    );
    expect(parsed.transactions.map((t) => t.lines.map((line) => line.date))).toEqual([
      [undefined, undefined],
      ["2024-01-05", undefined],
      ["2016-01-05", undefined],
    ]);
  });

  it("still reports an impossible date that follows a valid one with the same month and day digits", async () => {
    const parsed = await parseBytes(HEAD + voucher(1, "20240229") + voucher(2, "20230229"));
    expect(parsed.transactions.map((t) => t.date)).toEqual(["2024-02-29", ""]);
    expect(issuesWith(parsed, "SIE_INVALID_DATE").map((issue) => issue.transactionId)).toEqual(["A-2", "A-2"]);
  });
});
