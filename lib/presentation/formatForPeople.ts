import { formatOre, type Ore } from "../money/ore.ts";
import type { Locale } from "./locale.ts";

/*
 * Figures, counts and dates as people read them, in one place. The choices (README, "Text output"):
 * - nb: thousands grouped with U+00A0 NO-BREAK SPACE (a number never breaks across lines and every terminal draws it
 *   one column wide), decimal comma, negatives with U+2212 MINUS SIGN — as Intl.NumberFormat("nb-NO") and Norwegian
 *   typography write them: `−1 234 567,89`. Dates `dd.mm.yyyy`.
 * - en: `-1,234,567.89` (ASCII hyphen-minus), ISO dates `2025-12-31` (unambiguous for British and American readers).
 * Machine formats (JSON, CSV, XLSX) never use these: they have their own, fixed rules.
 */

/** U+00A0 NO-BREAK SPACE: the thousands separator of Norwegian text output. */
export const NORWEGIAN_GROUP_SEPARATOR = "\u00a0";
/** U+2212 MINUS SIGN: the minus of Norwegian text output. */
export const NORWEGIAN_MINUS = "\u2212";

interface NumberStyle {
  group: string;
  decimal: string;
  minus: string;
}

const NUMBER_STYLES: Record<Locale, NumberStyle> = {
  nb: { group: NORWEGIAN_GROUP_SEPARATOR, decimal: ",", minus: NORWEGIAN_MINUS },
  en: { group: ",", decimal: ".", minus: "-" },
};

function groupDigits(digits: string, separator: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** An amount in øre for people, exact (bigint, never a float): nb `−1 234 567,89`, en `-1,234,567.89`. */
export function formatOreForPeople(ore: Ore, locale: Locale): string {
  const style = NUMBER_STYLES[locale];
  const [whole, decimals] = formatOre(ore).split(".") as [string, string];
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  return `${negative ? style.minus : ""}${groupDigits(digits, style.group)}${style.decimal}${decimals}`;
}

/** A count for people, grouped like amounts: nb `12 345`, en `12,345`. */
export function formatCountForPeople(count: number | bigint, locale: Locale): string {
  const style = NUMBER_STYLES[locale];
  const text = typeof count === "bigint" ? count.toString() : String(Math.trunc(count));
  const negative = text.startsWith("-");
  return `${negative ? style.minus : ""}${groupDigits(negative ? text.slice(1) : text, style.group)}`;
}

/** A size in bytes as megabytes (10^6 bytes) with one decimal, grouped like amounts: nb `1 234,5 MB`, en `1,234.5 MB`. */
export function formatMegabytesForPeople(bytes: number, locale: Locale): string {
  const style = NUMBER_STYLES[locale];
  const tenths = Math.round(Math.max(0, bytes) / 100_000);
  return `${groupDigits(String(Math.trunc(tenths / 10)), style.group)}${style.decimal}${tenths % 10} MB`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An ISO date (YYYY-MM-DD) for people: nb `31.12.2025`, en `2025-12-31`. Anything else is returned unchanged. */
export function formatDateForPeople(isoDate: string, locale: Locale): string {
  const match = ISO_DATE.exec(isoDate);
  if (!match || locale === "en") return isoDate;
  return `${match[3]}.${match[2]}.${match[1]}`;
}

/** A period for people: nb `01.01.2025–31.12.2025`, en `2025-01-01 – 2025-12-31`. */
export function formatPeriodForPeople(period: { start: string; end: string }, locale: Locale): string {
  const start = formatDateForPeople(period.start, locale);
  const end = formatDateForPeople(period.end, locale);
  return locale === "nb" ? `${start}–${end}` : `${start} – ${end}`;
}

/**
 * A point in time (ISO 8601 with zone) for people, to the minute, in the time zone of the machine (`TZ`), as a
 * person at that machine reads a clock: nb `04.12.2026 14:11`, en `2026-12-04 14:11`. Unparsable text is returned
 * unchanged.
 */
export function formatTimestampForPeople(isoTimestamp: string, locale: Locale, timeZone?: string): string {
  const time = Date.parse(isoTimestamp);
  if (Number.isNaN(time)) return isoTimestamp;
  const parts = new Intl.DateTimeFormat("en-GB", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(new Date(time));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? "";
  const date = `${part("year")}-${part("month")}-${part("day")}`;
  return `${formatDateForPeople(date, locale)} ${part("hour")}:${part("minute")}`;
}

/** A Norwegian organisation number for people: nb `923 609 016` (as Brønnøysundregistrene shows it), en unchanged. */
export function formatOrgNumberForPeople(orgNumber: string, locale: Locale): string {
  if (locale !== "nb" || !/^\d{9}$/.test(orgNumber)) return orgNumber;
  return `${orgNumber.slice(0, 3)} ${orgNumber.slice(3, 6)} ${orgNumber.slice(6)}`;
}
