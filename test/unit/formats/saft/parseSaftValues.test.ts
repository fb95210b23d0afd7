import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatOre, parseOre } from "../../../../lib/money/ore.ts";
import { InvalidAmountError } from "../../../../lib/money/errors.ts";
import { parseSaftAmount, parseSaftDate } from "../../../../lib/formats/saft/parseSaftValues.ts";

describe("parseSaftAmount", () => {
  it("reads SAFmonetaryType values to øre", () => {
    expect(
      ["12500.00", "-3.5", "0", "+7", ".5", "1.500", "90071992547409.93", "123456789012345678.99"].map(parseSaftAmount),
    ).toEqual([1250000n, -350n, 0n, 700n, 50n, 150n, 9007199254740993n, 12345678901234567899n]);
  });

  it("refuses what parseOre refuses", () => {
    for (const bad of ["", "-", ".", "1,5", "1 000", "1e3", "1.005", "abc", "1.2.3"])
      expect(() => parseSaftAmount(bad), bad).toThrow(InvalidAmountError);
  });

  it("agrees with parseOre on every amount (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n - 1n), max: 10n ** 20n - 1n }),
        fc.constantFrom("", "0", "00"),
        (ore, zeros) => {
          const text = formatOre(ore) + zeros;
          expect(parseSaftAmount(text)).toBe(parseOre(text));
        },
      ),
    );
  });
});

describe("parseSaftDate", () => {
  it("accepts xs:date with or without time zone, and the date part of a dateTime", () => {
    expect(
      ["2017-01-04", "2017-01-04Z", "2017-01-04+01:00", "2017-01-04T12:30:00", "2024-02-29"].map(parseSaftDate),
    ).toEqual(["2017-01-04", "2017-01-04", "2017-01-04", "2017-01-04", "2024-02-29"]);
  });

  it("refuses other formats and impossible dates", () => {
    expect(
      ["04.01.2017", "2017-1-4", "2017-13-01", "2023-02-29", "2017-04-31", "20170104", "2017-01-04 garbage"].map(
        parseSaftDate,
      ),
    ).toEqual(Array(7).fill(undefined));
  });
});
