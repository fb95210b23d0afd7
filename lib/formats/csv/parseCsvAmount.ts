import { InvalidAmountError } from "../../money/errors.ts";
import { parseOre, type Ore } from "../../money/ore.ts";

/** The decimal separator of a CSV number dialect: `,` (Norwegian `1 234,56`) or `.` (`1,234.56`, `1234.56`). */
export type DecimalSeparator = "," | ".";

/**
 * Characters that group thousands besides the non-decimal separator: ordinary space, U+00A0 NO-BREAK SPACE (Excel and
 * Norwegian locales), U+202F NARROW NO-BREAK SPACE and U+2009 THIN SPACE (CLDR / Intl output in some runtimes), and
 * the apostrophe some Swiss-configured machines use. Norwegian exports group thousands with an ordinary space, U+00A0
 * or `.`.
 */
const SPACE_GROUPING = /[\u0020\u00a0\u202f\u2009']/;
/** Minus signs: ASCII hyphen-minus, U+2212 MINUS SIGN (Intl.NumberFormat("nb-NO")), U+2013 EN DASH (word processors). */
const MINUS = /^[-\u2212\u2013]$/;
const SURROUNDING_SPACE = /^[\s\u00a0\u202f\u2009]+|[\s\u00a0\u202f\u2009]+$/g;

/** Trims ASCII and Unicode spaces (NBSP, NNBSP, thin space) from both ends of a cell. */
export function trimCell(text: string): string {
  return text.replace(SURROUNDING_SPACE, "");
}

/** Whether a cell holds no amount at all (empty or only spaces). */
export function isBlankAmount(text: string): boolean {
  return trimCell(text) === "";
}

/**
 * Parses one CSV amount cell straight to øre (never through a float), in the given decimal dialect:
 * `1 234,56`, `1\u00a0234,56`, `1\u202f234,56`, `1.234,56`, `1234,56` (decimal `,`) or `1,234.56`, `1234.56` (decimal `.`);
 * negatives as `-1 234,56`, `\u22121 234,56` (U+2212), `(1 234,56)` or `1 234,56-` (trailing minus); a leading `+` is allowed.
 *
 * Grouping is checked, not just stripped: groups after the first must have exactly three digits, and one number
 * uses one kind of group separator. That is what catches a wrong dialect (`1.5` read with decimal `,` is an error,
 * not 15 kroner). More than two decimals are accepted only when the extra digits are zeros (exact to the øre).
 *
 * @returns the amount, or `undefined` for a blank cell (the caller decides what blank means for its column).
 * @throws InvalidAmountError when the cell is not an amount in this dialect.
 */
export function parseCsvAmount(text: string, decimal: DecimalSeparator): Ore | undefined {
  let body = trimCell(text);
  if (body === "") return undefined;
  let negative = false;

  if (body.startsWith("(") && body.endsWith(")")) {
    negative = true;
    body = trimCell(body.slice(1, -1));
  } else if (body.length > 1 && MINUS.test(body.slice(-1))) {
    // Trailing minus (`1 234,56-`), as printed by older Norwegian report generators.
    negative = true;
    body = trimCell(body.slice(0, -1));
  }
  if (body.length > 1 && (MINUS.test(body[0]!) || body[0] === "+")) {
    if (negative) throw new InvalidAmountError(text, "two signs");
    negative = MINUS.test(body[0]!);
    body = trimCell(body.slice(1));
  }

  const groupSeparator = decimal === "," ? "." : ",";
  const decimalAt = body.lastIndexOf(decimal);
  const integerPart = decimalAt >= 0 ? body.slice(0, decimalAt) : body;
  const fractionPart = decimalAt >= 0 ? body.slice(decimalAt + 1) : "";
  if (!/^\d*$/.test(fractionPart))
    throw new InvalidAmountError(text, `unexpected characters after the decimal '${decimal}'`);
  if (decimalAt >= 0 && fractionPart === "" && integerPart === "") throw new InvalidAmountError(text, "no digits");

  const digits = ungroup(integerPart, groupSeparator, text);
  if (digits === "" && fractionPart === "") throw new InvalidAmountError(text, "no digits");
  const plain = `${negative ? "-" : ""}${digits === "" ? "0" : digits}${fractionPart === "" ? "" : `.${fractionPart}`}`;
  return parseOre(plain);
}

/** Removes thousands separators from the integer part after checking the groups are well formed. */
function ungroup(integerPart: string, groupSeparator: string, original: string): string {
  if (/^\d*$/.test(integerPart)) return integerPart;
  const separators = new Set([...integerPart].filter((char) => !/\d/.test(char)));
  if (separators.size !== 1) {
    throw new InvalidAmountError(original, "not a number in this dialect (mixed or unexpected separators)");
  }
  const [separator] = separators as unknown as [string];
  if (separator !== groupSeparator && !SPACE_GROUPING.test(separator)) {
    throw new InvalidAmountError(original, `unexpected character ${JSON.stringify(separator)}`);
  }
  const groups = integerPart.split(separator);
  const [first, ...rest] = groups as [string, ...string[]];
  if (!/^\d{1,3}$/.test(first) || rest.some((group) => !/^\d{3}$/.test(group))) {
    throw new InvalidAmountError(original, "digit groups are not thousands (wrong decimal separator?)");
  }
  return groups.join("");
}

/**
 * What one cell says about the decimal separator, used to detect the dialect of a file:
 * `strong` evidence comes from an unmistakable decimal part (`12,50`, `1.234,56`), `weak` evidence from a lone
 * three-digit group (`1.234` is 1234 with decimal `,` but 1.234 with decimal `.`), `none` from plain integers.
 */
export function decimalEvidence(text: string): { decimal: DecimalSeparator; strength: "strong" | "weak" } | undefined {
  const body = trimCell(text).replace(/^[(+\-\u2212\u2013]+|[)\-\u2212\u2013]+$/g, "");
  if (!/^[\d.,\s\u00a0\u202f\u2009']+$/.test(body) || !/\d/.test(body)) return undefined;
  const lastComma = body.lastIndexOf(",");
  const lastDot = body.lastIndexOf(".");
  if (lastComma >= 0 && lastDot >= 0) return { decimal: lastComma > lastDot ? "," : ".", strength: "strong" };
  const at = Math.max(lastComma, lastDot);
  if (at < 0) return undefined;
  const separator = body[at] as DecimalSeparator;
  const occurrences = body.split(separator).length - 1;
  const after = body.slice(at + 1);
  // Two occurrences can only be grouping (`1.234.567`): the other character is the decimal separator.
  if (occurrences > 1) return { decimal: separator === "," ? "." : ",", strength: "strong" };
  if (/^\d{1,2}$/.test(after) || /^\d{4,}$/.test(after)) return { decimal: separator, strength: "strong" };
  if (/^\d{3}$/.test(after)) {
    const before = body.slice(0, at);
    // `0,125` or `1234,567` cannot be thousands grouping.
    if (!/^\d{1,3}$/.test(before.replace(/[\s\u00a0\u202f\u2009']/g, "")) || /^0+$/.test(before)) {
      return { decimal: separator, strength: "strong" };
    }
    return { decimal: separator === "," ? "." : ",", strength: "weak" };
  }
  return undefined;
}
