import { DEMO_COMPANY_SLUGS, DEMO_KEY_INFO, DEMO_KEYS, demoCompanyBooks, type LedgerBooks } from "../demoBooks.ts";
import type { TripletexFakeEmployeeToken } from "./TripletexFakeApi.ts";

/**
 * The demo setup of the fake Tripletex server: the demo companies whose system is Tripletex, and the demo keys as
 * employee tokens —
 * - `demo-tripletex-ok`: an employee token of Nordvik Bygg AS;
 * - `demo-tripletex-wrong-ib`: an employee token of Havbris Restaurant AS, whose `/balanceSheet` opening of 2025
 *   leaves out the 2024 result allocation (the known field problem) while its postings are right;
 * - `demo-tripletex-accountant`: an accountant token of Tindesol Regnskap AS that may log into two clients, Nordvik
 *   Bygg AS (the `ok` company) and Skarvik Transport AS.
 */

/** The API consumer token the demo setup expects (saldo's platform configuration in the local stack). */
export const DEMO_TRIPLETEX_CONSUMER_TOKEN = "saldo-demo-tripletex-consumer";

const EMPLOYEES: Record<string, { id: number; firstName: string; lastName: string; email: string }> = {
  "demo-tripletex-ok": { id: 11, firstName: "Nora", lastName: "Nordvik", email: "nora@nordvik.example" },
  "demo-tripletex-wrong-ib": { id: 12, firstName: "Hans", lastName: "Havbris", email: "hans@havbris.example" },
  "demo-tripletex-accountant": { id: 13, firstName: "Tine", lastName: "Tindesol", email: "tine@tindesol.example" },
};

/** The demo companies served by the Tripletex fake. */
export function demoTripletexCompanies(): LedgerBooks[] {
  return DEMO_COMPANY_SLUGS.map((slug) => demoCompanyBooks(slug)).filter(
    (books) => books.company.system === "tripletex",
  );
}

/** The demo keys as the fake's employee tokens. */
export function demoTripletexEmployeeTokens(): TripletexFakeEmployeeToken[] {
  return DEMO_KEYS.map((key) => DEMO_KEY_INFO[key])
    .filter((info) => info.system === "tripletex")
    .map((info) => ({
      token: info.key,
      companyId: Number(demoCompanyBooks(info.ownCompany).company.id),
      employee: EMPLOYEES[info.key]!,
      ...(info.role === "accountant"
        ? { accountantFor: info.reaches.map((slug) => Number(demoCompanyBooks(slug).company.id)) }
        : {}),
    }));
}
