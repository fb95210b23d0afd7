import type { Period } from "../../../ledger/types.ts";
import type { Ore } from "../../../money/ore.ts";
import { addDays, type DemoPostingRow, type DemoVoucher, fiscalYearStart, type LedgerBooks } from "../demoBooks.ts";

/**
 * One company's books as the fake Tripletex server queries them: the shared demo or synthetic {@link LedgerBooks}
 * (plain data, independent of any API), read the Tripletex way — `dateTo` and `accountNumberTo` exclusive — plus the
 * vouchers a test adds or changes while the server runs (new postings since the last sync), each recorded with the
 * date it touches, from which the fake derives its `versionDigest`s. Reads stay lazy: a page of postings costs its own size, so a
 * synthetic year of 1 000 000 postings is never held in memory.
 */

/** A query as Tripletex takes it: `dateFrom` inclusive, `dateTo` exclusive; account numbers likewise. */
export interface PostingQuery {
  dateFrom: string;
  dateTo: string;
  accountNumberFrom?: number;
  accountNumberTo?: number;
}

/** One account's true figures over a query's dates: balance before `dateFrom`, and the net of the postings in it. */
export interface AccountFigures {
  balanceIn: Ore;
  balanceChange: Ore;
}

export class TripletexBooksView {
  readonly books: LedgerBooks;
  readonly #added: DemoVoucher[] = [];
  /** Vouchers of the books changed by a test (same id and date, other postings): the original and what replaces it. */
  readonly #replaced = new Map<number, { original: DemoVoucher; replacement: DemoVoucher }>();
  /** Every change with the date it touches, so that a list's `versionDigest` changes only with its own result. */
  readonly #changes: { date: string; revision: number }[] = [];
  #revision = 1;

  constructor(books: LedgerBooks) {
    this.books = books;
  }

  /** Adds a voucher (it must balance), as if booked in Tripletex after the books were built. */
  addVoucher(voucher: DemoVoucher): void {
    const sum = voucher.postings.reduce((total, posting) => total + posting.amount, 0n);
    if (sum !== 0n) throw new RangeError(`voucher ${voucher.number} does not balance (${sum} øre)`);
    this.#added.push(voucher);
    this.#added.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id - b.id));
    this.#changes.push({ date: voucher.date, revision: ++this.#revision });
  }

  /**
   * Changes a voucher of the books (Tripletex lets an unlocked voucher be edited): the voucher with the same id and
   * date gets `voucher`'s postings (they must balance).
   */
  changeVoucher(voucher: DemoVoucher): void {
    const sum = voucher.postings.reduce((total, posting) => total + posting.amount, 0n);
    if (sum !== 0n) throw new RangeError(`voucher ${voucher.number} does not balance (${sum} øre)`);
    const original =
      this.#replaced.get(voucher.id)?.original ??
      [...this.books.vouchers({ start: voucher.date, end: voucher.date })].find((each) => each.id === voucher.id);
    if (!original) throw new RangeError(`no voucher ${voucher.id} on ${voucher.date} in the books`);
    this.#replaced.set(voucher.id, { original, replacement: voucher });
    this.#changes.push({ date: voucher.date, revision: ++this.#revision });
  }

  /**
   * What a list of the dates `dateFrom` (inclusive) to `dateTo` (exclusive) depends on: the changes dated in them. The
   * fake's `versionDigest` of a postings or vouchers list hashes it with the query, so that — as Tripletex's hash of
   * the full result — it changes when, and only when, that list's result does.
   */
  changesIn(dateFrom: string, dateTo: string): string {
    return this.#changes
      .filter((change) => change.date >= dateFrom && change.date < dateTo)
      .map((change) => change.revision)
      .join(",");
  }

  /** Vouchers dated in the query's dates, by date. */
  *vouchers(query: PostingQuery): Iterable<DemoVoucher> {
    const window = inclusive(query);
    if (!window) return;
    if (this.#added.length === 0 && this.#replaced.size === 0) {
      yield* this.books.vouchers(window);
      return;
    }
    const added = this.#added.filter((voucher) => voucher.date >= window.start && voucher.date <= window.end);
    let next = 0;
    for (const voucher of this.books.vouchers(window)) {
      while (next < added.length && added[next]!.date < voucher.date) yield added[next++]!;
      yield this.#replaced.get(voucher.id)?.replacement ?? voucher;
    }
    while (next < added.length) yield added[next++]!;
  }

  /** Vouchers in the dates, counting no further than `stopAbove + 1` (enough to know a query is over the cap). */
  countVouchers(query: PostingQuery, stopAbove = Number.POSITIVE_INFINITY): number {
    let count = 0;
    for (const _ of this.vouchers(query)) if (++count > stopAbove) break;
    return count;
  }

  /** Postings matching the query, in voucher order, from `offset`, at most `limit`. */
  *postings(query: PostingQuery, page: { offset?: number; limit?: number } = {}): Iterable<DemoPostingRow> {
    const window = inclusive(query);
    if (!window) return;
    if (this.#added.length === 0 && this.#replaced.size === 0 && !hasAccountRange(query)) {
      yield* this.books.postings(window, page);
      return;
    }
    let skip = page.offset ?? 0;
    let left = page.limit ?? Number.POSITIVE_INFINITY;
    if (left <= 0) return;
    for (const voucher of this.vouchers(query)) {
      for (const posting of voucher.postings) {
        if (!inAccountRange(posting.account, query)) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        yield { ...posting, voucher, date: voucher.date };
        if (--left <= 0) return;
      }
    }
  }

  /** How many postings match the query, counting no further than `stopAbove + 1`. */
  countPostings(query: PostingQuery, stopAbove = Number.POSITIVE_INFINITY): number {
    const window = inclusive(query);
    if (!window) return 0;
    if (!hasAccountRange(query)) {
      let count = this.books.postingCount(window);
      for (const voucher of this.#added)
        if (voucher.date >= window.start && voucher.date <= window.end) count += voucher.postings.length;
      for (const { original, replacement } of this.#replaced.values())
        if (original.date >= window.start && original.date <= window.end)
          count += replacement.postings.length - original.postings.length;
      return count;
    }
    let count = 0;
    for (const _ of this.postings(query)) if (++count > stopAbove) break;
    return count;
  }

  /**
   * True figures per account number (every account of the chart): the balance just before `dateFrom` (balance-sheet
   * accounts since the conversion, result accounts since the start of `dateFrom`'s fiscal year) and the net of the
   * postings from `dateFrom` to `dateTo` (exclusive).
   */
  figures(dateFrom: string, dateTo: string): Map<string, AccountFigures> {
    const books = this.books;
    const opening = books.balancesBefore(dateFrom);
    const lastDay = addDays(dateTo, -1);
    const yearStart = fiscalYearStart(books, dateFrom);
    let change: Map<string, Ore>;
    if (lastDay < dateFrom) change = new Map();
    else if (fiscalYearStart(books, lastDay) === yearStart) {
      // Within one fiscal year the books' own balances give the movement without reading the postings.
      const closing = books.balancesAt(lastDay);
      change = new Map([...closing].map(([account, balance]) => [account, balance - (opening.get(account) ?? 0n)]));
    } else {
      change = new Map();
      for (const posting of books.postings({ start: dateFrom, end: lastDay })) {
        change.set(posting.account, (change.get(posting.account) ?? 0n) + posting.amount);
      }
    }
    const apply = (voucher: DemoVoucher, sign: bigint) => {
      for (const posting of voucher.postings) {
        if (voucher.date >= dateFrom && voucher.date <= lastDay) {
          change.set(posting.account, (change.get(posting.account) ?? 0n) + sign * posting.amount);
        } else if (voucher.date < dateFrom && (posting.account < "3000" || voucher.date >= yearStart)) {
          opening.set(posting.account, (opening.get(posting.account) ?? 0n) + sign * posting.amount);
        }
      }
    };
    for (const voucher of this.#added) apply(voucher, 1n);
    for (const { original, replacement } of this.#replaced.values()) {
      apply(original, -1n);
      apply(replacement, 1n);
    }
    const figures = new Map<string, AccountFigures>();
    for (const account of new Set([...opening.keys(), ...change.keys()])) {
      figures.set(account, { balanceIn: opening.get(account) ?? 0n, balanceChange: change.get(account) ?? 0n });
    }
    return figures;
  }

  /** What the API reports as the opening on `dateFrom`: the true one plus the books' reported adjustments in force. */
  reportedAdjustment(account: string, dateFrom: string): Ore {
    let amount = 0n;
    for (const adjustment of this.books.reportedOpeningAdjustments) {
      if (adjustment.account === account && dateFrom >= adjustment.from) amount += adjustment.amount;
    }
    return amount;
  }
}

/** The inclusive window of a query (undefined when empty). */
function inclusive(query: PostingQuery): Period | undefined {
  const end = addDays(query.dateTo, -1);
  return end < query.dateFrom ? undefined : { start: query.dateFrom, end };
}

function hasAccountRange(query: PostingQuery): boolean {
  return query.accountNumberFrom !== undefined || query.accountNumberTo !== undefined;
}

function inAccountRange(account: string, query: PostingQuery): boolean {
  const number = Number(account);
  return (
    (query.accountNumberFrom === undefined || number >= query.accountNumberFrom) &&
    (query.accountNumberTo === undefined || number < query.accountNumberTo)
  );
}
