import type { Period } from "../../ledger/types.ts";

/** ISO date arithmetic for PowerOffice Go's inclusive date windows (UTC calendar days, no time zones involved). */

/** `YYYY-MM-DD` shifted by `days`. */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The first day of the month `months` after the month of `isoDate`. */
export function addMonths(isoDate: string, months: number): string {
  const date = new Date(`${isoDate.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

/** Days from `start` to `end`, both included. */
export function daysIn(window: Period): number {
  return Math.round((Date.parse(`${window.end}T00:00:00Z`) - Date.parse(`${window.start}T00:00:00Z`)) / 86_400_000) + 1;
}

/** First day of the fiscal year containing `isoDate`, for a year that ends in month `endMonth` (1–12). */
export function fiscalYearStartOf(isoDate: string, endMonth: number): string {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  const startMonth = (endMonth % 12) + 1;
  const startYear = month >= startMonth ? year : year - 1;
  return `${startYear}-${String(startMonth).padStart(2, "0")}-01`;
}

/** The calendar months of a period, each cut to the period (inclusive dates). */
export function monthWindows(period: Period): Period[] {
  const windows: Period[] = [];
  let monthStart = `${period.start.slice(0, 7)}-01`;
  while (monthStart <= period.end) {
    const monthEnd = addDays(addMonths(monthStart, 1), -1);
    windows.push({
      start: monthStart < period.start ? period.start : monthStart,
      end: monthEnd > period.end ? period.end : monthEnd,
    });
    monthStart = addMonths(monthStart, 1);
  }
  return windows;
}

/** A window in two halves by date (a window of one day cannot be split: undefined). */
export function splitWindow(window: Period): [Period, Period] | undefined {
  const days = daysIn(window);
  if (days < 2) return undefined;
  const firstEnd = addDays(window.start, Math.floor(days / 2) - 1);
  return [
    { start: window.start, end: firstEnd },
    { start: addDays(firstEnd, 1), end: window.end },
  ];
}
