import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AMOUNT_ISSUE_MARKER,
  JsonAmountSchema,
  MAX_JSON_AMOUNT_KRONER,
  oreFromJsonNumber,
  plainDecimalText,
  tryOreFromJsonNumber,
} from "../../../lib/connectors/amounts.ts";
import { ConnectorAmountInvalidError } from "../../../lib/connectors/errors.ts";
import { formatOre } from "../../../lib/money/ore.ts";

const MAX_ORE = BigInt(MAX_JSON_AMOUNT_KRONER) * 100n;

describe("oreFromJsonNumber", () => {
  it("converts JSON numbers to øre exactly, through their decimal text", () => {
    expect(oreFromJsonNumber(1234.5)).toBe(123450n);
    expect(oreFromJsonNumber(-0.07)).toBe(-7n);
    expect(oreFromJsonNumber(0)).toBe(0n);
    expect(oreFromJsonNumber(-0)).toBe(0n);
    expect(oreFromJsonNumber(12)).toBe(1200n);
    // Math.round(x * 100) gets these wrong: 1.15 * 100 = 114.99999999999999, 4.35 * 100 = 434.99999999999994.
    expect(oreFromJsonNumber(1.15)).toBe(115n);
    expect(oreFromJsonNumber(4.35)).toBe(435n);
    expect(oreFromJsonNumber(JSON.parse("9999999999999.99"))).toBe(999999999999999n);
  });

  it("gives back every amount in øre a JSON document can state, up to the bound (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_ORE, max: MAX_ORE }), (ore) => {
        const json = JSON.parse(`{"amount": ${formatOre(ore)}}`) as { amount: number };
        expect(oreFromJsonNumber(json.amount)).toBe(ore);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses more than two decimals, naming the field and endpoint", () => {
    const error = catchError(() =>
      oreFromJsonNumber(0.1 + 0.2, { endpoint: "GET /ledger/posting", field: "values[3].amount" }),
    );
    expect(error).toBeInstanceOf(ConnectorAmountInvalidError);
    expect(error.code).toBe("CONNECTOR_AMOUNT_INVALID");
    expect(error.status).toBe("unavailable");
    expect(error.message).toBe(
      "GET /ledger/posting values[3].amount: amount 0.30000000000000004 is not valid (more than two decimals: not exact to the øre)",
    );
    expect(error.context).toMatchObject({
      endpoint: "GET /ledger/posting",
      field: "values[3].amount",
      value: "0.30000000000000004",
    });
    expect(tryOreFromJsonNumber(1.005)).toEqual({ ok: false, problem: "more-than-two-decimals" });
    expect(tryOreFromJsonNumber(1e-7)).toEqual({ ok: false, problem: "more-than-two-decimals" });
  });

  it("refuses NaN, infinities, non-numbers and magnitudes where a double cannot be exact to the øre", () => {
    expect(tryOreFromJsonNumber(Number.NaN)).toEqual({ ok: false, problem: "not-finite" });
    expect(tryOreFromJsonNumber(Number.POSITIVE_INFINITY)).toEqual({ ok: false, problem: "not-finite" });
    expect(tryOreFromJsonNumber(-Infinity)).toEqual({ ok: false, problem: "not-finite" });
    expect(tryOreFromJsonNumber("12.50")).toEqual({ ok: false, problem: "not-a-number" });
    expect(tryOreFromJsonNumber(null)).toEqual({ ok: false, problem: "not-a-number" });
    expect(tryOreFromJsonNumber(MAX_JSON_AMOUNT_KRONER + 0.01)).toEqual({ ok: false, problem: "out-of-range" });
    expect(tryOreFromJsonNumber(1e21)).toEqual({ ok: false, problem: "out-of-range" });
    expect(catchError(() => oreFromJsonNumber(Number.NaN)).message).toBe(
      "amount NaN is not valid (not a finite number)",
    );
  });
});

describe("plainDecimalText", () => {
  it("spells out the exponent forms of Number::toString", () => {
    expect(plainDecimalText(1e-7)).toBe("0.0000001");
    expect(plainDecimalText(-1.5e-7)).toBe("-0.00000015");
    expect(plainDecimalText(1e21)).toBe("1000000000000000000000");
    expect(plainDecimalText(1.25e22)).toBe("12500000000000000000000");
    expect(plainDecimalText(123.45)).toBe("123.45");
  });
});

describe("JsonAmountSchema", () => {
  it("parses amounts to øre inside a response schema", () => {
    const schema = z.object({ values: z.array(z.object({ amount: JsonAmountSchema })) });
    expect(schema.parse({ values: [{ amount: 10.5 }, { amount: -3 }] })).toEqual({
      values: [{ amount: 1050n }, { amount: -300n }],
    });
  });

  it("reports an invalid amount as a zod issue at the field's path", () => {
    const schema = z.object({ values: z.array(z.object({ amount: JsonAmountSchema })) });
    const result = schema.safeParse({ values: [{ amount: 1 }, { amount: 2.345 }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]!.path).toEqual(["values", 1, "amount"]);
    expect(result.error!.issues[0]!.message).toBe(
      "amount 2.345 is not valid (more than two decimals: not exact to the øre)",
    );
  });

  it.each([
    ["a missing amount", {}, "expected number, received undefined"],
    ["a null amount", { amount: null }, "expected number, received null"],
    ["an amount sent as text", { amount: "12.50" }, "expected number, received string"],
  ])("refuses %s as a changed shape (an ordinary zod issue), not as an invalid amount", (_case, body, expected) => {
    const schema = z.object({ amount: JsonAmountSchema });
    const result = schema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    const [issue] = result.error!.issues;
    expect(issue).toMatchObject({ code: "invalid_type", path: ["amount"] });
    expect(issue!.message).toContain(expected);
    expect((issue as { params?: Record<string, unknown> }).params?.[AMOUNT_ISSUE_MARKER]).toBeUndefined();
  });

  it("takes an amount the API may leave out only where the schema says so", () => {
    const schema = z.object({ amount: JsonAmountSchema.nullish() });
    expect(schema.parse({})).toEqual({});
    expect(schema.parse({ amount: null })).toEqual({ amount: null });
    expect(schema.parse({ amount: 0.1 })).toEqual({ amount: 10n });
  });
});

function catchError(run: () => unknown): ConnectorAmountInvalidError {
  try {
    run();
  } catch (error) {
    return error as ConnectorAmountInvalidError;
  }
  throw new Error("expected an error");
}
