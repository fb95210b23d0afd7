/**
 * Generates large, valid and internally consistent SAF-T Financial 1.30 files for benchmarks and memory tests.
 *
 * Consistency (what saldo's checks verify): every transaction balances; Σ opening = 0; for every account
 * closing = opening + Σ(debit − credit) of its lines; NumberOfEntries/TotalDebit/TotalCredit match the lines.
 * The closing balances sit in MasterFiles, before the transactions, so the generator runs its seeded random
 * sequence twice: a first pass only sums the movements, the second pass writes the file. Output is streamed in
 * chunks of about 256 KB; memory stays flat whatever the number of transactions.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { formatOre, type Ore } from "../lib/money/ore.ts";

export interface GenerateSaftOptions {
  /** Number of Transaction elements. */
  transactions: number;
  /** Lines per transaction (≥ 2; default 3): n − 1 lines on one side, one balancing line on the other. */
  linesPerTransaction?: number;
  /** Number of general-ledger accounts (≥ 4; default 60). */
  accounts?: number;
  /** Seed of the pseudo-random sequence (default 1): the same options give the same bytes. */
  seed?: number;
  /**
   * `verbose` (default): deep indentation, a ValueDate and a long description on every line (≈ 550 bytes per line).
   * `dense`: what most exporters write (≈ 300 bytes per line): two-space indentation, short descriptions, no
   * ValueDate, the amount on one line, a CustomerID on one line in five.
   */
  profile?: "verbose" | "dense";
  /**
   * The share (0–1) of transactions whose balancing line goes to the first account (the bank), so one account has
   * many lines, as a real bank account does (default 0: every line on an account drawn at random).
   */
  busyAccountShare?: number;
}

interface GeneratedAccount {
  id: string;
  name: string;
  groupingCategory: string;
  groupingCode: string;
  opening: Ore;
}

const CHUNK_CHARS = 256 * 1024;
const YEAR = 2025;

/** mulberry32: small, fast, good enough for test data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES: [number, string, string][] = [
  [1, "balanseverdiForOmloepsmiddel", "Bankinnskudd og kontanter"],
  [2, "kortsiktigGjeld", "Leverandørgjeld"],
  [3, "salgsinntekt", "Salgsinntekt"],
  [4, "varekostnad", "Varekjøp"],
  [5, "loennskostnad", "Lønn"],
  [6, "annenDriftskostnad", "Kontorrekvisita & småanskaffelser"],
  [7, "annenDriftskostnad", "Reisekostnad"],
  [8, "finanskostnad", "Rentekostnad"],
];

/**
 * How account numbers are laid out in each class (1xxx assets … 8xxx finance): four digits ten apart from x100 (as
 * NS 4102 charts usually are) while the class's accounts fit; four digits one apart when they do not; five digits
 * past 1 000 accounts a class. Every number is unique and starts with its class digit, whatever the count.
 */
function accountNumbering(count: number): { width: number; step: number; offset: number } {
  const perClass = Math.ceil(count / CATEGORIES.length);
  if (100 + 10 * (perClass - 1) < 1000) return { width: 1000, step: 10, offset: 100 };
  if (perClass <= 1000) return { width: 1000, step: 1, offset: 0 };
  return { width: 10 ** String(perClass - 1).length, step: 1, offset: 0 };
}

function chartOfAccounts(count: number, next: () => number): GeneratedAccount[] {
  const accounts: GeneratedAccount[] = [];
  const { width, step, offset } = accountNumbering(count);
  for (let index = 0; index < count; index++) {
    const [digit, groupingCategory, name] = CATEGORIES[index % CATEGORIES.length]!;
    const id = String(digit * width + offset + step * Math.floor(index / CATEGORIES.length));
    accounts.push({ id, name: `${name} ${index + 1}`, groupingCategory, groupingCode: id, opening: 0n });
  }
  // Opening balances on balance-sheet accounts (1xxx, 2xxx) only, summing to zero.
  let sum = 0n;
  const balanceSheet = accounts.filter((account) => account.id < "3");
  for (const account of balanceSheet.slice(1)) {
    account.opening = BigInt(Math.floor(next() * 2_000_000_00)) - 1_000_000_00n;
    sum += account.opening;
  }
  balanceSheet[0]!.opening = -sum;
  return accounts;
}

interface GeneratedLine {
  account: number;
  amount: Ore; // debit positive
}

/** The lines of transaction `index` (same sequence in both passes). */
function transactionLines(
  next: () => number,
  accountCount: number,
  lineCount: number,
  busyAccountShare: number,
): GeneratedLine[] {
  const lines: GeneratedLine[] = [];
  let total = 0n;
  const sign = next() < 0.5 ? 1n : -1n;
  for (let k = 0; k < lineCount - 1; k++) {
    const amount = BigInt(1 + Math.floor(next() * 5_000_000));
    total += amount;
    lines.push({ account: Math.floor(next() * accountCount), amount: sign * amount });
  }
  const toBusyAccount = busyAccountShare > 0 && next() < busyAccountShare;
  lines.push({ account: toBusyAccount ? 0 : Math.floor(next() * accountCount), amount: -sign * total });
  return lines;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function isoDate(dayOfYear: number): string {
  const date = new Date(Date.UTC(YEAR, 0, 1 + dayOfYear));
  return date.toISOString().slice(0, 10);
}

function balanceElement(kind: "Opening" | "Closing", amount: Ore): string {
  return amount < 0n
    ? `<${kind}CreditBalance>${formatOre(-amount)}</${kind}CreditBalance>`
    : `<${kind}DebitBalance>${formatOre(amount)}</${kind}DebitBalance>`;
}

function verboseTransaction(
  id: string,
  period: number,
  date: string,
  lines: GeneratedLine[],
  accounts: GeneratedAccount[],
): string {
  let out = `            <Transaction>
                <TransactionID>${id}</TransactionID>
                <Period>${period}</Period>
                <PeriodYear>${YEAR}</PeriodYear>
                <TransactionDate>${date}</TransactionDate>
                <VoucherType>GL</VoucherType>
                <Description>Bilag ${id} – kjøp på kreditt</Description>
                <SystemEntryDate>${date}</SystemEntryDate>
                <GLPostingDate>${date}</GLPostingDate>
`;
  lines.forEach((line, k) => {
    const side = line.amount >= 0n ? "DebitAmount" : "CreditAmount";
    const amount = line.amount >= 0n ? line.amount : -line.amount;
    out += `                <Line>
                    <RecordID>${k + 1}</RecordID>
                    <AccountID>${accounts[line.account]!.id}</AccountID>
                    <ValueDate>${date}</ValueDate>
                    <Description>Linje ${k + 1} på bilag ${id}</Description>
                    <${side}>
                        <Amount>${formatOre(amount)}</Amount>
                    </${side}>
                </Line>
`;
  });
  return `${out}            </Transaction>
`;
}

const DENSE_TEXTS = ["Salg", "Varekjøp", "Husleie", "Lønn", "Bankgebyr", "Innbetaling"];

function denseTransaction(
  id: string,
  period: number,
  date: string,
  lines: GeneratedLine[],
  accounts: GeneratedAccount[],
): string {
  const text = DENSE_TEXTS[Number(id) % DENSE_TEXTS.length]!;
  let out = `    <Transaction>
      <TransactionID>${id}</TransactionID>
      <Period>${period}</Period>
      <PeriodYear>${YEAR}</PeriodYear>
      <TransactionDate>${date}</TransactionDate>
      <Description>${text} ${id}</Description>
      <SystemEntryDate>${date}</SystemEntryDate>
      <GLPostingDate>${date}</GLPostingDate>
`;
  lines.forEach((line, k) => {
    const side = line.amount >= 0n ? "DebitAmount" : "CreditAmount";
    const amount = line.amount >= 0n ? line.amount : -line.amount;
    const customer = (Number(id) + k) % 5 === 0 ? `\n        <CustomerID>10000</CustomerID>` : "";
    out += `      <Line>
        <RecordID>${k + 1}</RecordID>
        <AccountID>${accounts[line.account]!.id}</AccountID>${customer}
        <Description>${text}</Description>
        <${side}><Amount>${formatOre(amount)}</Amount></${side}>
      </Line>
`;
  });
  return `${out}    </Transaction>
`;
}

/**
 * Streams a SAF-T Financial 1.30 file as UTF-8 chunks. The file validates in shape against the 1.30 XSD elements
 * saldo reads (Header, GeneralLedgerAccounts with GroupingCategory/Code, Customers/Suppliers, GeneralLedgerEntries).
 */
export async function* generateSaft(options: GenerateSaftOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const transactionCount = options.transactions;
  const lineCount = Math.max(2, options.linesPerTransaction ?? 3);
  const accountCount = Math.max(4, options.accounts ?? 60);
  const seed = options.seed ?? 1;
  const dense = options.profile === "dense";
  const busyAccountShare = options.busyAccountShare ?? 0;

  // Pass 1: chart, openings and the movement per account.
  const chartRandom = random(seed);
  const accounts = chartOfAccounts(accountCount, chartRandom);
  const movement: Ore[] = accounts.map(() => 0n);
  let totalDebit = 0n;
  let totalCredit = 0n;
  {
    const next = random(seed ^ 0x5a5a5a5a);
    for (let index = 0; index < transactionCount; index++) {
      for (const line of transactionLines(next, accountCount, lineCount, busyAccountShare)) {
        movement[line.account]! += line.amount;
        if (line.amount > 0n) totalDebit += line.amount;
        else totalCredit -= line.amount;
      }
    }
  }

  let out = "";
  const flush = function* (force: boolean): Generator<Uint8Array> {
    if (out.length >= CHUNK_CHARS || (force && out.length > 0)) {
      yield Buffer.from(out, "utf8");
      out = "";
    }
  };

  out += `<?xml version="1.0" encoding="UTF-8"?>
<AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:NO" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <Header>
        <AuditFileVersion>1.30</AuditFileVersion>
        <AuditFileCountry>NO</AuditFileCountry>
        <AuditFileDateCreated>${YEAR + 1}-01-15</AuditFileDateCreated>
        <SoftwareCompanyName>saldo benchmark</SoftwareCompanyName>
        <SoftwareID>generateSaft</SoftwareID>
        <SoftwareVersion>1.0</SoftwareVersion>
        <Company>
            <RegistrationNumber>999999999</RegistrationNumber>
            <Name>Benk &amp; Båt AS</Name>
            <Address>
                <City>Tønsberg</City>
                <Country>NO</Country>
            </Address>
        </Company>
        <DefaultCurrencyCode>NOK</DefaultCurrencyCode>
        <SelectionCriteria>
            <PeriodStart>1</PeriodStart>
            <PeriodStartYear>${YEAR}</PeriodStartYear>
            <PeriodEnd>12</PeriodEnd>
            <PeriodEndYear>${YEAR}</PeriodEndYear>
        </SelectionCriteria>
        <TaxAccountingBasis>A</TaxAccountingBasis>
    </Header>
    <MasterFiles>
        <GeneralLedgerAccounts>
`;
  accounts.forEach((account, index) => {
    out += `            <Account>
                <AccountID>${account.id}</AccountID>
                <AccountDescription>${escapeXml(account.name)}</AccountDescription>
                <GroupingCategory>${account.groupingCategory}</GroupingCategory>
                <GroupingCode>${account.groupingCode}</GroupingCode>
                <AccountType>GL</AccountType>
                ${balanceElement("Opening", account.opening)}
                ${balanceElement("Closing", account.opening + movement[index]!)}
            </Account>
`;
  });
  out += `        </GeneralLedgerAccounts>
        <Customers>
            <Customer>
                <Name>Kunde Ærlig AS</Name>
                <CustomerID>10000</CustomerID>
            </Customer>
        </Customers>
        <Suppliers>
            <Supplier>
                <Name>Leverandør Øst AS</Name>
                <SupplierID>20000</SupplierID>
            </Supplier>
        </Suppliers>
    </MasterFiles>
    <GeneralLedgerEntries>
        <NumberOfEntries>${transactionCount}</NumberOfEntries>
        <TotalDebit>${formatOre(totalDebit)}</TotalDebit>
        <TotalCredit>${formatOre(totalCredit)}</TotalCredit>
        <Journal>
            <JournalID>GL</JournalID>
            <Description>Hovedbok</Description>
            <Type>GL</Type>
`;
  yield* flush(true);

  // Pass 2: the same sequence, written out.
  const next = random(seed ^ 0x5a5a5a5a);
  for (let index = 0; index < transactionCount; index++) {
    const lines = transactionLines(next, accountCount, lineCount, busyAccountShare);
    const dayOfYear = Math.floor((index * 365) / Math.max(1, transactionCount));
    const date = isoDate(dayOfYear);
    const period = Number(date.slice(5, 7));
    const id = String(100000 + index);
    out += dense
      ? denseTransaction(id, period, date, lines, accounts)
      : verboseTransaction(id, period, date, lines, accounts);
    yield* flush(false);
  }
  out += `        </Journal>
    </GeneralLedgerEntries>
</AuditFile>
`;
  yield* flush(true);
}

/** Writes {@link generateSaft} output to `path` (streamed, with back-pressure). */
export async function writeSaftFile(path: string, options: GenerateSaftOptions): Promise<void> {
  await pipeline(Readable.from(generateSaft(options)), createWriteStream(path));
}
