import { describe, expect, it } from "vitest";
import { addDays } from "../../../../lib/connectors/tripletex/dateWindows.ts";
import {
  type PostingPageRequest,
  PostingWindowError,
  readPostings,
  RowCapExceeded,
} from "../../../../lib/connectors/tripletex/readPostings.ts";
import type { TripletexPosting } from "../../../../lib/connectors/tripletex/schemas.ts";

/** Two-line vouchers: `perDay(date)` vouchers on each day, debit account 1920 / credit 3000 (or accounts given). */
function ledger(perDay: (date: string) => number, start = "2025-01-01", end = "2025-12-31"): TripletexPosting[] {
  const postings: TripletexPosting[] = [];
  let id = 1;
  let voucherId = 1;
  for (let date = start; date <= end; date = addDays(date, 1)) {
    for (let i = 0; i < perDay(date); i++, voucherId++) {
      const voucher = { id: voucherId, number: voucherId, year: 2025 };
      postings.push({ id: id++, date, amount: 100n, row: 1, voucher, account: { number: 1920 + (i % 50) } });
      postings.push({ id: id++, date, amount: -100n, row: 2, voucher, account: { number: 3000 + (i % 50) } });
    }
  }
  return postings;
}

/** A page fetcher with Tripletex's rules: exclusive dateTo, exclusive accountNumberTo, 10 000-row cap. */
function fakeFetcher(postings: TripletexPosting[]) {
  const requests: PostingPageRequest[] = [];
  const byDate = new Map<string, TripletexPosting[]>();
  for (const posting of postings) {
    const day = byDate.get(posting.date);
    if (day) day.push(posting);
    else byDate.set(posting.date, [posting]);
  }
  const fetchPage = async (request: PostingPageRequest) => {
    requests.push(request);
    const rows: TripletexPosting[] = [];
    for (let date = request.window.start; date <= request.window.end; date = addDays(date, 1)) {
      for (const posting of byDate.get(date) ?? []) {
        if (
          !request.accounts ||
          (posting.account.number >= request.accounts.from && posting.account.number < request.accounts.to)
        )
          rows.push(posting);
      }
    }
    if (rows.length > 10_000) throw new RowCapExceeded(request);
    return { values: rows.slice(request.from, request.from + request.count), versionDigest: `d${rows.length}` };
  };
  return { fetchPage, requests };
}

async function readAll(postings: TripletexPosting[], pageSize = 1000) {
  const { fetchPage, requests } = fakeFetcher(postings);
  const vouchers: TripletexPosting[][] = [];
  for await (const window of readPostings(
    fetchPage,
    { start: "2025-01-01", end: "2025-12-31" },
    {
      pageSize,
      accountBounds: { from: 1000, to: 9000 },
    },
  )) {
    vouchers.push(...window.vouchers);
  }
  return { vouchers, requests };
}

describe("reading postings window by window", () => {
  it("reads a quiet year in month windows, paging until a short page, every voucher whole", async () => {
    const postings = ledger(() => 3);
    const { vouchers, requests } = await readAll(postings, 50);
    expect(vouchers).toHaveLength(365 * 3);
    expect(vouchers.every((lines) => lines.length === 2 && lines[0]!.voucher.id === lines[1]!.voucher.id)).toBe(true);
    expect(
      vouchers
        .flat()
        .map((posting) => posting.id)
        .sort((a, b) => a - b),
    ).toEqual(postings.map((posting) => posting.id));
    // 12 months × 4 pages of 50 (186 rows in a 31-day month): paging stops at the first short page.
    expect(new Set(requests.map((request) => request.window.start)).size).toBe(12);
  });

  it("splits a month over the 10 000-row cap by dates, and starts the following months at the size that fitted", async () => {
    const postings = ledger(() => 400); // 800 postings a day: ~24 000 a month
    const { vouchers, requests } = await readAll(postings);
    expect(vouchers.flat()).toHaveLength(postings.length);
    const refusedMonths = requests.filter(
      (request) => request.from === 0 && request.window.start.endsWith("-01") && request.window.end.endsWith("-31"),
    );
    // Only January is tried as a whole month; later months begin with windows that fit.
    expect(refusedMonths.map((request) => request.window.start)).toEqual(["2025-01-01"]);
  });

  it("splits a single day over the cap by account ranges and still yields whole vouchers", async () => {
    const postings = ledger((date) => (date === "2025-06-30" ? 6_000 : 1));
    const { vouchers, requests } = await readAll(postings);
    expect(vouchers.flat()).toHaveLength(postings.length);
    expect(vouchers.every((lines) => lines.length === 2)).toBe(true);
    expect(requests.some((request) => request.accounts !== undefined)).toBe(true);
  });

  it("refuses a single account with more than 10 000 postings on one day, saying which", async () => {
    const postings: TripletexPosting[] = [];
    for (let i = 0; i < 10_001; i++) {
      const voucher = { id: i + 1, number: i + 1, year: 2025 };
      postings.push({ id: 2 * i + 1, date: "2025-03-03", amount: 1n, row: 1, voucher, account: { number: 1920 } });
    }
    await expect(readAll(postings)).rejects.toThrow(PostingWindowError);
    await expect(readAll(postings)).rejects.toThrow(/account 1920 has more than 10000 postings on 2025-03-03/);
  });

  it("reads a window again when its versionDigest changes between pages", async () => {
    const postings = ledger((date) => (date.startsWith("2025-02") ? 30 : 0));
    let calls = 0;
    const fetchPage = async (request: PostingPageRequest) => {
      const rows = postings.filter(
        (posting) => posting.date >= request.window.start && posting.date <= request.window.end,
      );
      calls++;
      // The second page of February's first read comes from a changed list.
      const digest = request.window.start === "2025-02-01" && calls === 3 ? "changed" : "same";
      return { values: rows.slice(request.from, request.from + request.count), versionDigest: digest };
    };
    const vouchers: TripletexPosting[][] = [];
    for await (const window of readPostings(
      fetchPage,
      { start: "2025-01-01", end: "2025-02-28" },
      {
        pageSize: 1000,
        accountBounds: { from: 1000, to: 9000 },
      },
    ))
      vouchers.push(...window.vouchers);
    expect(vouchers.flat()).toHaveLength(postings.length);
    // January (1 page), February read twice (2 + 2 pages).
    expect(calls).toBe(5);
  });
});
