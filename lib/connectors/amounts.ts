import { z } from "zod";
import { parseOre, type Ore } from "../money/ore.ts";
import { ConnectorAmountInvalidError, type ConnectorErrorContext } from "./errors.ts";

/**
 * Amounts from the accounting APIs arrive as JSON numbers (IEEE doubles): Tripletex `amount`, PowerOffice Go `Amount`,
 * `Balance`. They are converted once, at the boundary, to integer øre — exactly, never through `Math.round(x * 100)`
 * (which turns 1.005 into 100 or 101 depending on the double and hides amounts that are not whole øre).
 *
 * The conversion reads the number's shortest round-trip decimal text (ECMAScript Number::toString, the digits a
 * JSON parser was given for any amount a ledger can hold) and parses that text as a decimal: `1234.5` → 123450n,
 * `-0.07` → -7n, `1e-7` → refused. Within {@link MAX_JSON_AMOUNT_KRONER} the doubles are spaced closer than half an
 * øre, so the shortest text of the double nearest to a two-decimal amount is that amount's own text: the conversion is
 * exact. Beyond it two different amounts in øre can meet in one double, so the figure could not be trusted.
 */

/**
 * Largest magnitude, in kroner, of an amount accepted from a JSON number: 10^13 (ten trillion). Below 2^44 ≈ 1.76·10^13,
 * where a double's spacing (2^-8 ≈ 0.0039) is still below half an øre, so every two-decimal amount is recovered
 * exactly; far above any ledger a Norwegian company keeps in these systems.
 */
export const MAX_JSON_AMOUNT_KRONER = 10_000_000_000_000;

/** Why a JSON number is not an amount in øre (the connector error's message says it in words). */
export type JsonAmountProblem = "not-a-number" | "not-finite" | "out-of-range" | "more-than-two-decimals";

/** The øre of a JSON number, or why it is not exact to the øre. Never throws. */
export function tryOreFromJsonNumber(
  value: unknown,
): { ok: true; ore: Ore } | { ok: false; problem: JsonAmountProblem } {
  if (typeof value !== "number") return { ok: false, problem: "not-a-number" };
  if (!Number.isFinite(value)) return { ok: false, problem: "not-finite" };
  if (Math.abs(value) > MAX_JSON_AMOUNT_KRONER) return { ok: false, problem: "out-of-range" };
  const text = plainDecimalText(value);
  const fraction = text.split(".")[1] ?? "";
  if (fraction.length > 2) return { ok: false, problem: "more-than-two-decimals" };
  return { ok: true, ore: parseOre(text) };
}

/**
 * The øre of a JSON number: `oreFromJsonNumber(1234.5)` → 123450n. Throws {@link ConnectorAmountInvalidError}
 * (`CONNECTOR_AMOUNT_INVALID`) for more than two decimals (`0.30000000000000004`, `1.005`), NaN, ±Infinity, a
 * magnitude beyond {@link MAX_JSON_AMOUNT_KRONER}, or anything not a number; `context` names where it was found
 * (endpoint, field path).
 */
export function oreFromJsonNumber(value: unknown, context: ConnectorErrorContext & { field?: string } = {}): Ore {
  const result = tryOreFromJsonNumber(value);
  if (result.ok) return result.ore;
  throw new ConnectorAmountInvalidError(amountProblemMessage(value, result.problem, context), { context, value });
}

/** A sentence for people: what is wrong with the amount, and where it was found. */
export function amountProblemMessage(
  value: unknown,
  problem: JsonAmountProblem,
  where: { endpoint?: string; field?: string } = {},
): string {
  const place = [where.endpoint, where.field].filter(Boolean).join(" ");
  const shown = typeof value === "number" ? String(value) : safeJson(value);
  const reason = {
    "not-a-number": "expected a JSON number",
    "not-finite": "not a finite number",
    "out-of-range": `beyond ±${MAX_JSON_AMOUNT_KRONER} kroner, where a JSON number cannot be exact to the øre`,
    "more-than-two-decimals": "more than two decimals: not exact to the øre",
  }[problem];
  return `${place ? `${place}: ` : ""}amount ${shown} is not valid (${reason})`;
}

/** Marker put on the zod issue of an invalid amount, so the HTTP client can report `CONNECTOR_AMOUNT_INVALID`. */
export const AMOUNT_ISSUE_MARKER = "saldo.connectorAmount";

/**
 * A zod schema for an amount field of an API response: a JSON number in, `bigint` øre out. A missing field, `null` or
 * a value that is not a number is a changed shape, an ordinary zod issue the HTTP client reports as
 * `CONNECTOR_RESPONSE_INVALID` (as for any other field; `.nullish()` where the API may leave it out). A number that is
 * not an amount in øre is a custom zod issue carrying {@link AMOUNT_ISSUE_MARKER}; the client turns it into a
 * {@link ConnectorAmountInvalidError} naming the endpoint and the field path (`values[12].amount`).
 */
export const JsonAmountSchema = z.number().transform((value, ctx): Ore => {
  const result = tryOreFromJsonNumber(value);
  if (result.ok) return result.ore;
  ctx.addIssue({
    code: "custom",
    message: amountProblemMessage(value, result.problem),
    params: {
      [AMOUNT_ISSUE_MARKER]: true,
      problem: result.problem,
      value: String(value),
    },
  });
  return z.NEVER;
});

/**
 * The plain decimal text of a finite number: `String(x)` for the ordinary range, and the exponent form
 * (`1e-7`, `1.5e+21`) spelt out, so that the digits are the shortest round-trip ones in every case.
 */
export function plainDecimalText(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text === "-0" ? "0" : text;
  const [, sign, lead, rest = "", exponentText] = match;
  const digits = `${lead}${rest}`;
  const exponent = Number(exponentText);
  const pointAt = 1 + exponent;
  if (pointAt <= 0) return `${sign}0.${"0".repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${"0".repeat(pointAt - digits.length)}`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 40 ? `${text.slice(0, 40)}…` : text;
  } catch {
    return String(value);
  }
}
