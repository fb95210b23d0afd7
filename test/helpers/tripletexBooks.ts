import type { Period } from "../../lib/ledger/types.ts";
import {
  DEMO_CHART,
  DEMO_VAT_CODES,
  type DemoPosting,
  type DemoVoucher,
  type DemoVoucherKind,
  MaterializedBooks,
  type ReportedOpeningAdjustment,
} from "../../lib/local/fakes/demoBooks.ts";

/**
 * Small hand-made books for Tripletex tests that need a precise shape (a busy day, a voucher added later), beside the
 * demo books the fake serves by default. Same model as the demo books (`LedgerBooks`), amounts in øre.
 */

let nextPostingId = 1_000_000;

export interface LineSpec {
  account: string;
  amount: bigint;
  customerId?: string;
  supplierId?: string;
  departmentId?: string;
  projectId?: string;
  vatCode?: string;
  description?: string;
}

/** A voucher with its postings (rows in the order given); it must balance. */
export function voucherOf(
  id: number,
  date: string,
  lines: (LineSpec | [string, bigint])[],
  options: { number?: number; description?: string; kind?: DemoVoucherKind } = {},
): DemoVoucher {
  const description = options.description ?? `Bilag ${id}`;
  const postings: DemoPosting[] = lines.map((spec, index) => {
    const line: LineSpec = Array.isArray(spec) ? { account: spec[0], amount: spec[1] } : spec;
    return {
      ...line,
      id: nextPostingId++,
      row: index + 1,
      description: line.description ?? `${description} linje ${index + 1}`,
    };
  });
  return {
    id,
    number: options.number ?? id,
    year: Number(date.slice(0, 4)),
    date,
    description,
    kind: options.kind ?? "sale",
    createdAt: `${date}T12:00:00.000Z`,
    postings,
  };
}

export interface TestBooksOptions {
  id?: string;
  name?: string;
  orgNumber?: string;
  vouchers: DemoVoucher[];
  fiscalYears?: Period[];
  openingBalances?: Map<string, bigint>;
  adjustments?: ReportedOpeningAdjustment[];
}

export function testBooks(options: TestBooksOptions): MaterializedBooks {
  const fiscalYears = options.fiscalYears ?? [{ start: "2025-01-01", end: "2025-12-31" }];
  return new MaterializedBooks({
    company: {
      slug: "test",
      system: "tripletex",
      id: options.id ?? "4711",
      name: options.name ?? "Fjordkraft Test AS",
      orgNumber: options.orgNumber ?? "923456783",
      currency: "NOK",
      address: { street: "Testveien 1", postalCode: "0150", city: "Oslo" },
    },
    fiscalYears,
    conversionDate: fiscalYears[0]!.start,
    openingBalances:
      options.openingBalances ??
      new Map([
        ["1920", 10_000n],
        ["2000", -10_000n],
      ]),
    accounts: DEMO_CHART,
    vatCodes: DEMO_VAT_CODES,
    customers: [{ id: "10001", name: "Kunde AS" }],
    suppliers: [{ id: "20001", name: "Leverandør AS" }],
    departments: [{ id: "100", name: "Salg" }],
    projects: [{ id: "P-101", name: "Prosjekt" }],
    reportedOpeningAdjustments: options.adjustments ?? [],
    vouchers: [...options.vouchers].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.number - b.number)),
  });
}

/**
 * Books with `perDay(date)` two-line sales vouchers (1500 debit with a customer / 3000 credit, 123.45 each) on each day
 * of 2025, and a conversion opening of bank 100.00 against share capital.
 */
export function busyBooks(
  perDay: (date: string) => number,
  options: Omit<TestBooksOptions, "vouchers"> = {},
): MaterializedBooks {
  const vouchers: DemoVoucher[] = [];
  let id = 1;
  for (let day = Date.UTC(2025, 0, 1); day < Date.UTC(2026, 0, 1); day += 86_400_000) {
    const date = new Date(day).toISOString().slice(0, 10);
    for (let i = 0; i < perDay(date); i++, id++) {
      vouchers.push(
        voucherOf(id, date, [
          { account: "1500", amount: 12_345n, customerId: "10001", departmentId: "100" },
          { account: "3000", amount: -12_345n, vatCode: "3" },
        ]),
      );
    }
  }
  return testBooks({ ...options, vouchers });
}
