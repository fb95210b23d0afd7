import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeOrgNumber } from "../../../lib/ids/orgNumber.ts";
import { formatOre, parseOre } from "../../../lib/money/ore.ts";
import { formatAmount, formatDate, orgNumberProblem, sameAmount, toOre } from "../../../web/src/format.ts";

describe("web console figures", () => {
  it("formats the API's decimal strings as Norwegian figures, exactly", () => {
    expect(formatAmount("-1234567.89")).toBe("-1\u00a0234\u00a0567,89");
    expect(formatAmount("0.00")).toBe("0,00");
    expect(formatAmount("100.5")).toBe("100,50");
    expect(formatAmount("-1234567.89", "en")).toBe("-1,234,567.89");
    expect(formatAmount(null)).toBe("");
  });

  it("reads back to the same øre for any amount (no floating point on the way)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (ore) => {
        const amount = formatOre(ore);
        const shown = formatAmount(amount)
          .replace(/\u00a0/g, "")
          .replace(",", ".");
        expect(parseOre(shown)).toBe(ore);
        expect(toOre(amount)).toBe(ore);
        expect(sameAmount(amount, formatOre(ore))).toBe(true);
      }),
    );
  });

  it("shows dates as dd.mm.yyyy", () => {
    expect(formatDate("2025-01-31")).toBe("31.01.2025");
    expect(formatDate("2025-03-31T12:00:00.000Z")).toBe("31.03.2025");
  });

  it("checks organisation numbers as the API does", () => {
    expect(orgNumberProblem("923609016")).toBeUndefined();
    expect(orgNumberProblem("NO 923 609 016 MVA")).toBeUndefined();
    expect(orgNumberProblem("923609017")).toBe("checksum");
    expect(orgNumberProblem("12345")).toBe("format");
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (digits) => {
        expect(orgNumberProblem(digits) === undefined).toBe(normalizeOrgNumber(digits) !== undefined);
      }),
    );
  });
});
