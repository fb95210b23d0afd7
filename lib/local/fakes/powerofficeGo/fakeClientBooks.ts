import type { Ore } from "../../../money/ore.ts";

/**
 * The books one fake PowerOffice Go client serves: a plain model, independent of HTTP. Built from the demo books
 * (see powerofficeGoDemoClients.ts) or by hand in tests. Postings are produced lazily per date window so that a
 * synthetic year of a million postings never sits in memory.
 */

export type GeneralLedgerAccountType = "Asset" | "Liability" | "Equity" | "Income" | "Expense";

export interface FakeLedgerAccount {
  id: number;
  accountNo: number;
  name: string;
  type: GeneralLedgerAccountType;
  vatCode?: string;
  isActive: boolean;
  /** PowerOffice timestamp text (`2024-01-02 08:00:00.000000+00:00`). */
  lastChanged: string;
}

/** One posted amount on one account (AccountTransactionDto). */
export interface FakePosting {
  id: number;
  voucherNo: number;
  voucherId: string;
  voucherType: string;
  /** Posting date (accounting effect), ISO. */
  date: string;
  voucherDate: string;
  accountNo: number;
  /** Client currency, debit positive. */
  amount: Ore;
  currency?: { code: string; amount: Ore };
  description?: string;
  vatCode?: string;
  customerNo?: number;
  supplierNo?: number;
  departmentCode?: string;
  projectCode?: string;
  /** PowerOffice timestamp texts. */
  created: string;
  lastChanged: string;
}

/** Inclusive ISO date window. */
export interface DateWindow {
  from: string;
  to: string;
}

/** What the fake needs of one client's books. */
export interface FakeClientBooks {
  /** ClientIntegrationInformation.ClientId (a GUID in Go). */
  clientId: string;
  /** OrganizationSettings.Id (a GUID). */
  organizationId: string;
  name: string;
  orgNumber?: string;
  currency: string;
  /** First day of processing in Go; the start balance is at `conversionDate − 1`. */
  conversionDate: string;
  /** 1–12: the month the fiscal year ends (12: calendar year). */
  fiscalYearEndMonth: number;
  settingsLastChanged: string;
  accounts: readonly FakeLedgerAccount[];
  /** Start balances at `conversionDate − 1` (per account number; balance-sheet accounts only). */
  startBalances: ReadonlyMap<number, Ore>;
  /** Postings with a posting date in the window, in date order; a fresh iterable each call. */
  postings(window: DateWindow, page?: { offset: number; limit: number }): Iterable<FakePosting>;
  /** Postings in the window, without producing them (volume books: the cap check and paging stay cheap). */
  postingCount?(window: DateWindow): number;
  /**
   * Balance per account number at the end of `date` with result accounts restarting at each fiscal year, when the
   * books know it cheaply; otherwise the fake sums the postings.
   */
  balancesAt?(date: string): Map<number, Ore>;
}

/** Whether an account's balance restarts at each fiscal year: the result accounts, 3xxx–8xxx in NS 4102. */
export function isResultAccount(account: Pick<FakeLedgerAccount, "accountNo">): boolean {
  return account.accountNo >= 3000 && account.accountNo <= 8999;
}
