/** The part of the chart an account belongs to, for deciding whether its opening balance must equal last closing. */
export type AccountClass = "balance-sheet" | "result" | "other";

/** A numeric account id, optionally with sub-account segments after `:` or `.` (as the CSV reader accepts them). */
const NUMERIC_ACCOUNT = /^(\d)\d*(?:[:.]\d+)*$/;

/**
 * Classifies an account by the Norwegian standard chart of accounts (NS 4102, "Norsk Standard Kontoplan"), whose
 * first digit is the account class: 1 assets (eiendeler) and 2 equity and liabilities (egenkapital og gjeld) form the
 * balance sheet; 3 operating income through 8 financial items, tax and result disposal (3–8) form the income
 * statement. The Swedish BAS chart (SIE files) uses the same classes. Anything else (class 0 or 9, letters) is
 * `other` and is never compared.
 *
 * The account id decides when it is numeric (`1920`, `1920:10008`, `19200`); a non-numeric id falls back to the
 * account's SAF-T StandardAccountID (the NS 4102 account a company's own chart maps to), when that is numeric.
 */
export function accountClassOf(account: string, standardAccountId?: string): AccountClass {
  const digit =
    NUMERIC_ACCOUNT.exec(account)?.[1] ??
    (standardAccountId ? NUMERIC_ACCOUNT.exec(standardAccountId)?.[1] : undefined);
  if (digit === "1" || digit === "2") return "balance-sheet";
  if (digit !== undefined && digit >= "3" && digit <= "8") return "result";
  return "other";
}
