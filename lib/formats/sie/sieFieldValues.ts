import { tryParseOre, type Ore } from "../../money/ore.ts";
import { isDigits } from "../shared/digits.ts";

/**
 * Readers for the typed field values of SIE records (SIE 4B §5.9 amounts, §5.10 dates, #ORGNR, account numbers).
 * All are pure and return `undefined` for text they cannot read; the caller reports the issue with a location.
 */

/** Digits an amount may have before the fast path hands over to bigint parsing of the string. */
const FAST_PATH_DIGITS = 15;

/**
 * Reads a SIE amount (SIE 4B §5.9: `.` as decimal point, at most two decimals, decimals optional, leading `-`
 * only) as øre. Forms the spec forbids but {@link tryParseOre} still reads exactly (`+5`, `.5`, `1.500`) are
 * accepted as well; anything else (`1,5`, `1 000`, `""`) is `undefined`.
 *
 * This is the hot path of a #TRANS row, so the usual shape is read by hand: the digits are accumulated as an
 * integer count of øre, which is exact because at most {@link FAST_PATH_DIGITS} digits (< 2^53) are accumulated
 * this way; no floating-point parsing is involved. Longer or unusual amounts go through `tryParseOre`.
 */
export function parseSieAmount(text: string): Ore | undefined {
  const length = text.length;
  let i = 0;
  let negative = false;
  if (length > 0 && text.charCodeAt(0) === 45 /* - */) {
    negative = true;
    i = 1;
  }
  const digitsStart = i;
  let ore = 0;
  for (; i < length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    ore = ore * 10 + d;
  }
  const wholeDigits = i - digitsStart;
  let fractionDigits = 0;
  if (i < length && text.charCodeAt(i) === 46 /* . */) {
    for (i++; i < length && fractionDigits < 3; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      ore = ore * 10 + d;
      fractionDigits++;
    }
  }
  if (i !== length || wholeDigits === 0 || fractionDigits > 2 || wholeDigits + fractionDigits > FAST_PATH_DIGITS) {
    return length === 0 ? undefined : tryParseOre(text);
  }
  if (fractionDigits === 0) ore *= 100;
  else if (fractionDigits === 1) ore *= 10;
  return BigInt(negative ? -ore : ore);
}

/** A date read from a SIE field: ISO `YYYY-MM-DD`, and whether it was written in a form the spec does not allow. */
export interface SieDate {
  iso: string;
  /** Set when the field was `YYYY-MM-DD` instead of `YYYYMMDD` (SIE 4B §5.10); the value is still read. */
  nonStandard?: true;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Reads a SIE date, `YYYYMMDD` (SIE 4B §5.10), as ISO `YYYY-MM-DD`. `YYYY-MM-DD` is accepted too and flagged
 * `nonStandard` (jsisie and Sie4j accept it with a warning). Impossible calendar dates (20210229) are `undefined`.
 */
export function parseSieDate(text: string): SieDate | undefined {
  let year: string;
  let month: string;
  let day: string;
  let nonStandard = false;
  if (text.length === 8 && isDigits(text, 0, 8)) {
    year = text.slice(0, 4);
    month = text.slice(4, 6);
    day = text.slice(6, 8);
  } else if (
    text.length === 10 &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    isDigits(text, 0, 4) &&
    isDigits(text, 5, 7) &&
    isDigits(text, 8, 10)
  ) {
    year = text.slice(0, 4);
    month = text.slice(5, 7);
    day = text.slice(8, 10);
    nonStandard = true;
  } else {
    return undefined;
  }
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return undefined;
  const days = m === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[m - 1]!;
  if (d > days) return undefined;
  const iso = `${year}-${month}-${day}`;
  return nonStandard ? { iso, nonStandard: true } : { iso };
}

/** An organisation number read from #ORGNR. */
export interface SieOrgNumber {
  /** Digits only when the number has a recognised shape, else the field as written. */
  value: string;
  recognised: boolean;
  /** Whose shape it has: Swedish (10 digits, or 12 with the century) or Norwegian (9 digits). */
  country?: "SE" | "NO";
}

/**
 * Normalises an #ORGNR value. Swedish numbers are `nnnnnn-nnnn` (SIE 4B #ORGNR; also written without the hyphen
 * or with a 12-digit century form), Norwegian ones 9 digits (often grouped `999 999 999`). Recognised shapes are
 * kept as digits only; anything else is kept as written and flagged.
 */
export function normalizeOrgNumber(text: string): SieOrgNumber {
  const trimmed = text.trim();
  const digits = trimmed.replace(/[-\s]/g, "");
  const shapeOk =
    /^\d{6}-?\d{4}$/.test(trimmed) ||
    /^\d{8}-?\d{4}$/.test(trimmed) ||
    /^\d{9}$/.test(digits) ||
    /^\d{3} \d{3} \d{3}$/.test(trimmed);
  if (!shapeOk) return { value: trimmed, recognised: false };
  return { value: digits, recognised: true, country: digits.length === 9 ? "NO" : "SE" };
}

/** SIE account numbers are numeric (SIE 4B #KONTO "kontonr … numeriskt"); this says whether `id` is. */
export function isNumericAccount(id: string): boolean {
  return id.length > 0 && isDigits(id, 0, id.length);
}
