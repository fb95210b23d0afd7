import { createHash } from "node:crypto";
import type { Ore } from "../../../money/ore.ts";
import { formatPowerOfficeTimestamp } from "../../../connectors/powerofficeGo/powerOfficeTimestamp.ts";
import {
  DEMO_KEY_INFO,
  demoCompanyBooks,
  type DemoAccountKind,
  type DemoVoucherKind,
  type LedgerBooks,
} from "../demoBooks.ts";
import type { FakeClientBooks, FakeLedgerAccount, FakePosting, GeneralLedgerAccountType } from "./fakeClientBooks.ts";
import type { FakeClientEntry } from "./fakePowerOfficeGoApi.ts";
import { FakePowerOfficeGoServer } from "./FakePowerOfficeGoServer.ts";

/**
 * The demo books (lib/local/fakes/demoBooks.ts) as PowerOffice Go clients: the `demo-poweroffice-ok` client key reaches
 * Fjordlys Elektro AS with every privilege; `demo-poweroffice-no-access` reaches the same client through an integration
 * whose client lacks the module behind `AccountTransaction` (status `no-access`). The platform keys of the local stack
 * are fixed demo values too.
 */

/** saldo's application key against the fake (platform configuration; a secret in the cloud). */
export const DEMO_POWEROFFICE_APPLICATION_KEY = "demo-poweroffice-application-key";
/** saldo's subscription key against the fake. */
export const DEMO_POWEROFFICE_SUBSCRIPTION_KEY = "demo-poweroffice-subscription-key";
/** A client key whose client lacks the module of the account transactions. */
export const DEMO_POWEROFFICE_NO_ACCESS_KEY = "demo-poweroffice-no-access";

const TYPE_OF: Record<DemoAccountKind, GeneralLedgerAccountType> = {
  asset: "Asset",
  liability: "Liability",
  equity: "Equity",
  income: "Income",
  expense: "Expense",
};

/** PowerOffice Go's VoucherType for each kind of demo voucher. */
const VOUCHER_TYPE_OF: Record<DemoVoucherKind, string> = {
  sale: "OutgoingInvoice",
  "customer-payment": "IncomingPayments",
  purchase: "IncomingInvoice",
  "supplier-payment": "OutgoingPayments",
  salary: "PayrollJournal",
  rent: "IncomingInvoice",
  "bank-fee": "BankJournal",
  interest: "BankJournal",
  "vat-settlement": "VatReturns",
  "vat-payment": "BankJournal",
  "tax-payment": "BankJournal",
  depreciation: "DepreciationJournal",
  "result-allocation": "YearEndJournal",
};

/** A GUID derived from a text (PowerOffice ids of vouchers and organisations are GUIDs). */
function guidOf(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function numberMap(balances: ReadonlyMap<string, Ore>): Map<number, Ore> {
  const out = new Map<number, Ore>();
  for (const [account, balance] of balances) out.set(Number(account), (out.get(Number(account)) ?? 0n) + balance);
  return out;
}

/** Any {@link LedgerBooks} (demo or synthetic) as a PowerOffice Go client's books. */
export function powerOfficeBooksOf(books: LedgerBooks): FakeClientBooks {
  const company = books.company;
  const settingsChanged = formatPowerOfficeTimestamp(new Date(`${books.conversionDate}T08:00:00Z`));
  const accounts: FakeLedgerAccount[] = books.accounts.map((account, index) => ({
    id: 470_000_000 + index,
    accountNo: Number(account.number),
    name: account.name,
    type: TYPE_OF[account.kind],
    isActive: true,
    lastChanged: settingsChanged,
    ...(account.vatCode ? { vatCode: account.vatCode } : {}),
  }));
  const endMonth = Number(books.fiscalYears[0]?.end.slice(5, 7) ?? "12");
  const window = (from: string, to: string) => ({ start: from, end: to });
  return {
    clientId: company.id,
    organizationId: guidOf(`organization:${company.id}`),
    name: company.name,
    orgNumber: company.orgNumber,
    currency: company.currency,
    conversionDate: books.conversionDate,
    fiscalYearEndMonth: endMonth,
    settingsLastChanged: settingsChanged,
    accounts,
    startBalances: numberMap(books.openingBalances),
    *postings(dates, page) {
      for (const row of books.postings(
        window(dates.from, dates.to),
        page ? { offset: page.offset, limit: page.limit } : undefined,
      )) {
        const created = formatPowerOfficeTimestamp(new Date(row.voucher.createdAt));
        const posting: FakePosting = {
          id: row.id,
          voucherNo: row.voucher.number,
          voucherId: guidOf(`voucher:${company.id}:${row.voucher.id}`),
          voucherType: VOUCHER_TYPE_OF[row.voucher.kind],
          date: row.date,
          voucherDate: row.voucher.date,
          accountNo: Number(row.account),
          amount: row.amount,
          description: row.description,
          created,
          lastChanged: created,
          ...(row.vatCode ? { vatCode: row.vatCode } : {}),
          ...(row.customerId ? { customerNo: Number(row.customerId) } : {}),
          ...(row.supplierId ? { supplierNo: Number(row.supplierId) } : {}),
          ...(row.departmentId ? { departmentCode: row.departmentId } : {}),
          ...(row.projectId ? { projectCode: row.projectId } : {}),
        };
        yield posting;
      }
    },
    postingCount: (dates) => books.postingCount(window(dates.from, dates.to)),
    balancesAt: (date) => numberMap(books.balancesAt(date)),
  };
}

/** The demo client keys the fake knows (the local stack prints them in its banner). */
export function demoPowerOfficeClients(): FakeClientEntry[] {
  const books = powerOfficeBooksOf(demoCompanyBooks(DEMO_KEY_INFO["demo-poweroffice-ok"].ownCompany));
  return [
    { clientKey: "demo-poweroffice-ok", books },
    {
      clientKey: DEMO_POWEROFFICE_NO_ACCESS_KEY,
      books,
      validPrivileges: ["CommonServices", "GeneralLedgerAccount", "TrialBalance"],
      invalidPrivileges: ["AccountTransaction"],
    },
  ];
}

/**
 * Starts the fake PowerOffice Go with the demo clients and platform keys (the local stack's `npm start` and tests):
 * point a `PowerOfficeGoConnector` at `server.url` with {@link DEMO_POWEROFFICE_APPLICATION_KEY} and
 * {@link DEMO_POWEROFFICE_SUBSCRIPTION_KEY}.
 */
export function startDemoPowerOfficeGoServer(options: { port?: number } = {}): Promise<FakePowerOfficeGoServer> {
  return FakePowerOfficeGoServer.start({
    applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
    subscriptionKeys: [DEMO_POWEROFFICE_SUBSCRIPTION_KEY],
    clients: demoPowerOfficeClients(),
    ...options,
  });
}
