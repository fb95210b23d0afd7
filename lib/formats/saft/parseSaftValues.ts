import { parseOre, type Ore } from "../../money/ore.ts";

/**
 * Parses a SAFmonetaryType amount (xs:decimal, at most two fraction digits) to øre. The common short form
 * (`12500.00`, `-3.5`, `0`) is read by {@link saftAmountOre}; anything else goes to {@link parseOre}, which throws
 * InvalidAmountError.
 */
export function parseSaftAmount(text: string): Ore {
  const ore = saftAmountOre(text);
  return Number.isNaN(ore) ? parseOre(text) : BigInt(ore);
}

/**
 * The common short form of a SAFmonetaryType amount (`12500.00`, `-3.5`, `0`) in øre as a number, read digit by
 * digit: exact, because with at most 13 integer digits the øre value stays below 10^15 < 2^53, and no fraction is
 * ever held in a float. `NaN` for anything else (more digits, a third decimal that is not 0, no digits, other
 * characters): {@link parseSaftAmount} then gives the amount or the error. A number rather than a bigint, so a line's
 * amounts add up without allocating (see SaftLineDraft).
 */
export function saftAmountOre(text: string): number {
  const length = text.length;
  if (length === 0 || length > 17) return NaN;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 0x2d || first === 0x2b) {
    negative = first === 0x2d;
    i = 1;
  }
  let value = 0;
  let digits = 0;
  for (; i < length; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
    digits++;
  }
  let fraction = 0;
  if (i < length) {
    if (text.charCodeAt(i) !== 0x2e) return NaN;
    i++;
    const fractionStart = i;
    for (; i < length; i++) {
      const c = text.charCodeAt(i) - 0x30;
      if (c < 0 || c > 9) return NaN;
      if (i - fractionStart < 2) fraction = fraction * 10 + c;
      else if (c !== 0) return NaN; // a third non-zero decimal: let parseOre explain
    }
    const fractionDigits = i - fractionStart;
    if (fractionDigits === 1) fraction *= 10;
    if (digits === 0 && fractionDigits === 0) return NaN;
  } else if (digits === 0) return NaN;
  if (digits > 13) return NaN; // beyond 2^53 øre an integer in a double is no longer exact
  const ore = value * 100 + fraction;
  return negative ? -ore : ore;
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Reads an xs:date (`2017-01-04`, optionally with a time zone `Z`/`+01:00`, or a dateTime whose date part is taken)
 * and returns `YYYY-MM-DD`, or `undefined` when the text is no valid date.
 */
export function parseSaftDate(text: string): string | undefined {
  if (text.length < 10) return undefined;
  for (let i = 0; i < 10; i++) {
    const c = text.charCodeAt(i);
    if (i === 4 || i === 7) {
      if (c !== 0x2d) return undefined;
    } else if (c < 0x30 || c > 0x39) return undefined;
  }
  if (
    text.length > 10 &&
    !/^(?:Z|[+-]\d{2}:\d{2}|T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)$/.test(text.slice(10))
  )
    return undefined;
  const month = (text.charCodeAt(5) - 0x30) * 10 + (text.charCodeAt(6) - 0x30);
  const day = (text.charCodeAt(8) - 0x30) * 10 + (text.charCodeAt(9) - 0x30);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month]!) return undefined;
  if (month === 2 && day === 29) {
    const year = Number(text.slice(0, 4));
    if (!(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
  }
  return text.length === 10 ? text : text.slice(0, 10);
}
