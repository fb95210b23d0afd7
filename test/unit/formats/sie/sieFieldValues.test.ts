import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  isNumericAccount,
  normalizeOrgNumber,
  parseSieAmount,
  parseSieDate,
} from "../../../../lib/formats/sie/index.ts";
import { formatOre } from "../../../../lib/money/ore.ts";

describe("parseSieAmount (SIE 4B §5.9)", () => {
  it.each([
    ["13200.00", 1_320_000n],
    ["-13200.00", -1_320_000n],
    ["13200", 1_320_000n],
    ["3438419.5", 343_841_950n],
    ["-0.35", -35n],
    ["0", 0n],
    ["123456789012345678.99", 12_345_678_901_234_567_899n],
  ])("reads %s exactly", (text, ore) => {
    expect(parseSieAmount(text)).toBe(ore);
  });

  it.each(["", "-", "1,50", "1 000", "12a", "1.234", "--1", "1.2.3"])("refuses %j", (text) => {
    expect(parseSieAmount(text)).toBeUndefined();
  });

  it("accepts what the money parser reads exactly although SIE forbids it (+5, .5, 1.500)", () => {
    expect([parseSieAmount("+5"), parseSieAmount(".5"), parseSieAmount("1.500")]).toEqual([500n, 50n, 150n]);
  });

  it("reads back every amount written with formatOre", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n - 1n), max: 10n ** 20n - 1n }), (ore) => {
        expect(parseSieAmount(formatOre(ore))).toBe(ore);
      }),
    );
  });

  it("reads nothing beyond 18 digits before the point (issue #8: a 10-million-digit amount is refused at once)", () => {
    expect(parseSieAmount("999999999999999999.99")).toBe(99999999999999999999n);
    expect(parseSieAmount("1000000000000000000")).toBeUndefined();
    expect(parseSieAmount("9".repeat(10_000_000))).toBeUndefined();
  });
});

describe("parseSieDate (SIE 4B §5.10)", () => {
  it("reads YYYYMMDD as ISO", () => {
    expect(parseSieDate("20240131")).toEqual({ iso: "2024-01-31" });
  });

  it("knows leap years", () => {
    expect(parseSieDate("20240229")).toEqual({ iso: "2024-02-29" });
    expect(parseSieDate("20230229")).toBeUndefined();
    expect(parseSieDate("19000229")).toBeUndefined();
    expect(parseSieDate("20000229")).toEqual({ iso: "2000-02-29" });
  });

  it("reads YYYY-MM-DD and flags it", () => {
    expect(parseSieDate("2018-05-01")).toEqual({ iso: "2018-05-01", nonStandard: true });
  });

  it.each(["", "180501", "20241301", "20240132", "20240100", "2024013", "2024/01/31", "abcdefgh"])(
    "refuses %j",
    (text) => {
      expect(parseSieDate(text)).toBeUndefined();
    },
  );
});

describe("normalizeOrgNumber", () => {
  it("keeps the digits of a Swedish number and says it is Swedish", () => {
    expect(normalizeOrgNumber("556265-1892")).toEqual({ value: "5562651892", recognised: true, country: "SE" });
    expect(normalizeOrgNumber("5560602345")).toEqual({ value: "5560602345", recognised: true, country: "SE" });
    expect(normalizeOrgNumber("16556265-1892")).toEqual({ value: "165562651892", recognised: true, country: "SE" });
  });

  it("keeps a Norwegian 9-digit number, also when grouped, and says it has the Norwegian shape", () => {
    expect(normalizeOrgNumber("987654321")).toEqual({ value: "987654321", recognised: true, country: "NO" });
    expect(normalizeOrgNumber("987 654 321")).toEqual({ value: "987654321", recognised: true, country: "NO" });
  });

  it("keeps anything else as written and flags it", () => {
    expect(normalizeOrgNumber("NO987654321MVA")).toEqual({ value: "NO987654321MVA", recognised: false });
  });
});

describe("isNumericAccount", () => {
  it("tells digits from other account numbers", () => {
    expect([isNumericAccount("1910"), isNumericAccount("11AF"), isNumericAccount("")]).toEqual([true, false, false]);
  });
});
