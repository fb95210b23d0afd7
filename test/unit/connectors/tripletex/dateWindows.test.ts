import { describe, expect, it } from "vitest";
import {
  addDays,
  daysIn,
  halve,
  halveAccounts,
  monthWindows,
  splitByDays,
  toTripletexRange,
} from "../../../../lib/connectors/tripletex/dateWindows.ts";

describe("Tripletex date windows", () => {
  it("turns an inclusive period into Tripletex's exclusive dateTo: the year 2025 is 2025-01-01 to 2026-01-01", () => {
    expect(toTripletexRange({ start: "2025-01-01", end: "2025-12-31" })).toEqual({
      dateFrom: "2025-01-01",
      dateTo: "2026-01-01",
    });
    expect(toTripletexRange({ start: "2024-02-29", end: "2024-02-29" })).toEqual({
      dateFrom: "2024-02-29",
      dateTo: "2024-03-01",
    });
  });

  it("cuts a period into calendar months clipped to the period, leap day included", () => {
    expect(monthWindows({ start: "2024-01-15", end: "2024-03-10" })).toEqual([
      { start: "2024-01-15", end: "2024-01-31" },
      { start: "2024-02-01", end: "2024-02-29" },
      { start: "2024-03-01", end: "2024-03-10" },
    ]);
    const year = monthWindows({ start: "2025-01-01", end: "2025-12-31" });
    expect(year).toHaveLength(12);
    expect(year.reduce((days, window) => days + daysIn(window), 0)).toBe(365);
  });

  it("halves a window without losing or repeating a day, and splits by a day count", () => {
    const [first, second] = halve({ start: "2025-01-01", end: "2025-01-31" });
    expect(first).toEqual({ start: "2025-01-01", end: "2025-01-16" });
    expect(second).toEqual({ start: "2025-01-17", end: "2025-01-31" });
    expect(() => halve({ start: "2025-01-01", end: "2025-01-01" })).toThrow(RangeError);
    const parts = splitByDays({ start: "2025-02-01", end: "2025-02-28" }, 8);
    expect(parts.map(daysIn)).toEqual([8, 8, 8, 4]);
    expect(addDays(parts.at(-1)!.end, 0)).toBe("2025-02-28");
  });

  it("halves an account-number range with exclusive upper ends that meet", () => {
    expect(halveAccounts({ from: 1000, to: 9000 })).toEqual([
      { from: 1000, to: 5000 },
      { from: 5000, to: 9000 },
    ]);
    expect(() => halveAccounts({ from: 1920, to: 1921 })).toThrow(RangeError);
  });
});
