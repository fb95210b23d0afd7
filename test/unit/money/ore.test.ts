import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatOre, parseOre, tryParseOre } from "../../../lib/money/ore.ts";
import { InvalidAmountError } from "../../../lib/money/errors.ts";

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
      fc.property(fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }), (ore) => {
        expect(parseOre(formatOre(ore))).toBe(ore);
      }),
    );
  });
});
