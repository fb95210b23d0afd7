import type { Period } from "../../ledger/types.ts";
import { type AccountRange, daysIn, halve, halveAccounts, monthWindows, splitByDays } from "./dateWindows.ts";
import { MAX_ROWS_PER_QUERY, type TripletexPosting } from "./schemas.ts";

/**
 * Reads the postings of a period window by window, the way Tripletex lets a big ledger be read:
 *
 * - windows are calendar months at first (`dateTo` exclusive is the adapter's business, see `toTripletexRange`);
 * - every window is paged with `from`/`count` until a short page (`fullResultSize` is deprecated and inexact);
 * - a query whose result exceeds 10 000 rows fails with 422 code 23000 whatever `count` is: the window is halved by
 *   dates, down to a single day, and a day over the cap is split by account-number ranges. The size that worked is
 *   remembered, so the next months start at it instead of failing again (a 1 M-posting year costs a handful of
 *   refused queries, not one per window);
 * - a window's postings are grouped into vouchers only once the window is read to its end: a voucher's postings share
 *   its date, so they are all in the window, but pages cut through vouchers. Memory is therefore bounded by the row
 *   cap (10 000 postings), never by the year — except for a single day over the cap, whose account-range parts are
 *   gathered before its vouchers can be complete;
 * - when the list's `versionDigest` changes between the pages of one window, the books changed while being read:
 *   the window is read again (twice at most), so a voucher is never emitted half old, half new.
 */

/** One page request. */
export interface PostingPageRequest {
  window: Period;
  accounts?: AccountRange;
  from: number;
  count: number;
}

/** One page answer. */
export interface PostingPage {
  values: TripletexPosting[];
  versionDigest?: string | null;
}

/** Thrown by a page fetcher when Tripletex refuses the query as too large (422, code 23000). */
export class RowCapExceeded extends Error {
  constructor(readonly request: PostingPageRequest) {
    super(`more than ${MAX_ROWS_PER_QUERY} postings in ${request.window.start}…${request.window.end}`);
    this.name = "RowCapExceeded";
  }
}

/** Thrown when the data keeps changing under a window, or a single account's day exceeds the cap. */
export class PostingWindowError extends Error {
  constructor(
    message: string,
    readonly window: Period,
    readonly reason: "changing" | "single-account-over-cap",
  ) {
    super(message);
    this.name = "PostingWindowError";
  }
}

export interface ReadPostingsOptions {
  /** Rows per page (Tripletex's default `count` is 1000). */
  pageSize: number;
  /**
   * The account numbers of the chart (`to` exclusive): the range a day over the cap is split across first; numbers
   * outside it are read too, as one range each side.
   */
  accountBounds: AccountRange;
  /**
   * Called once per window read in full (or part of one), for provenance: with the list's `versionDigest` as read
   * (null when the window is empty), which the next sync's plan compares window by window.
   */
  onWindowRead?: (window: Period, rows: number, accounts: AccountRange | undefined, digest: string | null) => void;
}

/** One window read in full: its postings grouped by voucher, vouchers in order of their first posting. */
export interface PostingWindow {
  window: Period;
  vouchers: TripletexPosting[][];
  rows: number;
}

const MAX_REREADS = 2;
/** Tripletex account numbers are int32: the exclusive upper end of every account-number range. */
const MAX_ACCOUNT_NUMBER = 2_147_483_647;

/** Reads every posting of `period`, window by window (see the module comment). */
export async function* readPostings(
  fetchPage: (request: PostingPageRequest) => Promise<PostingPage>,
  period: Period,
  options: ReadPostingsOptions,
): AsyncGenerator<PostingWindow, void, undefined> {
  // The window length (days) known to stay under the cap; Infinity until a month was refused.
  let fittingDays = Number.POSITIVE_INFINITY;
  for (const month of monthWindows(period)) {
    const queue: Period[] = daysIn(month) > fittingDays ? splitByDays(month, fittingDays) : [month];
    while (queue.length > 0) {
      const window = queue.shift()!;
      try {
        const groups = new Map<number, TripletexPosting[]>();
        const { rows, digest } = await readWindow(fetchPage, { window }, options.pageSize, groups);
        options.onWindowRead?.(window, rows, undefined, digest);
        yield { window, vouchers: [...groups.values()], rows };
        // Windows that come back well under the cap may grow again (a busy month followed by quiet ones).
        if (Number.isFinite(fittingDays) && rows * 4 < MAX_ROWS_PER_QUERY && daysIn(window) >= fittingDays)
          fittingDays *= 2;
      } catch (error) {
        if (!(error instanceof RowCapExceeded)) throw error;
        if (daysIn(window) > 1) {
          const [first, second] = halve(window);
          fittingDays = Math.min(fittingDays, daysIn(first));
          queue.unshift(first, second);
        } else {
          fittingDays = 1;
          yield await readDayByAccounts(fetchPage, window, options);
        }
      }
    }
  }
}

/** Pages through one query until a short page, gathering postings by voucher. Re-reads when the list changed. */
async function readWindow(
  fetchPage: (request: PostingPageRequest) => Promise<PostingPage>,
  query: { window: Period; accounts?: AccountRange },
  pageSize: number,
  groups: Map<number, TripletexPosting[]>,
): Promise<{ rows: number; digest: string | null }> {
  for (let attempt = 0; ; attempt++) {
    const added: TripletexPosting[] = [];
    let digest: string | null | undefined;
    let changed = false;
    for (let from = 0; ; from += pageSize) {
      const page = await fetchPage({ ...query, from, count: pageSize });
      if (from === 0) digest = page.versionDigest;
      else if (page.versionDigest !== digest) {
        changed = true;
        break;
      }
      added.push(...page.values);
      if (page.values.length < pageSize) break;
    }
    if (!changed) {
      for (const posting of added) {
        const voucher = groups.get(posting.voucher.id);
        if (voucher) voucher.push(posting);
        else groups.set(posting.voucher.id, [posting]);
      }
      return { rows: added.length, digest: digest ?? null };
    }
    if (attempt >= MAX_REREADS) {
      throw new PostingWindowError(
        `the postings of ${query.window.start}…${query.window.end} kept changing while being read (${attempt + 1} attempts)`,
        query.window,
        "changing",
      );
    }
  }
}

/** A single day over the cap: read it in account-number ranges, halving a range that is still over the cap. */
async function readDayByAccounts(
  fetchPage: (request: PostingPageRequest) => Promise<PostingPage>,
  day: Period,
  options: ReadPostingsOptions,
): Promise<PostingWindow> {
  const groups = new Map<number, TripletexPosting[]>();
  // The chart's range in halves, and whatever lies beyond it (an account the chart did not list must not be lost).
  const bounds = options.accountBounds;
  const ranges: AccountRange[] = bounds.to - bounds.from >= 2 ? [...halveAccounts(bounds)] : [bounds];
  if (bounds.from > 0) ranges.unshift({ from: 0, to: bounds.from });
  if (bounds.to < MAX_ACCOUNT_NUMBER) ranges.push({ from: bounds.to, to: MAX_ACCOUNT_NUMBER });
  let rows = 0;
  while (ranges.length > 0) {
    const accounts = ranges.shift()!;
    try {
      const read = await readWindow(fetchPage, { window: day, accounts }, options.pageSize, groups);
      options.onWindowRead?.(day, read.rows, accounts, read.digest);
      rows += read.rows;
    } catch (error) {
      if (!(error instanceof RowCapExceeded)) throw error;
      if (accounts.to - accounts.from < 2) {
        throw new PostingWindowError(
          `account ${accounts.from} has more than ${MAX_ROWS_PER_QUERY} postings on ${day.start}: Tripletex cannot list them in one query`,
          day,
          "single-account-over-cap",
        );
      }
      ranges.unshift(...halveAccounts(accounts));
    }
  }
  return { window: day, vouchers: [...groups.values()], rows };
}
