import type { Period } from "../../ledger/types.ts";

/**
 * Date windows for reading postings. saldo's periods are inclusive on both ends; Tripletex's `dateTo` is exclusive
 * (`dateFrom=2025-01-01&dateTo=2026-01-01` is the year 2025), so every query goes through {@link toTripletexRange}.
 */

const DAY_MS = 86_400_000;

function toUtc(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO date: ${date}`);
  return ms;
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The ISO date `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Days in an inclusive window. */
export function daysIn(window: Period): number {
  return Math.round((toUtc(window.end) - toUtc(window.start)) / DAY_MS) + 1;
}

/** Tripletex's `dateFrom` (inclusive) and `dateTo` (exclusive) for an inclusive window. */
export function toTripletexRange(window: Period): { dateFrom: string; dateTo: string } {
  return { dateFrom: window.start, dateTo: addDays(window.end, 1) };
}

/** The calendar months of a period, clipped to it: the first windows postings are read in. */
export function monthWindows(period: Period): Period[] {
  const windows: Period[] = [];
  let start = period.start;
  while (start <= period.end) {
    const [year, month] = start.split("-").map(Number) as [number, number];
    const lastOfMonth = fromUtc(Date.UTC(year, month, 0));
    const end = lastOfMonth < period.end ? lastOfMonth : period.end;
    windows.push({ start, end });
    start = addDays(end, 1);
  }
  return windows;
}

/** Splits a window into consecutive windows of at most `days` days. */
export function splitByDays(window: Period, days: number): Period[] {
  const size = Math.max(1, Math.floor(days));
  const windows: Period[] = [];
  let start = window.start;
  while (start <= window.end) {
    const candidate = addDays(start, size - 1);
    const end = candidate < window.end ? candidate : window.end;
    windows.push({ start, end });
    start = addDays(end, 1);
  }
  return windows;
}

/** Two halves of a window of two days or more (the first half takes the middle day). */
export function halve(window: Period): [Period, Period] {
  const days = daysIn(window);
  if (days < 2) throw new RangeError(`a one-day window cannot be halved: ${window.start}`);
  const firstEnd = addDays(window.start, Math.ceil(days / 2) - 1);
  return [
    { start: window.start, end: firstEnd },
    { start: addDays(firstEnd, 1), end: window.end },
  ];
}

/** An account-number range, `from` inclusive and `to` exclusive, as Tripletex's `accountNumberFrom/To`. */
export interface AccountRange {
  from: number;
  to: number;
}

/** Two halves of an account range of two numbers or more. */
export function halveAccounts(range: AccountRange): [AccountRange, AccountRange] {
  if (range.to - range.from < 2) throw new RangeError(`a single account number cannot be split: ${range.from}`);
  const middle = range.from + Math.floor((range.to - range.from) / 2);
  return [
    { from: range.from, to: middle },
    { from: middle, to: range.to },
  ];
}
