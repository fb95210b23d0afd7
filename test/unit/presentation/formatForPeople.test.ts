import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCsvAmount } from "../../../lib/formats/csv/parseCsvAmount.ts";
import { formatOre } from "../../../lib/money/ore.ts";
import {
  NORWEGIAN_GROUP_SEPARATOR,
  NORWEGIAN_MINUS,
  formatCountForPeople,
  formatDateForPeople,
  formatMegabytesForPeople,
  formatOreForPeople,
  formatPeriodForPeople,
  formatTimestampForPeople,
} from "../../../lib/presentation/formatForPeople.ts";

/** Øre amounts up to ±10^18 kroner: far beyond any float's exact range, so only bigint arithmetic gets them right. */
// Up to the largest amount the readers accept: 18 digits of kroner (lib/money/ore.ts).
const anyOre = fc.bigInt({ min: -(10n ** 20n) + 1n, max: 10n ** 20n - 1n });

describe("amounts for people", () => {
  it("Norwegian text parses back to the same øre with the project's own Norwegian amount reader", () => {
    fc.assert(
      fc.property(anyOre, (ore) => {
        expect(parseCsvAmount(formatOreForPeople(ore, "nb"), ",")).toBe(ore);
      }),
    );
  });

  it("English text parses back to the same øre", () => {
    fc.assert(
      fc.property(anyOre, (ore) => {
        expect(parseCsvAmount(formatOreForPeople(ore, "en"), ".")).toBe(ore);
      }),
    );
  });

  it("writes Norwegian figures exactly as Intl.NumberFormat('nb-NO') does: NBSP groups, decimal comma, U+2212 minus", () => {
    // Intl formats a decimal string exactly (no float), so it is an independent oracle for every magnitude.
    const norwegian = new Intl.NumberFormat("nb-NO", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const english = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    fc.assert(
      fc.property(anyOre, (ore) => {
        const decimal = formatOre(ore) as `${number}`;
        expect(formatOreForPeople(ore, "nb")).toBe(norwegian.format(decimal));
        expect(formatOreForPeople(ore, "en")).toBe(english.format(decimal));
      }),
    );
  });

  it("uses one group separator (U+00A0) and one minus (U+2212) in Norwegian text, never a plain space or hyphen", () => {
    fc.assert(
      fc.property(anyOre, (ore) => {
        const text = formatOreForPeople(ore, "nb");
        expect(text).not.toMatch(/[ \-\u202f]/);
        expect(text.startsWith(NORWEGIAN_MINUS)).toBe(ore < 0n);
        const groups = text.replace(NORWEGIAN_MINUS, "").split(",")[0]!.split(NORWEGIAN_GROUP_SEPARATOR);
        expect(groups.slice(1).every((group) => /^\d{3}$/.test(group))).toBe(true);
        expect(groups[0]).toMatch(/^\d{1,3}$/);
      }),
    );
  });

  it("groups counts like amounts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (count) => {
        expect(formatCountForPeople(count, "nb")).toBe(new Intl.NumberFormat("nb-NO").format(count));
        expect(formatCountForPeople(count, "en")).toBe(new Intl.NumberFormat("en-US").format(count));
      }),
    );
  });
});

describe("dates for people", () => {
  it("writes ISO dates as dd.mm.yyyy in Norwegian and keeps them ISO in English", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1900-01-01"), max: new Date("2199-12-31"), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString().slice(0, 10);
          const [year, month, day] = iso.split("-");
          expect(formatDateForPeople(iso, "nb")).toBe(`${day}.${month}.${year}`);
          expect(formatDateForPeople(iso, "en")).toBe(iso);
        },
      ),
    );
    expect(formatPeriodForPeople({ start: "2025-01-01", end: "2025-03-31" }, "nb")).toBe("01.01.2025–31.03.2025");
  });

  it("writes a timestamp to the minute in the given time zone", () => {
    // 23:30 UTC on 31 December is already the next year in Oslo (UTC+1 in winter).
    expect(formatTimestampForPeople("2025-12-31T23:30:12.345Z", "nb", "Europe/Oslo")).toBe("01.01.2026 00:30");
    expect(formatTimestampForPeople("2025-06-30T22:05:00.000Z", "en", "Europe/Oslo")).toBe("2025-07-01 00:05");
    expect(formatTimestampForPeople("not a time", "nb")).toBe("not a time");
  });
});

describe("formatMegabytesForPeople", () => {
  it("writes megabytes with one decimal, grouped like amounts", () => {
    expect(formatMegabytesForPeople(0, "nb")).toBe("0,0 MB");
    expect(formatMegabytesForPeople(1_249_999, "nb")).toBe("1,2 MB");
    expect(formatMegabytesForPeople(1_250_000, "nb")).toBe("1,3 MB");
    expect(formatMegabytesForPeople(2_147_483_648, "nb")).toBe(`2${NORWEGIAN_GROUP_SEPARATOR}147,5 MB`);
    expect(formatMegabytesForPeople(2_147_483_648, "en")).toBe("2,147.5 MB");
  });
});
