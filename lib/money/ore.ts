import { z } from "zod";
import { AmountOutOfRangeError, InvalidAmountError } from "./errors.ts";

/**
 * An amount in øre as a decimal string with exactly two decimals, as {@link formatOre} writes it (`-1234.50`): the
 * one form of money in JSON answers and stored items, never a number (øre-exact, float-free).
 */
export const DecimalAmountSchema = z.string().regex(/^-?\d+\.\d{2}$/, "decimal string with exactly two decimals");

/**
 * Money is integer øre as `bigint` end to end (STYLE.md §9). 1 krone = 100 øre.
 * Debit is positive, credit negative.
 */
export type Ore = bigint;

const PLAIN_DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$|^([+-]?)\.(\d+)$/;

/**
 * Most integer digits (kroner) an amount may have: below 10^18 kroner, ten thousand times the world's yearly output,
 * so no ledger holds more (the Tax Administration's own test files with random values reach 16 digits); beyond it a
 * figure is a damaged or hostile file, refused before any big-number arithmetic.
 */
export const MAX_AMOUNT_INTEGER_DIGITS = 18;
/** Longest amount text looked at (sign, leading zeros, point and trailing zero decimals included). */
export const MAX_AMOUNT_TEXT_LENGTH = 64;

/**
 * Parses a plain decimal string (`-1234.5`, `0.00`, `12`, `.5`) straight to øre, never through a float.
 * More than two fraction digits are accepted only when the extra digits are zeros (`1.500` → 150n): an amount
 * that cannot be represented exactly in øre is an error, not a rounding. Amounts beyond any ledger (more than
 * {@link MAX_AMOUNT_INTEGER_DIGITS} digits before the point, or more than {@link MAX_AMOUNT_TEXT_LENGTH} characters)
 * throw {@link AmountOutOfRangeError}, so a hostile file cannot make big-number parsing take seconds.
 */
export function parseOre(text: string): Ore {
  if (text.length > MAX_AMOUNT_TEXT_LENGTH) {
    throw new AmountOutOfRangeError(
      text,
      `${text.length} characters; an amount has at most ${MAX_AMOUNT_INTEGER_DIGITS} digits before the decimal point`,
    );
  }
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) throw new InvalidAmountError(text, "expected digits with an optional sign and '.' decimals");
  const sign = match[1] ?? match[4] ?? "";
  const whole = match[2] ?? "0";
  const fraction = match[3] ?? match[5] ?? "";
  let significant = 0;
  while (significant < whole.length - 1 && whole.charCodeAt(significant) === 0x30) significant++;
  if (whole.length - significant > MAX_AMOUNT_INTEGER_DIGITS) {
    throw new AmountOutOfRangeError(
      text,
      `${whole.length - significant} digits before the decimal point; at most ${MAX_AMOUNT_INTEGER_DIGITS}`,
    );
  }
  if (fraction.length > 2 && /[^0]/.test(fraction.slice(2))) {
    throw new InvalidAmountError(text, "more than two decimals: not exact to the øre");
  }
  const ore = BigInt(whole) * 100n + BigInt((fraction + "00").slice(0, 2));
  return sign === "-" ? -ore : ore;
}

/** Like {@link parseOre} but returns `undefined` instead of throwing. */
export function tryParseOre(text: string): Ore | undefined {
  try {
    return parseOre(text);
  } catch {
    return undefined;
  }
}

/** Formats øre as a decimal string with exactly two decimals and a leading `-` for negatives: `-1234.50`. */
export function formatOre(ore: Ore): string {
  const negative = ore < 0n;
  const abs = negative ? -ore : ore;
  const whole = abs / 100n;
  const cents = abs % 100n;
  return `${negative ? "-" : ""}${whole}.${cents < 10n ? "0" : ""}${cents}`;
}
