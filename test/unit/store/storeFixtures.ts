import type { Client, Engagement } from "../../../lib/engagements/types.ts";
import type { LedgerLine, Transaction } from "../../../lib/ledger/types.ts";
import type { ImportLease, ImportRun } from "../../../lib/imports/types.ts";
import type { TrialBalanceRow } from "../../../lib/ledger/summarizeLedger.ts";

/** Builders of clients, engagements, import runs and ledgers for the store tests. */

let sequence = 0;

/** A fresh tenant id per test, so tests sharing one table never see each other's items. */
export function newTenantId(label = "t"): string {
  sequence++;
  return `${label}-${process.pid}-${sequence}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A ULID-like import id: sortable by creation time (a strictly increasing counter ahead of a random tail), unique
 * across the whole table, `[0-9A-Z]` only — like the ids importFile generates.
 */
export function newImportId(): string {
  sequence++;
  const time = (BigInt(Date.now()) * 10_000n + BigInt(sequence % 10_000)).toString(36).toUpperCase().padStart(14, "0");
  return time + Math.random().toString(36).slice(2, 10).toUpperCase().padEnd(8, "0");
}

/**
 * A client without an organisation number (numbers are unique per tenant; tests that need one pass it, e.g.
 * {@link ORG_NUMBERS}).
 */
export function client(tenantId: string, clientId: string, name = `Client ${clientId}`, orgNumber?: string): Client {
  return {
    tenantId,
    clientId,
    ...(orgNumber === undefined ? {} : { orgNumber }),
    name,
    accountingSystem: "tripletex",
    createdAt: "2025-01-02T08:00:00.000Z",
    updatedAt: "2025-01-02T08:00:00.000Z",
  };
}

/** Valid organisation numbers (mod 11) for the store tests. */
export const ORG_NUMBERS = ["923456783", "923609016", "974760673"] as const;

/**
 * A year-end engagement. A client's period is unique (createEngagement), so each id has a year of its own: the id's
 * own year when it is one (`"2025"`), otherwise 2024 for the first id the fixture sees and a year before it for each
 * new one (`fiscalYear` sets it).
 */
export function engagement(
  tenantId: string,
  clientId: string,
  engagementId: string,
  fiscalYear = yearOfEngagementId(engagementId),
): Engagement {
  return {
    tenantId,
    clientId,
    engagementId,
    kind: "year-end",
    fiscalYear,
    periodStart: `${fiscalYear}-01-01`,
    periodEnd: `${fiscalYear}-12-31`,
    createdAt: "2025-01-02T08:00:00.000Z",
  };
}

const yearsOfIds = new Map<string, number>();
function yearOfEngagementId(engagementId: string): number {
  if (/^(19|20|21)\d\d$/.test(engagementId)) return Number(engagementId);
  let year = yearsOfIds.get(engagementId);
  if (year === undefined) {
    year = 1999 - yearsOfIds.size;
    yearsOfIds.set(engagementId, year);
  }
  return year;
}

export function importRun(
  ref: { tenantId: string; clientId: string; engagementId: string },
  options: { importId?: string; sourceId?: string; orderKey?: string; api?: boolean; role?: "opening" } = {},
): ImportRun {
  const importId = options.importId ?? newImportId();
  return {
    ...ref,
    importId,
    status: "running",
    ...(options.role === undefined ? {} : { role: options.role }),
    source: options.api
      ? { type: "api", system: "tripletex", from: "2024-01-01", to: "2024-12-31" }
      : {
          type: "file",
          bucket: "saldo-uploads",
          key: `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/hovedbok.xml`,
          fileName: "hovedbok.xml",
          versionId: "v1",
          etag: "abc123",
          sequencer: "0055AED6DCD90281E5",
          size: 1234,
        },
    sourceId: options.sourceId ?? `s3:${importId}`,
    orderKey: options.orderKey ?? "2025-01-10T10:00:00.000Z#0055AED6DCD90281E5",
    trigger: { kind: "s3-event", by: "event-1" },
    createdAt: "2025-01-10T10:00:00.000Z",
    startedAt: "2025-01-10T10:00:00.000Z",
  };
}

const ACCOUNTS = ["1500", "1920", "2400", "2700", "3000", "4000", "6300", "7700"];

/**
 * Balanced vouchers in date order over 2024, with the optional fields of a line spread over them. `bigLine`
 * adds one voucher with that many lines (a transaction that spans several chunks).
 */
export function makeTransactions(
  count: number,
  options: { linesPerTransaction?: number; bigLine?: number; noise?: boolean } = {},
): Transaction[] {
  const transactions: Transaction[] = [];
  for (let index = 0; index < count; index++) {
    transactions.push(makeTransaction(index, count, options));
    if (options.bigLine !== undefined && index === Math.floor(count / 2)) {
      const { date } = transactions.at(-1)!;
      transactions.push(voucher(`BIG${index}`, date, index, options.bigLine, options.noise === true));
    }
  }
  return transactions;
}

/** Voucher `index` of `count` spread over 2024 (what makeTransactions yields, one at a time for large sets). */
export function makeTransaction(
  index: number,
  count: number,
  options: { linesPerTransaction?: number; noise?: boolean } = {},
): Transaction {
  const lineCount = options.linesPerTransaction ?? 2 + (index % 4);
  const day = new Date(Date.UTC(2024, 0, 1) + Math.floor((index * 365) / Math.max(count, 1)) * 86_400_000);
  return voucher(`V${index + 1}`, day.toISOString().slice(0, 10), index, lineCount, options.noise === true);
}

function voucher(id: string, date: string, index: number, lineCount: number, noise: boolean): Transaction {
  const lines: Transaction["lines"] = [];
  let sum = 0n;
  for (let line = 0; line < lineCount - 1; line++) {
    // Amounts beyond 2^53 øre now and then: money must survive the store as bigint, exactly.
    const amount =
      (line + index) % 17 === 0
        ? 9_007_199_254_740_993n + BigInt(index)
        : BigInt(((index * 7919 + line * 104_729) % 9_999_999) - 4_000_000);
    sum += amount;
    lines.push({
      account: ACCOUNTS[(index + line) % ACCOUNTS.length]!,
      amount,
      description: noise ? randomText(180) : `Line ${line} of ${id}`,
      ...(line % 3 === 0 ? { dimensions: [{ type: "1", id: `P${line % 5}` }] } : {}),
      ...(line % 5 === 1 ? { currencyAmount: { currency: "EUR", amount: "12.345", exchangeRate: "11.52" } } : {}),
      ...(line % 4 === 2 ? { customerId: `K${index % 13}`, taxCode: "3" } : {}),
      ...(line % 7 === 3 ? { supplierId: `L${index % 11}`, recordId: `R${index}-${line}` } : {}),
    });
  }
  lines.push({ account: ACCOUNTS[(index + lineCount) % ACCOUNTS.length]!, amount: -sum, description: `Motpost ${id}` });
  return {
    id,
    journal: index % 3 === 0 ? "GL" : "AP",
    date,
    period: { year: 2024, number: Number(date.slice(5, 7)) },
    description: `Voucher ${id}`,
    lines,
  };
}

function randomText(length: number): string {
  let text = "";
  while (text.length < length) text += Math.random().toString(36).slice(2);
  return text.slice(0, length);
}

/** The lines a store must serve for `transactions`, written out independently of the store's own mapping. */
export function expectedLines(transactions: readonly Transaction[]): LedgerLine[] {
  const lines: LedgerLine[] = [];
  for (const transaction of transactions) {
    transaction.lines.forEach((line, lineNumber) => {
      lines.push({
        transactionId: transaction.id,
        lineNumber,
        ...(transaction.journal === undefined ? {} : { journal: transaction.journal }),
        date: transaction.date,
        ...(transaction.period === undefined ? {} : { period: transaction.period }),
        ...(transaction.description === undefined ? {} : { transactionDescription: transaction.description }),
        account: line.account,
        amount: line.amount,
        ...(line.description === undefined ? {} : { description: line.description }),
        ...(line.currencyAmount === undefined ? {} : { currencyAmount: line.currencyAmount }),
        ...(line.taxCode === undefined ? {} : { taxCode: line.taxCode }),
        ...(line.customerId === undefined ? {} : { customerId: line.customerId }),
        ...(line.supplierId === undefined ? {} : { supplierId: line.supplierId }),
        ...(line.dimensions === undefined ? {} : { dimensions: line.dimensions }),
        ...(line.recordId === undefined ? {} : { recordId: line.recordId }),
      });
    });
  }
  return lines;
}

/**
 * A trial balance for `transactions`: every account with lines, plus one chart-only account with stated and prior
 * figures (so optional fields and a large opening balance round-trip too) and one with unknown opening and movement.
 */
export function trialBalanceOf(transactions: readonly Transaction[]): TrialBalanceRow[] {
  const byAccount = new Map<string, { debit: bigint; credit: bigint; lines: number }>();
  for (const transaction of transactions) {
    for (const line of transaction.lines) {
      const posted = byAccount.get(line.account) ?? { debit: 0n, credit: 0n, lines: 0 };
      if (line.amount >= 0n) posted.debit += line.amount;
      else posted.credit -= line.amount;
      posted.lines++;
      byAccount.set(line.account, posted);
    }
  }
  const rows: TrialBalanceRow[] = [...byAccount.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([account, posted]) => ({
      account,
      name: `Konto ${account}`,
      mapping: { standardAccountId: account.slice(0, 2), accountType: "GL" },
      opening: 0n,
      movement: posted.debit - posted.credit,
      closing: posted.debit - posted.credit,
      stated: {},
      posted,
      inChart: true,
    }));
  rows.push({
    account: "2050",
    name: "Annen egenkapital",
    mapping: { groupingCategory: "RF-1167", groupingCode: "2050" },
    opening: -123_456_789_012_345_678n,
    movement: 0n,
    closing: -123_456_789_012_345_678n,
    stated: { opening: -123_456_789_012_345_678n, closing: -123_456_789_012_345_678n },
    posted: { debit: 0n, credit: 0n, lines: 0 },
    prior: { opening: -100_000n, closing: -123_456_789_012_345_678n },
    inChart: true,
  });
  // A row of a closing-balance file: opening and movement unknown (null), which must round-trip as null, not 0.
  rows.push({
    account: "2990",
    name: "Annen kortsiktig gjeld",
    mapping: {},
    opening: null,
    movement: null,
    closing: -42_00n,
    stated: { closing: -42_00n },
    posted: { debit: 0n, credit: 0n, lines: 0 },
    inChart: true,
  });
  return rows;
}

/** A lease until `until`, held by `owner` (default: one attempt for every test that does not care). */
export function lease(until: string, owner = "attempt-1"): ImportLease {
  return { owner, until };
}
