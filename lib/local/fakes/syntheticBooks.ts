import type { Period } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import type { IntegrationSystem } from "../../secrets/types.ts";
import {
  DEMO_CHART,
  DEMO_VAT_CODES,
  type DemoAccount,
  type DemoCompany,
  type DemoDimensionValue,
  type DemoParty,
  type DemoPosting,
  type DemoPostingRow,
  type DemoTrialBalanceRow,
  type DemoVoucher,
  type LedgerBooks,
  orgNumberFromPrefix,
  trialBalanceOf,
  vatOf,
} from "./demoBooks.ts";
import { hashSeed, randomAt } from "./seededRandom.ts";

/**
 * Synthetic volume books for tests and the benchmark: one fiscal year (a calendar year) of `postings` posting lines,
 * produced lazily — any voucher is computed from the seed and its index alone, so a date window or a page of postings
 * costs only its own size and the year is never held in memory. The same seed gives the same books. Totals per account
 * ({@link SyntheticBooks.expectedTotals}) are computed by a pass that keeps only one sum per account, so a test can check
 * a synced year's figures to the øre without materialising it.
 *
 * The vouchers repeat a pattern of four: a sale with 25 % VAT (3 lines: 1500 / 3000 / 2700, with customer and
 * department), a purchase with 25 % VAT (3 lines: an expense account / 2710 / 2400, with supplier), a customer payment
 * (2 lines: 1920 / 1500) and a supplier payment (2 lines: 2400 / 1920): 10 lines per 4 vouchers. The year has as many
 * vouchers as fit in `postings` lines (so {@link SyntheticBooks.postingTotal} is `postings`, or up to 2 fewer), spread
 * evenly over its days, numbered from 1 in date order.
 */
export interface SyntheticBooksOptions {
  /** Posting lines in the year (at most 10 000 000). */
  postings: number;
  /** Default 1. */
  seed?: number | string;
  /** Calendar year (default 2025). */
  year?: number;
  /** Which system's ids the company gets (default `tripletex`). */
  system?: IntegrationSystem;
  /** Company id in that system (default: `9000001` for Tripletex, a fixed GUID for PowerOffice Go). */
  companyId?: string;
  companyName?: string;
}

const PATTERN_LINES = [3, 3, 2, 2] as const;
const PATTERN_OFFSETS = [0, 3, 6, 8] as const;
const BLOCK_LINES = 10;
const CUSTOMERS = 500;
const SUPPLIERS = 120;
const EXPENSE_ACCOUNTS = ["4000", "6540", "6800", "6900", "7140"] as const;
const SYNTHETIC_ACCOUNTS = new Set([
  "1500",
  "1920",
  "2050",
  "2400",
  "2700",
  "2710",
  "3000",
  "4000",
  "6540",
  "6800",
  "6900",
  "7140",
]);

/** Totals of one account over the vouchers counted. */
export interface SyntheticAccountTotals {
  debit: Ore;
  /** Negative (credits are negative amounts). */
  credit: Ore;
  net: Ore;
  lines: number;
}

function two(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

export function syntheticBooks(options: SyntheticBooksOptions): SyntheticBooks {
  return new SyntheticBooks(options);
}

export class SyntheticBooks implements LedgerBooks {
  readonly company: DemoCompany;
  readonly fiscalYears: readonly Period[];
  readonly conversionDate: string;
  readonly openingBalances: ReadonlyMap<string, Ore>;
  readonly accounts: readonly DemoAccount[];
  readonly vatCodes = DEMO_VAT_CODES;
  readonly customers: readonly DemoParty[];
  readonly suppliers: readonly DemoParty[];
  readonly departments: readonly DemoDimensionValue[] = [
    { id: "100", name: "Salg" },
    { id: "200", name: "Prosjekt" },
    { id: "300", name: "Administrasjon" },
  ];
  readonly projects: readonly DemoDimensionValue[] = [];
  readonly reportedOpeningAdjustments = [];
  /** Vouchers in the year. */
  readonly voucherTotal: number;
  /** Posting lines in the year (`postings`, or up to 2 fewer: see the pattern above). */
  readonly postingTotal: number;
  readonly year: number;
  readonly #seed: number;
  readonly #days: number;
  readonly #yearStart: number;
  #daily?: Map<string, Ore[]>;
  /** ISO date of each day of the year, and of the day after it (registration dates). */
  readonly #dates: string[];
  readonly #nextDays: string[];

  constructor(options: SyntheticBooksOptions) {
    if (!Number.isInteger(options.postings) || options.postings < 0 || options.postings > 10_000_000) {
      throw new RangeError(
        `synthetic books: postings must be an integer from 0 to 10 000 000, got ${options.postings}`,
      );
    }
    this.year = options.year ?? 2025;
    this.#seed = typeof options.seed === "string" ? hashSeed(options.seed) : (options.seed ?? 1) >>> 0;
    const blocks = Math.floor(options.postings / BLOCK_LINES);
    let rest = options.postings - blocks * BLOCK_LINES;
    let vouchers = blocks * 4;
    let lines = blocks * BLOCK_LINES;
    for (const count of PATTERN_LINES) {
      if (rest < count) break;
      rest -= count;
      lines += count;
      vouchers++;
    }
    this.voucherTotal = vouchers;
    this.postingTotal = lines;
    this.#yearStart = Date.UTC(this.year, 0, 1);
    this.#days = Math.round((Date.UTC(this.year + 1, 0, 1) - this.#yearStart) / 86_400_000);
    this.#dates = Array.from({ length: this.#days + 1 }, (_, day) =>
      new Date(this.#yearStart + day * 86_400_000).toISOString().slice(0, 10),
    );
    this.#nextDays = this.#dates.slice(1);
    const system = options.system ?? "tripletex";
    this.company = {
      slug: `synthetic-${this.#seed}`,
      system,
      id: options.companyId ?? (system === "tripletex" ? "9000001" : "5f1d2c3b-0a9e-4d8c-b7a6-9e8d7c6b5a40"),
      name: options.companyName ?? "Syntetisk Volum AS",
      orgNumber: orgNumberFromPrefix("99887766"),
      currency: "NOK",
      address: { street: "Testveien 1", postalCode: "0150", city: "Oslo" },
    };
    this.fiscalYears = [{ start: `${this.year}-01-01`, end: `${this.year}-12-31` }];
    this.conversionDate = `${this.year}-01-01`;
    this.openingBalances = new Map<string, Ore>([
      ["1920", 100_000_000n],
      ["2050", -100_000_000n],
    ]);
    this.accounts = DEMO_CHART.filter((candidate) => SYNTHETIC_ACCOUNTS.has(candidate.number));
    this.customers = Array.from({ length: CUSTOMERS }, (_, index) => ({
      id: String(10001 + index),
      name: `Kunde ${index + 1} AS`,
    }));
    this.suppliers = Array.from({ length: SUPPLIERS }, (_, index) => ({
      id: String(20001 + index),
      name: `Leverandør ${index + 1} AS`,
    }));
  }

  /** The voucher with index `index` (0-based, in date order). */
  voucherAt(index: number): DemoVoucher {
    if (!Number.isInteger(index) || index < 0 || index >= this.voucherTotal)
      throw new RangeError(`no synthetic voucher ${index}`);
    const kind = index % 4;
    const date = this.#dateOf(index);
    const firstLine = Math.floor(index / 4) * BLOCK_LINES + PATTERN_OFFSETS[kind]!;
    const r = (lane: number) => randomAt(this.#seed, index, lane);
    const net = 10_000n + BigInt(Math.floor(r(1) * 5_000_000));
    const customer = this.customers[Math.floor(r(2) * CUSTOMERS)]!.id;
    const supplier = this.suppliers[Math.floor(r(3) * SUPPLIERS)]!.id;
    const department = this.departments[Math.floor(r(4) * this.departments.length)]!.id;
    let lines: Omit<DemoPosting, "id" | "row">[];
    let description: string;
    let voucherKind: DemoVoucher["kind"];
    if (kind === 0) {
      const vat = vatOf(net, 25);
      description = `Faktura ${index + 1}`;
      voucherKind = "sale";
      lines = [
        { account: "1500", amount: net + vat, description, customerId: customer },
        { account: "3000", amount: -net, description, vatCode: "3", departmentId: department },
        { account: "2700", amount: -vat, description, vatCode: "3" },
      ];
    } else if (kind === 1) {
      const vat = vatOf(net, 25);
      description = `Inngående faktura ${index + 1}`;
      voucherKind = "purchase";
      lines = [
        {
          account: EXPENSE_ACCOUNTS[Math.floor(r(5) * EXPENSE_ACCOUNTS.length)]!,
          amount: net,
          description,
          vatCode: "1",
          departmentId: department,
        },
        { account: "2710", amount: vat, description, vatCode: "1" },
        { account: "2400", amount: -(net + vat), description, supplierId: supplier },
      ];
    } else if (kind === 2) {
      description = `Innbetaling ${index + 1}`;
      voucherKind = "customer-payment";
      lines = [
        { account: "1920", amount: net, description },
        { account: "1500", amount: -net, description, customerId: customer },
      ];
    } else {
      description = `Utbetaling ${index + 1}`;
      voucherKind = "supplier-payment";
      lines = [
        { account: "2400", amount: net, description, supplierId: supplier },
        { account: "1920", amount: -net, description },
      ];
    }
    const seconds = 6 * 3600 + (index % (12 * 3600));
    const createdAt = `${this.#nextDays[this.#dayOfVoucher(index)]}T${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.000Z`;
    return {
      id: index + 1,
      number: index + 1,
      year: this.year,
      date,
      description,
      kind: voucherKind,
      createdAt,
      postings: lines.map((line, row) => ({ ...line, id: firstLine + row + 1, row: row + 1 })),
    };
  }

  *vouchers(window?: Period): Iterable<DemoVoucher> {
    const [first, end] = this.#voucherRange(window);
    for (let index = first; index < end; index++) yield this.voucherAt(index);
  }

  *postings(window: Period, page: { offset?: number; limit?: number } = {}): Iterable<DemoPostingRow> {
    const [firstVoucher, endVoucher] = this.#voucherRange(window);
    if (firstVoucher >= endVoucher) return;
    const base = this.#lineStart(firstVoucher);
    const end = this.#lineStart(endVoucher);
    const from = base + (page.offset ?? 0);
    const to = Math.min(end, page.limit === undefined ? end : from + page.limit);
    if (from >= to) return;
    let voucherIndex = this.#voucherOfLine(from);
    let line = from;
    while (line < to) {
      const voucher = this.voucherAt(voucherIndex);
      const start = this.#lineStart(voucherIndex);
      for (let row = line - start; row < voucher.postings.length && line < to; row++, line++) {
        yield { ...voucher.postings[row]!, voucher, date: voucher.date };
      }
      voucherIndex++;
    }
  }

  postingCount(window: Period): number {
    const [first, end] = this.#voucherRange(window);
    return first >= end ? 0 : this.#lineStart(end) - this.#lineStart(first);
  }

  balancesAt(date: string): Map<string, Ore> {
    return this.#balancesThrough(this.#dayIndex(date));
  }

  balancesBefore(date: string): Map<string, Ore> {
    return this.#balancesThrough(this.#dayIndex(date) - 1);
  }

  trialBalance(period: Period): DemoTrialBalanceRow[] {
    return trialBalanceOf(this, period);
  }

  /**
   * Debit, credit, net and line count per account over the vouchers of a window (the whole year when absent), by one
   * pass that keeps only the sums: the figures a synced year must show, to the øre.
   */
  expectedTotals(window?: Period): Map<string, SyntheticAccountTotals> {
    const totals = new Map<string, SyntheticAccountTotals>();
    for (const voucher of this.vouchers(window)) {
      for (const posting of voucher.postings) {
        let entry = totals.get(posting.account);
        if (!entry) {
          entry = { debit: 0n, credit: 0n, net: 0n, lines: 0 };
          totals.set(posting.account, entry);
        }
        if (posting.amount >= 0n) entry.debit += posting.amount;
        else entry.credit += posting.amount;
        entry.net += posting.amount;
        entry.lines++;
      }
    }
    return totals;
  }

  #dateOf(index: number): string {
    return this.#dates[this.#dayOfVoucher(index)]!;
  }

  #dayOfVoucher(index: number): number {
    return Math.floor((index * this.#days) / this.voucherTotal);
  }

  /** Day index of an ISO date relative to 1 January (negative before, ≥ days after). */
  #dayIndex(date: string): number {
    return Math.round((Date.parse(`${date}T00:00:00Z`) - this.#yearStart) / 86_400_000);
  }

  /** [first voucher, end voucher) dated within the window. */
  #voucherRange(window: Period | undefined): [number, number] {
    if (!window) return [0, this.voucherTotal];
    const firstDay = Math.max(0, this.#dayIndex(window.start));
    const lastDay = Math.min(this.#days - 1, this.#dayIndex(window.end));
    if (firstDay > lastDay) return [0, 0];
    const first = Math.ceil((firstDay * this.voucherTotal) / this.#days);
    const end = Math.ceil(((lastDay + 1) * this.voucherTotal) / this.#days);
    return [Math.min(first, this.voucherTotal), Math.min(end, this.voucherTotal)];
  }

  #lineStart(voucherIndex: number): number {
    return Math.floor(voucherIndex / 4) * BLOCK_LINES + PATTERN_OFFSETS[voucherIndex % 4]!;
  }

  #voucherOfLine(line: number): number {
    const block = Math.floor(line / BLOCK_LINES);
    const within = line - block * BLOCK_LINES;
    const kind = within < 3 ? 0 : within < 6 ? 1 : within < 8 ? 2 : 3;
    return block * 4 + kind;
  }

  #balancesThrough(lastDayIndex: number): Map<string, Ore> {
    const balances = new Map<string, Ore>(this.accounts.map((candidate) => [candidate.number, 0n]));
    if (lastDayIndex < -1) return balances;
    for (const [number, amount] of this.openingBalances) balances.set(number, (balances.get(number) ?? 0n) + amount);
    const daily = this.#dailyNet();
    const through = Math.min(lastDayIndex, this.#days - 1);
    for (const [number, days] of daily) {
      let sum = 0n;
      for (let day = 0; day <= through; day++) sum += days[day]!;
      balances.set(number, (balances.get(number) ?? 0n) + sum);
    }
    return balances;
  }

  /** Net movement per account per day: one pass over the year on first use, then kept (accounts × days sums). */
  #dailyNet(): Map<string, Ore[]> {
    if (this.#daily) return this.#daily;
    const daily = new Map<string, Ore[]>(
      this.accounts.map((candidate) => [candidate.number, new Array<Ore>(this.#days).fill(0n)]),
    );
    for (const voucher of this.vouchers()) {
      const day = this.#dayIndex(voucher.date);
      for (const posting of voucher.postings) daily.get(posting.account)![day]! += posting.amount;
    }
    this.#daily = daily;
    return daily;
  }
}
