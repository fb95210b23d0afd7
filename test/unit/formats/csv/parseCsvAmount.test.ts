import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidAmountError } from "../../../../lib/money/errors.ts";
import { formatOre } from "../../../../lib/money/ore.ts";
import { decimalEvidence, parseCsvAmount, type DecimalSeparator } from "../../../../lib/formats/csv/parseCsvAmount.ts";

describe("parseCsvAmount, decimal comma", () => {
  it.each([
    ["1234,56", 123456n],
    ["1 234,56", 123456n],
    ["1\u00a0234,56", 123456n],
    ["1\u202f234,56", 123456n],
    ["1.234,56", 123456n],
    ["1.234.567,89", 123456789n],
    ["1 234 567,89", 123456789n],
    ["-1 234,56", -123456n],
    ["\u22121\u00a0234,56", -123456n],
    ["(1 234,56)", -123456n],
    ["1 234,56-", -123456n],
    ["1 234,56 -", -123456n],
    ["+12,5", 1250n],
    ["0,00", 0n],
    ["12", 1200n],
    [",5", 50n],
    ["  7,10\u00a0", 710n],
    ["1,500", 150n],
  ])("reads %j as %s øre", (text, ore) => {
    expect(parseCsvAmount(text, ",")).toBe(ore);
  });
});

describe("parseCsvAmount, decimal point", () => {
  it.each([
    ["1234.56", 123456n],
    ["1,234.56", 123456n],
    ["1,234,567.89", 123456789n],
    ["1 234.56", 123456n],
    ["-1,234.56", -123456n],
    ["(1,234.56)", -123456n],
    ["1,234.56-", -123456n],
    ["\u22120.01", -1n],
  ])("reads %j as %s øre", (text, ore) => {
    expect(parseCsvAmount(text, ".")).toBe(ore);
  });
});

describe("parseCsvAmount blanks and errors", () => {
  it("returns undefined for an empty or space-only cell", () => {
    expect(parseCsvAmount("", ",")).toBeUndefined();
    expect(parseCsvAmount(" \u00a0 ", ",")).toBeUndefined();
  });

  it.each([
    ["1.5", ","],
    ["1234.56", ","],
    ["1,5", "."],
    ["12,34,56", "."],
    ["1 23,00", ","],
    ["1.234 567,00", ","],
    ["abc", ","],
    ["-", ","],
    ["(-12,00)", ","],
    ["12,345", ","],
    ["1e5", "."],
    ["12,00 kr", ","],
  ] as [string, DecimalSeparator][])("rejects %j with decimal %j", (text, decimal) => {
    expect(() => parseCsvAmount(text, decimal)).toThrow(InvalidAmountError);
  });
});

describe("decimalEvidence", () => {
  it.each([
    ["1 234,56", ",", "strong"],
    ["1.234,56", ",", "strong"],
    ["1,234.56", ".", "strong"],
    ["1234.5", ".", "strong"],
    ["1.234.567", ",", "strong"],
    ["1.234", ",", "weak"],
    ["12,345", ".", "weak"],
    ["0,125", ",", "strong"],
  ])("reads %j as decimal %j (%s)", (text, decimal, strength) => {
    expect(decimalEvidence(text)).toEqual({ decimal, strength });
  });

  it("has no evidence in integers or text", () => {
    expect(decimalEvidence("1234")).toBeUndefined();
    expect(decimalEvidence("Bank")).toBeUndefined();
    expect(decimalEvidence("")).toBeUndefined();
  });
});

/** Formats øre the way the dialects under test print them (independent of the parser). */
function formatInDialect(
  ore: bigint,
  dialect: { decimal: DecimalSeparator; group: string; negative: "hyphen" | "u2212" | "parens" | "trailing" },
): string {
  const [sign, plain] = formatOre(ore).startsWith("-") ? ["-", formatOre(ore).slice(1)] : ["", formatOre(ore)];
  const [whole, fraction] = plain.split(".") as [string, string];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, dialect.group);
  const body = `${grouped}${dialect.decimal}${fraction}`;
  if (sign === "") return body;
  switch (dialect.negative) {
    case "hyphen":
      return `-${body}`;
    case "u2212":
      return `\u2212${body}`;
    case "parens":
      return `(${body})`;
    case "trailing":
      return `${body}-`;
  }
}

describe("parseCsvAmount round trip", () => {
  it("reads back any amount formatted in any supported dialect", () => {
    const dialect = fc.oneof(
      fc.record({
        decimal: fc.constant<DecimalSeparator>(","),
        group: fc.constantFrom("", " ", "\u00a0", "\u202f", "."),
        negative: fc.constantFrom("hyphen", "u2212", "parens", "trailing") as fc.Arbitrary<
          "hyphen" | "u2212" | "parens" | "trailing"
        >,
      }),
      fc.record({
        decimal: fc.constant<DecimalSeparator>("."),
        group: fc.constantFrom("", " ", "\u00a0", ","),
        negative: fc.constantFrom("hyphen", "u2212", "parens", "trailing") as fc.Arbitrary<
          "hyphen" | "u2212" | "parens" | "trailing"
        >,
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), dialect, (ore, chosen) => {
        expect(parseCsvAmount(formatInDialect(ore, chosen), chosen.decimal)).toBe(ore);
      }),
      { numRuns: 2000 },
    );
  });
});
