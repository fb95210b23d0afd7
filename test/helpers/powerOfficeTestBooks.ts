import type { Ore } from "../../lib/money/ore.ts";
import { addDays } from "../../lib/connectors/powerofficeGo/dates.ts";
import type {
  FakeClientBooks,
  FakeLedgerAccount,
  FakePosting,
} from "../../lib/local/fakes/powerofficeGo/fakeClientBooks.ts";

/**
 * Small, deterministic PowerOffice Go books for the connector's tests: a dozen accounts, a start balance, `perDay`
 * vouchers a day (sale with VAT to the bank, a purchase, an occasional salary) in 2024 and 2025, and the 2024 result
 * allocated to equity (8800 against 2050) on 2024-12-31. Postings are produced lazily from (date, index), so any
 * window is reproducible without keeping the year in memory, and `perDay` can be raised for cap and volume tests.
 */

const LAST_CHANGED = "2024-01-01 08:00:00.000000+00:00";

const ACCOUNTS: [number, string, FakeLedgerAccount["type"], string?][] = [
  [1500, "Kundefordringer", "Asset"],
  [1920, "Bankinnskudd", "Asset"],
  [2050, "Annen egenkapital", "Equity"],
  [2400, "Leverandørgjeld", "Liability"],
  [2700, "Utgående merverdiavgift", "Liability"],
  [2710, "Inngående merverdiavgift", "Asset"],
  [3000, "Salgsinntekt, avgiftspliktig", "Income", "3"],
  [4000, "Innkjøp av varer", "Expense", "1"],
  [5000, "Lønn til ansatte", "Expense"],
  [6300, "Leie lokale", "Expense"],
  [8800, "Årsresultat", "Expense"],
  [8960, "Overføringer annen egenkapital", "Expense"],
];

export interface TestBooksOptions {
  perDay?: number;
  clientId?: string;
  name?: string;
  orgNumber?: string;
}

/** The amount (øre) of voucher `index` on `date`: reproducible, with øre, 100.01 – 10 099.99 kr. */
function amountOf(date: string, index: number, salt: number): Ore {
  let hash = 2166136261;
  for (const char of `${date}#${index}#${salt}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return BigInt(10_001 + (hash % 999_999));
}

export function testBooks(options: TestBooksOptions = {}): FakeClientBooks & { postingsPerDay: number } {
  const perDay = options.perDay ?? 1;
  const accounts: FakeLedgerAccount[] = ACCOUNTS.map(([accountNo, name, type, vatCode], index) => ({
    id: 5000 + index,
    accountNo,
    name,
    type,
    isActive: true,
    lastChanged: LAST_CHANGED,
    ...(vatCode ? { vatCode } : {}),
  }));
  const startBalances = new Map<number, Ore>([
    [1920, 50_000_00n],
    [2050, -50_000_00n],
  ]);

  function* dayPostings(date: string): Generator<FakePosting> {
    const dayNumber = Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
    for (let index = 0; index < perDay; index++) {
      const voucherNo = dayNumber * 1000 + index;
      const voucherId = `00000000-0000-4000-8000-${String(voucherNo).padStart(12, "0")}`;
      const created = `${addDays(date, 1)} 09:${String(index % 60).padStart(2, "0")}:00.${String(index).padStart(6, "0")}+00:00`;
      const base = { voucherNo, voucherId, date, voucherDate: date, created, lastChanged: created };
      let line = 0;
      const posting = (accountNo: number, amount: Ore, extra: Partial<FakePosting> = {}): FakePosting => ({
        ...base,
        id: voucherNo * 10 + line++,
        voucherType: "OutgoingInvoice",
        accountNo,
        amount,
        ...extra,
      });
      if ((dayNumber + index) % 3 === 2) {
        const cost = amountOf(date, index, 2);
        yield posting(6300, cost, { voucherType: "IncomingInvoice", description: "Husleie", supplierNo: 20001 });
        yield posting(1920, -cost, { voucherType: "IncomingInvoice", description: "Husleie", supplierNo: 20001 });
      } else {
        const net = amountOf(date, index, 1);
        const vat = net / 4n;
        yield posting(1920, net + vat, {
          description: `Faktura ${voucherNo}`,
          customerNo: 10001,
          departmentCode: "10",
        });
        yield posting(3000, -net, { description: `Faktura ${voucherNo}`, vatCode: "3", projectCode: "P1" });
        yield posting(2700, -vat, { description: `Faktura ${voucherNo}` });
      }
    }
  }

  function* plainPostings(window: { from: string; to: string }): Generator<FakePosting> {
    for (let date = window.from; date <= window.to; date = addDays(date, 1)) {
      if (date < "2024-01-01" || date > "2025-12-31") continue;
      yield* dayPostings(date);
    }
  }

  // The 2024 result, allocated to equity on 2024-12-31 (8800 Årsresultat against 2050 Annen egenkapital).
  let result2024 = 0n;
  for (const posting of plainPostings({ from: "2024-01-01", to: "2024-12-31" })) {
    if (posting.accountNo >= 3000) result2024 += posting.amount;
  }
  const allocation: FakePosting[] = [
    {
      id: 1,
      voucherNo: 1,
      voucherId: "00000000-0000-4000-8000-999999999999",
      voucherType: "YearEndJournal",
      date: "2024-12-31",
      voucherDate: "2024-12-31",
      accountNo: 8800,
      amount: -result2024,
      description: "Årsoppgjør 2024",
      created: "2025-02-15 10:00:00.000000+00:00",
      lastChanged: "2025-02-15 10:00:00.000000+00:00",
    },
    {
      id: 2,
      voucherNo: 1,
      voucherId: "00000000-0000-4000-8000-999999999999",
      voucherType: "YearEndJournal",
      date: "2024-12-31",
      voucherDate: "2024-12-31",
      accountNo: 2050,
      amount: result2024,
      description: "Årsoppgjør 2024",
      created: "2025-02-15 10:00:00.000000+00:00",
      lastChanged: "2025-02-15 10:00:00.000000+00:00",
    },
  ];

  return {
    clientId: options.clientId ?? "c7d0e7c4-0000-4000-8000-000000000001",
    organizationId: "a1b2c3d4-0000-4000-8000-000000000001",
    name: options.name ?? "Demo Regnskap AS",
    orgNumber: options.orgNumber ?? "923609016",
    currency: "NOK",
    conversionDate: "2024-01-01",
    fiscalYearEndMonth: 12,
    settingsLastChanged: LAST_CHANGED,
    accounts,
    startBalances,
    postingsPerDay: perDay * 3,
    *postings(window) {
      yield* plainPostings(window);
      if (window.from <= "2024-12-31" && window.to >= "2024-12-31") yield* allocation;
    },
  };
}

/** Σ per account of the postings in a window (what a test expects as movement), computed from the books directly. */
export function expectedMovement(books: FakeClientBooks, from: string, to: string): Map<string, Ore> {
  const sums = new Map<string, Ore>();
  for (const posting of books.postings({ from, to })) {
    sums.set(String(posting.accountNo), (sums.get(String(posting.accountNo)) ?? 0n) + posting.amount);
  }
  return sums;
}
