import type { Account, ControlTotals, FileHeader, Issue, Party, Transaction } from "../../../../lib/ledger/types.ts";
import type { ImportRecord } from "../../../../lib/ledger/records.ts";
import { parseSaft } from "../../../../lib/formats/saft/index.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { collect } from "../../../helpers/fixtures.ts";

/** Parses bytes split into chunks of the given sizes (cycled). */
export function parseBytes(
  bytes: Uint8Array,
  sizes: readonly number[] = [64 * 1024],
  fileName = "test.xml",
): Promise<ImportRecord[]> {
  return collect(parseSaft(poisonedSource(bytes, sizes), { fileName }));
}

/** Parses and returns the error it throws (fails the test when it does not throw). */
export async function parseError(
  bytes: Uint8Array,
  sizes: readonly number[] = [64 * 1024],
): Promise<Error & { code?: string; location?: { line: number; column: number } }> {
  try {
    await parseBytes(bytes, sizes);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the parse to fail");
}

/** Records yielded before the parse failed, and the error. */
export async function parseUntilError(
  bytes: Uint8Array,
  sizes: readonly number[],
): Promise<{ records: ImportRecord[]; error: Error }> {
  const records: ImportRecord[] = [];
  try {
    for await (const record of parseSaft(poisonedSource(bytes, sizes), { fileName: "test.xml" })) records.push(record);
  } catch (error) {
    return { records, error: error as Error };
  }
  throw new Error("expected the parse to fail");
}

export interface Parsed {
  header: FileHeader;
  accounts: Account[];
  parties: Party[];
  controlTotals: ControlTotals[];
  transactions: Transaction[];
  issues: Issue[];
  lineCount: number;
  totalDebit: bigint;
  totalCredit: bigint;
}

/** Splits records by type and sums the lines (debit = positive amounts). */
export function summarize(records: ImportRecord[]): Parsed {
  const headers = records.filter((record) => record.type === "header");
  if (headers.length !== 1 || records[0]!.type !== "header")
    throw new Error("the header must come first, exactly once");
  const parsed: Parsed = {
    header: headers[0]!.header,
    accounts: [],
    parties: [],
    controlTotals: [],
    transactions: [],
    issues: [],
    lineCount: 0,
    totalDebit: 0n,
    totalCredit: 0n,
  };
  for (const record of records) {
    if (record.type === "account") parsed.accounts.push(record.account);
    else if (record.type === "party") parsed.parties.push(record.party);
    else if (record.type === "controlTotals") parsed.controlTotals.push(record.controlTotals);
    else if (record.type === "issue") parsed.issues.push(record.issue);
    else if (record.type === "transaction") {
      parsed.transactions.push(record.transaction);
      for (const line of record.transaction.lines) {
        parsed.lineCount++;
        if (line.amount > 0n) parsed.totalDebit += line.amount;
        else parsed.totalCredit -= line.amount;
      }
    }
  }
  return parsed;
}

export function account(parsed: Parsed, id: string): Account {
  const found = parsed.accounts.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no account ${id}`);
  return found;
}

export function sum(values: (bigint | undefined)[]): bigint {
  return values.reduce<bigint>((total, value) => total + (value ?? 0n), 0n);
}

export function issueCodes(parsed: Parsed): string[] {
  return parsed.issues.map((issue) => issue.code);
}

/** A minimal SAF-T 1.30 document around the given MasterFiles accounts and Transaction elements (for issue tests). */
export function saftDocument(
  parts: { header?: string; accounts?: string; transactions?: string; root?: string } = {},
): Uint8Array {
  const header =
    parts.header ??
    `<AuditFileVersion>1.30</AuditFileVersion><AuditFileCountry>NO</AuditFileCountry><AuditFileDateCreated>2025-02-01</AuditFileDateCreated>
<SoftwareCompanyName>T</SoftwareCompanyName><SoftwareID>T</SoftwareID><SoftwareVersion>1</SoftwareVersion>
<Company><RegistrationNumber>999999999</RegistrationNumber><Name>Test AS</Name></Company><DefaultCurrencyCode>NOK</DefaultCurrencyCode>
<SelectionCriteria><SelectionStartDate>2025-01-01</SelectionStartDate><SelectionEndDate>2025-12-31</SelectionEndDate></SelectionCriteria><TaxAccountingBasis>A</TaxAccountingBasis>`;
  const accounts =
    parts.accounts ??
    `<Account><AccountID>1920</AccountID><AccountDescription>Bank</AccountDescription><GroupingCategory>balanseverdiForOmloepsmiddel</GroupingCategory><GroupingCode>1920</GroupingCode><AccountType>GL</AccountType><OpeningDebitBalance>0.00</OpeningDebitBalance><ClosingDebitBalance>0.00</ClosingDebitBalance></Account>`;
  const root = parts.root ?? `<AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:NO">`;
  const text = `<?xml version="1.0" encoding="UTF-8"?>
${root}
<Header>
${header}
</Header>
<MasterFiles><GeneralLedgerAccounts>
${accounts}
</GeneralLedgerAccounts></MasterFiles>
<GeneralLedgerEntries><NumberOfEntries>1</NumberOfEntries><TotalDebit>0</TotalDebit><TotalCredit>0</TotalCredit>
<Journal><JournalID>GL</JournalID><Description>GL</Description><Type>GL</Type>
${parts.transactions ?? ""}
</Journal></GeneralLedgerEntries>
</AuditFile>
`;
  return new TextEncoder().encode(text);
}

/** A Transaction element with the given Line elements. */
export function transaction(lines: string, extra = ""): string {
  return `<Transaction><TransactionID>T1</TransactionID><Period>3</Period><PeriodYear>2025</PeriodYear><TransactionDate>2025-03-01</TransactionDate>${extra}<Description>Test</Description><SystemEntryDate>2025-03-01</SystemEntryDate><GLPostingDate>2025-03-01</GLPostingDate>
${lines}
</Transaction>`;
}
