import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatOre, parseOre } from "../../../../lib/money/ore.ts";
import { InvalidAmountError } from "../../../../lib/money/errors.ts";
import { parseSaftAmount, parseSaftDate, saftAmountOre } from "../../../../lib/formats/saft/parseSaftValues.ts";
import { SaftLineDraft } from "../../../../lib/formats/saft/SaftLineDraft.ts";

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

describe("saftAmountOre", () => {
  it("reads the short form to øre as a number, and leaves the rest (NaN) to parseSaftAmount", () => {
    expect(["12500.00", "-3.5", "0", "+7", ".5", "1.500", "-0.01", "9999999999999.99"].map(saftAmountOre)).toEqual([
      1250000, -350, 0, 700, 50, 150, -1, 999999999999999,
    ]);
    for (const other of ["", "-", ".", "1,5", "1e3", "1.005", "abc", "12345678901234.00", "123456789012345678.99"])
      expect(saftAmountOre(other), other).toBeNaN();
  });

  it("is exact where it answers: the same øre as parseOre (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.constantFrom("", "0"), (ore, zeros) => {
        const text = formatOre(ore) + zeros;
        const number = saftAmountOre(text);
        if (!Number.isNaN(number)) {
          expect(Number.isSafeInteger(number)).toBe(true);
          expect(BigInt(number)).toBe(parseOre(text));
        } else expect(ore >= 10n ** 15n || ore <= -(10n ** 15n)).toBe(true);
      }),
    );
  });
});

describe("SaftLineDraft amounts", () => {
  function lineOf(...amounts: ["debit" | "credit", number | bigint][]): SaftLineDraft {
    const draft = new SaftLineDraft();
    draft.start(1, 1, 0);
    for (const [side, amount] of amounts) {
      draft.amountSide = side;
      draft.addAmount(amount);
    }
    return draft;
  }

  it("nets debit and credit to a bigint, undefined when neither side was read", () => {
    expect(lineOf().net()).toBeUndefined();
    expect(lineOf(["debit", 1250000]).net()).toBe(1250000n);
    expect(lineOf(["credit", 350]).net()).toBe(-350n);
    expect(lineOf(["debit", 500], ["credit", 200], ["debit", 1n]).net()).toBe(301n);
  });

  it("stays exact past 2^53 øre: sums and differences of numbers go over to bigint", () => {
    const max = 999999999999999; // 9 999 999 999 999,99 kr, the largest amount saftAmountOre answers
    const debit = lineOf(...Array.from({ length: 10 }, () => ["debit", max] as ["debit", number]));
    expect(debit.net()).toBe(10n * BigInt(max));
    expect(typeof debit.debit).toBe("bigint");
    expect(lineOf(["debit", Number.MAX_SAFE_INTEGER], ["credit", -Number.MAX_SAFE_INTEGER]).net()).toBe(
      2n * BigInt(Number.MAX_SAFE_INTEGER),
    );
    expect(lineOf(["debit", Number.MAX_SAFE_INTEGER], ["debit", 2]).net()).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 2n);
  });
});

describe("SaftLineDraft.toLine", () => {
  const order = [
    "account",
    "amount",
    "side",
    "recordId",
    "description",
    "currencyAmount",
    "taxCode",
    "customerId",
    "supplierId",
    "dimensions",
    "date",
    "quantity",
  ];

  it("gives every line its fields in one order, the usual line (made in one literal) as any other (property)", () => {
    const optional = fc.record(
      {
        recordId: fc.constant("1"),
        description: fc.constant("Linje"),
        date: fc.constant("2025-01-01"),
        taxCode: fc.constant("3"),
        customerId: fc.constant("K1"),
        quantity: fc.constant("2"),
      },
      { requiredKeys: [] },
    );
    const usual = fc.constant({ recordId: "1", description: "Linje", date: "2025-01-01" });
    fc.assert(
      fc.property(fc.oneof(usual, optional), fc.constantFrom("debit", "credit", "both"), (fields, sides) => {
        const draft = new SaftLineDraft();
        draft.start(1, 1, 0);
        Object.assign(draft, fields);
        if (sides !== "credit") draft.debit = 100;
        if (sides !== "debit") draft.credit = 40;
        const line = draft.toLine("1920", draft.net()!);
        const keys = Object.keys(line);
        expect(keys).toEqual(order.filter((key) => keys.includes(key)));
        expect(line).toEqual({
          account: "1920",
          amount: sides === "debit" ? 100n : sides === "credit" ? -40n : 60n,
          ...(sides === "both" ? {} : { side: sides }),
          ...fields,
        });
      }),
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
