import {
  accountTypeOf,
  ArrayTripletexLedger,
  type FakeAccount,
  type FakePosting,
  type FakeReference,
} from "../../lib/local/fakes/tripletex/TripletexFakeLedger.ts";

/**
 * Small hand-made Tripletex books for tests that need a precise shape (a busy day, a voucher added later), beside the
 * demo books the fake serves by default. Amounts in øre.
 */
export function fakeAccount(number: number, name: string, options: { inactive?: boolean } = {}): FakeAccount {
  return {
    id: 10_000 + number,
    number,
    name,
    type: accountTypeOf(number),
    isBalanceAccount: number < 3000,
    saftCode: String(number),
    groupingCode: null,
    isInactive: options.inactive ?? false,
    vatTypeNumber: null,
  };
}

let nextPostingId = 1_000_000;

export interface LineSpec {
  account: number;
  amount: bigint;
  customer?: FakeReference;
  supplier?: FakeReference;
  department?: FakeReference;
  project?: FakeReference;
  vat?: string;
  description?: string;
}

/** One voucher's postings, rows in the order given. */
export function fakeVoucher(id: number, date: string, lines: (LineSpec | [number, bigint])[], description = `Bilag ${id}`): FakePosting[] {
  const voucher = { id, number: id, year: Number(date.slice(0, 4)), date, description, voucherTypeName: "Manuelt bilag" };
  return lines.map((spec, index) => {
    const line: LineSpec = Array.isArray(spec) ? { account: spec[0], amount: spec[1] } : spec;
    return {
      id: nextPostingId++,
      date,
      description: line.description ?? `${description} linje ${index + 1}`,
      amount: line.amount,
      row: index + 1,
      voucher,
      accountNumber: line.account,
      vatTypeNumber: line.vat ?? null,
      customer: line.customer ?? null,
      supplier: line.supplier ?? null,
      department: line.department ?? null,
      project: line.project ?? null,
    };
  });
}

/** A chart of the accounts the helpers post to. */
export const SMALL_CHART: FakeAccount[] = [
  fakeAccount(1500, "Kundefordringer"),
  fakeAccount(1920, "Bankinnskudd"),
  fakeAccount(2000, "Aksjekapital"),
  fakeAccount(2050, "Annen egenkapital"),
  fakeAccount(2400, "Leverandørgjeld"),
  fakeAccount(2700, "Utgående merverdiavgift"),
  fakeAccount(3000, "Salgsinntekt, avgiftspliktig"),
  fakeAccount(4000, "Innkjøp av varer"),
  fakeAccount(8800, "Årsresultat"),
  fakeAccount(7790, "Annen kostnad", { inactive: true }),
];

/**
 * Books with `perDay(date)` two-line sales vouchers (1500 debit / 3000 credit, 123.45 each, with a customer) on each
 * day of 2025, and a 2025 conversion opening of bank 100.00 against equity.
 */
export function busyBooks(perDay: (date: string) => number): ArrayTripletexLedger {
  const postings: FakePosting[] = [];
  let id = 1;
  const customer = { id: 77, number: 10001, name: "Kunde AS" };
  for (let day = Date.UTC(2025, 0, 1); day < Date.UTC(2026, 0, 1); day += 86_400_000) {
    const date = new Date(day).toISOString().slice(0, 10);
    for (let i = 0; i < perDay(date); i++) {
      postings.push(...fakeVoucher(id++, date, [{ account: 1500, amount: 12_345n, customer }, { account: 3000, amount: -12_345n }]));
    }
  }
  return new ArrayTripletexLedger({
    accounts: SMALL_CHART,
    years: [2025],
    conversionOpening: new Map([
      [1920, 10_000n],
      [2000, -10_000n],
    ]),
    postings,
  });
}
