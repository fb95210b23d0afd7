import { describe, expect, it } from "vitest";
import { syntheticBooks } from "../../../../lib/local/fakes/syntheticBooks.ts";
import { collectGarbage } from "../../../helpers/memory.ts";

/**
 * The synthetic volume books. The memory test streams a year of `SALDO_TEST_VOLUME_POSTINGS` postings (default
 * 200 000; set it to 1000000 for the full million) and checks that the heap does not grow with the year.
 */
const VOLUME = Number(process.env.SALDO_TEST_VOLUME_POSTINGS ?? 200_000);

const YEAR = { start: "2025-01-01", end: "2025-12-31" };

function monthWindows(year: number): { start: string; end: string }[] {
  return Array.from({ length: 12 }, (_, index) => {
    const last = new Date(Date.UTC(year, index + 1, 0)).getUTCDate();
    const month = String(index + 1).padStart(2, "0");
    return { start: `${year}-${month}-01`, end: `${year}-${month}-${last}` };
  });
}

function lastIndexOf(books: ReturnType<typeof syntheticBooks>, date: string): number {
  let last = -1;
  for (const voucher of books.vouchers({ start: date, end: date })) last = voucher.id - 1;
  return last;
}

describe("synthetic books", () => {
  it("hold exactly the postings asked for when the pattern allows, and never more", () => {
    expect(syntheticBooks({ postings: 1_000_000 }).postingTotal).toBe(1_000_000);
    expect(syntheticBooks({ postings: 1_000_000 }).voucherTotal).toBe(400_000);
    for (const postings of [0, 1, 2, 3, 5, 7, 9, 11, 12345]) {
      const books = syntheticBooks({ postings });
      expect(books.postingTotal).toBeLessThanOrEqual(postings);
      expect(postings - books.postingTotal).toBeLessThanOrEqual(2);
      expect(books.postingCount(YEAR)).toBe(books.postingTotal);
    }
    expect(() => syntheticBooks({ postings: -1 })).toThrow(RangeError);
  });

  it("spread the vouchers over the year in date order; month windows partition it", () => {
    const books = syntheticBooks({ postings: 50_000, seed: 3 });
    let counted = 0;
    let previousId = 0;
    for (const window of monthWindows(2025)) {
      const count = books.postingCount(window);
      expect(count).toBeGreaterThan(3_000);
      counted += count;
      const rows = [...books.postings(window)];
      expect(rows).toHaveLength(count);
      expect(rows.every((row) => row.date >= window.start && row.date <= window.end)).toBe(true);
      expect(rows[0]!.id).toBe(previousId + 1);
      previousId = rows[rows.length - 1]!.id;
    }
    expect(counted).toBe(books.postingTotal);
    expect(books.postingCount({ start: "2024-01-01", end: "2024-12-31" })).toBe(0);
    expect(books.postingCount({ start: "2025-12-31", end: "2026-03-01" })).toBeGreaterThan(0);
  });

  it("page a window by offset and limit without producing what comes before", () => {
    const books = syntheticBooks({ postings: 20_000, seed: 5 });
    const march = { start: "2025-03-01", end: "2025-03-31" };
    const all = [...books.postings(march)];
    for (const [offset, limit] of [
      [0, 10],
      [1, 7],
      [2, 3],
      [999, 1000],
      [all.length - 3, 10],
    ] as const) {
      const page = [...books.postings(march, { offset, limit })];
      expect(page.map((row) => `${row.id}/${row.voucher.number}/${row.row}`)).toEqual(
        all.slice(offset, offset + limit).map((row) => `${row.id}/${row.voucher.number}/${row.row}`),
      );
    }
  });

  it("balance every voucher and carry customers, suppliers, departments and VAT codes", () => {
    const books = syntheticBooks({ postings: 10_000, seed: 9 });
    for (const voucher of books.vouchers()) {
      expect(voucher.postings.reduce((total, posting) => total + posting.amount, 0n)).toBe(0n);
    }
    const rows = [...books.postings(YEAR, { limit: 100 })];
    expect(rows.some((row) => row.customerId)).toBe(true);
    expect(rows.some((row) => row.supplierId)).toBe(true);
    expect(rows.some((row) => row.departmentId)).toBe(true);
    expect(rows.some((row) => row.vatCode === "3")).toBe(true);
  });

  it("know the newest creation time of any window's vouchers without producing them: the vouchers' own maximum", () => {
    // 200 000 vouchers: more than the 43 200 of one time-of-day cycle, and days of about 550 vouchers.
    const books = syntheticBooks({ postings: 500_000, seed: 5 });
    const windows = [
      { start: "2025-01-01", end: "2025-01-01" },
      { start: "2025-01-01", end: "2025-01-31" },
      { start: "2025-03-10", end: "2025-03-12" },
      { start: "2025-02-27", end: "2025-03-04" },
      { start: "2025-12-31", end: "2025-12-31" },
      { start: "2024-06-01", end: "2024-12-31" },
      { start: "2026-01-01", end: "2026-01-31" },
    ];
    for (const window of windows) {
      let newest: string | undefined;
      for (const voucher of books.vouchers(window))
        if (newest === undefined || voucher.createdAt > newest) newest = voucher.createdAt;
      expect({ window, newest: books.newestCreatedAt(window) }).toEqual({ window, newest });
    }
    // Voucher 43 200 (the first of a new 12-hour cycle of creation times) is dated 20 March: that day's newest is the
    // cycle's last second; 1 January's is its own last voucher's.
    expect(books.voucherAt(43_200).date).toBe("2025-03-20");
    expect(books.newestCreatedAt({ start: "2025-03-20", end: "2025-03-20" })).toBe("2025-03-21T17:59:59.000Z");
    expect(books.newestCreatedAt({ start: "2025-01-01", end: "2025-01-01" })).toBe(
      books.voucherAt(lastIndexOf(books, "2025-01-01")).createdAt,
    );
  });

  it("are reproducible from the seed, and differ between seeds", () => {
    const first = [...syntheticBooks({ postings: 1_000, seed: "bench" }).postings(YEAR)].map((row) => row.amount);
    const again = [...syntheticBooks({ postings: 1_000, seed: "bench" }).postings(YEAR)].map((row) => row.amount);
    const other = [...syntheticBooks({ postings: 1_000, seed: "other" }).postings(YEAR)].map((row) => row.amount);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it("know their totals per account: the sums of the month windows' postings, to the øre, and a trial balance that sums to zero", () => {
    const books = syntheticBooks({ postings: 30_000, seed: 11 });
    const streamed = new Map<string, bigint>();
    for (const window of monthWindows(2025)) {
      for (const row of books.postings(window))
        streamed.set(row.account, (streamed.get(row.account) ?? 0n) + row.amount);
    }
    const totals = books.expectedTotals();
    expect([...totals.keys()].sort()).toEqual([...streamed.keys()].sort());
    for (const [account, total] of totals) {
      expect(total.net).toBe(streamed.get(account));
      expect(total.debit + total.credit).toBe(total.net);
    }
    const tb = books.trialBalance(YEAR);
    expect(tb.reduce((total, row) => total + row.closing, 0n)).toBe(0n);
    for (const row of tb) expect(row.movement).toBe(totals.get(row.account.number)?.net ?? 0n);
    const firstHalf = books.trialBalance({ start: "2025-01-01", end: "2025-06-30" });
    const secondHalf = books.trialBalance({ start: "2025-07-01", end: "2025-12-31" });
    for (const row of secondHalf)
      expect(row.opening).toBe(firstHalf.find((candidate) => candidate.account.number === row.account.number)!.closing);
  });

  it(`streams a year of ${VOLUME} postings with flat memory`, () => {
    const books = syntheticBooks({ postings: VOLUME, seed: 1 });
    const retained = () => {
      collectGarbage();
      return process.memoryUsage().heapUsed;
    };
    const baseline = retained();
    const afterEachMonth: number[] = [];
    let count = 0;
    let net = 0n;
    for (const window of monthWindows(2025)) {
      for (const row of books.postings(window)) {
        count++;
        net += row.amount;
      }
      afterEachMonth.push(retained() - baseline);
    }
    expect(count).toBe(books.postingTotal);
    expect(net).toBe(0n);
    // What stays on the heap after a collection does not grow with the postings read: a few MB at most, where the
    // year held in memory would be hundreds of bytes per posting (tens of MB at 200 000, hundreds at 1 M).
    expect(Math.max(...afterEachMonth)).toBeLessThan(4 * 1024 * 1024);
  });
});
