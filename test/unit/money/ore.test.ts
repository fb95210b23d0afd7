import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatOre, MAX_AMOUNT_INTEGER_DIGITS, parseOre, tryParseOre } from "../../../lib/money/ore.ts";
import { AmountOutOfRangeError, InvalidAmountError } from "../../../lib/money/errors.ts";

describe("parseOre", () => {
  it("reads decimal strings straight to øre", () => {
    expect(parseOre("1234.56")).toBe(123456n);
    expect(parseOre("-0.05")).toBe(-5n);
    expect(parseOre("12")).toBe(1200n);
    expect(parseOre("12.5")).toBe(1250n);
    expect(parseOre(".5")).toBe(50n);
    expect(parseOre("+7.00")).toBe(700n);
    expect(parseOre("1.500")).toBe(150n);
  });

  it("keeps amounts far beyond float precision exact", () => {
    expect(parseOre("90071992547409.93")).toBe(9007199254740993n);
    expect(parseOre("123456789012345678.99")).toBe(12345678901234567899n);
  });

  it("bounds the digits: up to 18 before the point are read, more are out of range (issue #8)", () => {
    expect(MAX_AMOUNT_INTEGER_DIGITS).toBe(18);
    expect(parseOre("-999999999999999999.99")).toBe(-99999999999999999999n);
    expect(parseOre("000000000000000000000001.00")).toBe(100n); // leading zeros are not digits of the amount
    const error = (() => {
      try {
        parseOre("1000000000000000000.00");
      } catch (caught) {
        return caught as AmountOutOfRangeError;
      }
      throw new Error("expected a failure");
    })();
    expect(error).toBeInstanceOf(AmountOutOfRangeError);
    expect(error.code).toBe("MONEY_AMOUNT_OUT_OF_RANGE");
    expect(tryParseOre("1".repeat(19))).toBeUndefined();
  });

  it("refuses a ten-million-digit amount at once, quoting only its start", () => {
    const huge = "9".repeat(10_000_000);
    const started = process.hrtime.bigint();
    expect(() => parseOre(huge)).toThrow(AmountOutOfRangeError);
    expect(() => parseOre(`0.${"0".repeat(100)}`)).toThrow(AmountOutOfRangeError); // zero decimals, but no end to them
    // Linear-time work only (a length check): far below the 48 s that BigInt() of the digits took.
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(5);
    try {
      parseOre(huge);
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });

  it("refuses amounts that are not exact to the øre", () => {
    expect(() => parseOre("1.005")).toThrow(InvalidAmountError);
    expect(() => parseOre("0.001")).toThrow(/more than two decimals/);
  });

  it("refuses text that is not a plain decimal", () => {
    for (const bad of ["", "-", "1,5", "1 000.00", "1e3", "abc", "1.2.3", "--1"]) {
      expect(tryParseOre(bad), bad).toBeUndefined();
    }
  });
});

describe("formatOre", () => {
  it("prints exactly two decimals and a leading minus", () => {
    expect(formatOre(0n)).toBe("0.00");
    expect(formatOre(5n)).toBe("0.05");
    expect(formatOre(-5n)).toBe("-0.05");
    expect(formatOre(-123450n)).toBe("-1234.50");
    expect(formatOre(100n)).toBe("1.00");
  });

  it("round-trips with parseOre for any amount", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n - 1n), max: 10n ** 20n - 1n }), (ore) => {
        expect(parseOre(formatOre(ore))).toBe(ore);
      }),
    );
  });
});
