import type { Ore } from "../../../money/ore.ts";

/**
 * The books of one company as the fake Tripletex server sees them: Tripletex's own entities (accounts with ids and
 * SAF-T codes, postings with voucher, row and references), amounts in øre. Two implementations: a materialised one
 * for the demo books (a few hundred vouchers a year) and a lazy one over the synthetic volume generator (a year of up
 * to 1 000 000 postings, produced window by window, never all in memory).
 */

/** Tripletex's `Account.type`. */
export type TripletexAccountType =
  | "ASSETS"
  | "EQUITY"
  | "LIABILITIES"
  | "OPERATING_REVENUES"
  | "OPERATING_EXPENSES"
  | "INVESTMENT_INCOME"
  | "COST_OF_CAPITAL"
  | "TAX_ON_ORDINARY_ACTIVITIES"
  | "EXTRAORDINARY_INCOME"
  | "EXTRAORDINARY_COST"
  | "TAX_ON_EXTRAORDINARY_ACTIVITIES"
  | "ANNUAL_RESULT"
  | "TRANSFERS_AND_ALLOCATIONS";

export interface FakeAccount {
  id: number;
  number: number;
  name: string;
  type: TripletexAccountType;
  /** Balance-sheet account (1xxx–2xxx): carries its balance into the next fiscal year; result accounts restart at 0. */
  isBalanceAccount: boolean;
  saftCode: string | null;
  groupingCode: string | null;
  isInactive: boolean;
  vatTypeNumber: string | null;
}

export interface FakeReference {
  id: number;
  /** customerNumber / supplierNumber (numbers) or departmentNumber / project number (text). */
  number: number | string;
  name: string;
}

export interface FakeVoucher {
  id: number;
  number: number;
  year: number;
  date: string;
  description: string;
  voucherTypeName: string;
}

export interface FakePosting {
  id: number;
  date: string;
  description: string;
  /** Øre, debit positive. */
  amount: Ore;
  row: number;
  voucher: FakeVoucher;
  accountNumber: number;
  vatTypeNumber: string | null;
  customer: FakeReference | null;
  supplier: FakeReference | null;
  department: FakeReference | null;
  project: FakeReference | null;
}

/** A date range as Tripletex queries it: `dateFrom` inclusive, `dateTo` exclusive; account numbers likewise. */
export interface PostingQuery {
  dateFrom: string;
  dateTo: string;
  accountNumberFrom?: number;
  accountNumberTo?: number;
}

export interface TripletexFakeLedger {
  readonly accounts: readonly FakeAccount[];
  /** The fiscal years the books hold (calendar years). */
  readonly years: readonly number[];
  /** Balances of the balance-sheet accounts before the first posting (the conversion opening), by account number. */
  readonly conversionOpening: ReadonlyMap<number, Ore>;
  /** Postings matching the query in (date, voucher, row) order. Lazy: never more than one window in memory. */
  postings(query: PostingQuery): Iterable<FakePosting>;
  /** How many postings match (the fake checks the 10 000-row cap with it before producing any page). */
  countPostings(query: PostingQuery): number;
  /** Σ amount per account number over the dates, excluding postings of the vouchers `exclude` names. */
  movements(query: PostingQuery, exclude?: (voucher: FakeVoucher) => boolean): Map<number, Ore>;
  /** Vouchers dated in the range, in date and number order. */
  vouchers(query: PostingQuery): Iterable<FakeVoucher>;
  countVouchers(query: PostingQuery): number;
  /** Changes whenever the books change (the fake's `versionDigest`s are derived from it). */
  readonly revision: number;
}

/** Matches a posting against the account-number part of a query. */
export function inAccountRange(accountNumber: number, query: PostingQuery): boolean {
  return (
    (query.accountNumberFrom === undefined || accountNumber >= query.accountNumberFrom) &&
    (query.accountNumberTo === undefined || accountNumber < query.accountNumberTo)
  );
}

/**
 * The materialised ledger: the demo books, and anything a test builds. Postings are kept sorted by date; `append`
 * adds a voucher later (a test's "new postings since the last sync") and bumps the revision.
 */
export class ArrayTripletexLedger implements TripletexFakeLedger {
  readonly accounts: readonly FakeAccount[];
  readonly years: readonly number[];
  readonly conversionOpening: ReadonlyMap<number, Ore>;
  #postings: FakePosting[];
  #revision = 1;

  constructor(input: {
    accounts: readonly FakeAccount[];
    years: readonly number[];
    conversionOpening: ReadonlyMap<number, Ore>;
    postings: readonly FakePosting[];
  }) {
    this.accounts = input.accounts;
    this.years = input.years;
    this.conversionOpening = input.conversionOpening;
    this.#postings = sortPostings([...input.postings]);
  }

  get revision(): number {
    return this.#revision;
  }

  /** Adds postings (a new voucher) and changes the revision. */
  append(postings: readonly FakePosting[]): void {
    this.#postings = sortPostings([...this.#postings, ...postings]);
    this.#revision++;
  }

  /** Changes a posting in place (e.g. its description) and changes the revision. */
  update(postingId: number, change: (posting: FakePosting) => FakePosting): void {
    this.#postings = this.#postings.map((posting) => (posting.id === postingId ? change(posting) : posting));
    this.#revision++;
  }

  *postings(query: PostingQuery): Iterable<FakePosting> {
    for (const posting of this.#postings) {
      if (posting.date < query.dateFrom) continue;
      if (posting.date >= query.dateTo) break;
      if (inAccountRange(posting.accountNumber, query)) yield posting;
    }
  }

  countPostings(query: PostingQuery): number {
    let count = 0;
    for (const _ of this.postings(query)) count++;
    return count;
  }

  movements(query: PostingQuery, exclude?: (voucher: FakeVoucher) => boolean): Map<number, Ore> {
    const sums = new Map<number, Ore>();
    for (const posting of this.postings(query)) {
      if (exclude?.(posting.voucher)) continue;
      sums.set(posting.accountNumber, (sums.get(posting.accountNumber) ?? 0n) + posting.amount);
    }
    return sums;
  }

  *vouchers(query: PostingQuery): Iterable<FakeVoucher> {
    let last: number | undefined;
    for (const posting of this.postings({ dateFrom: query.dateFrom, dateTo: query.dateTo })) {
      if (posting.voucher.id === last) continue;
      last = posting.voucher.id;
      yield posting.voucher;
    }
  }

  countVouchers(query: PostingQuery): number {
    let count = 0;
    for (const _ of this.vouchers(query)) count++;
    return count;
  }
}

function sortPostings(postings: FakePosting[]): FakePosting[] {
  return postings.sort(
    (a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) || a.voucher.number - b.voucher.number || a.row - b.row,
  );
}

/** Tripletex's account type of an NS 4102 account number. */
export function accountTypeOf(number: number): TripletexAccountType {
  if (number < 2000) return "ASSETS";
  if (number < 2100) return "EQUITY";
  if (number < 3000) return "LIABILITIES";
  if (number < 4000) return "OPERATING_REVENUES";
  if (number < 8000) return "OPERATING_EXPENSES";
  if (number < 8100) return "INVESTMENT_INCOME";
  if (number < 8300) return "COST_OF_CAPITAL";
  if (number < 8400) return "TAX_ON_ORDINARY_ACTIVITIES";
  if (number < 8500) return "EXTRAORDINARY_INCOME";
  if (number < 8600) return "EXTRAORDINARY_COST";
  if (number < 8800) return "TAX_ON_EXTRAORDINARY_ACTIVITIES";
  if (number < 8900) return "ANNUAL_RESULT";
  return "TRANSFERS_AND_ALLOCATIONS";
}
