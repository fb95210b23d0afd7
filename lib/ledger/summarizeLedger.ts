import { formatOre, type Ore } from "../money/ore.ts";
import type { ImportRecord } from "./records.ts";
import type {
  Account,
  AccountMapping,
  ControlTotals,
  FileHeader,
  Issue,
  Party,
  SourceLocation,
  Transaction,
} from "./types.ts";

/**
 * One row of the trial balance (saldobalanse): opening balance (IB), movement and closing balance (UB) of an account.
 *
 * Semantics (issue #2): opening and closing are taken **as the file states them**; movement is the sum of the file's
 * transaction lines when the file has transactions, otherwise the movement the file states, otherwise
 * closing − opening. A closing the file does not state is opening + movement. Where the file states figures that
 * disagree, all of them are kept (`stated*`) and the disagreement is reported as an issue.
 *
 * An opening the file does not state is 0 (SIE result accounts have no `#IB` by design; a file with transactions
 * starts from them) — unless the file is a **closing-balance file**: no transactions, no opening balance on any
 * account, closing balances stated (a CSV with only a closing column). There opening and movement are unknown
 * (`null`), not 0; where the file states the movement too, the opening is closing − movement. One
 * `OPENING_NOT_STATED` info issue says so (see {@link LedgerSummarizer}).
 */
export interface TrialBalanceRow {
  account: string;
  name: string;
  mapping: AccountMapping;
  /** Null when unknown (a closing-balance file, see above). */
  opening: Ore | null;
  /** Null when unknown (a closing-balance file that states no movement). */
  movement: Ore | null;
  closing: Ore;
  /** Figures exactly as the file states them (undefined when it does not). */
  stated: { opening?: Ore; movement?: Ore; closing?: Ore };
  /** Sum and count of the transaction lines posted to the account. */
  posted: { debit: Ore; credit: Ore; lines: number };
  /** Prior-year figures when the file carries them (SIE year −1). */
  prior?: { opening?: Ore; closing?: Ore };
  /** False when the account appears only on transaction lines, not in the file's chart of accounts. */
  inChart: boolean;
}

/** Sums of the rows; an opening or movement total is null when any row's figure is unknown. */
export interface LedgerTotals {
  opening: Ore | null;
  movement: Ore | null;
  closing: Ore;
}

/**
 * The totals of trial-balance rows: a column with an unknown (`null`) figure has an unknown total, since a sum that
 * leaves out unknown rows would look like a figure. No rows sum to 0.
 */
export function totalsOf(rows: Iterable<Pick<TrialBalanceRow, "opening" | "movement" | "closing">>): LedgerTotals {
  let opening: Ore | null = 0n;
  let movement: Ore | null = 0n;
  let closing = 0n;
  for (const row of rows) {
    opening = opening === null || row.opening === null ? null : opening + row.opening;
    movement = movement === null || row.movement === null ? null : movement + row.movement;
    closing += row.closing;
  }
  return { opening, movement, closing };
}

export interface TransactionStatistics {
  count: number;
  lines: number;
  /** Sum of the debit-side line amounts (SAF-T DebitAmount; otherwise positive amounts). */
  totalDebit: Ore;
  /** Sum of the credit-side line amounts as a positive figure. */
  totalCredit: Ore;
  firstDate?: string;
  lastDate?: string;
}

/** Everything `saldo inspect` reports about a file. */
export interface LedgerSummary {
  header: FileHeader;
  rows: TrialBalanceRow[];
  totals: LedgerTotals;
  transactions: TransactionStatistics;
  parties: { customers: number; suppliers: number };
  controlTotals?: ControlTotals;
  issues: Issue[];
}

export interface SummarizeOptions {
  /** At most this many issues of one code are listed; the rest are counted in one summary issue. */
  maxIssuesPerCode?: number;
}

interface AccountState {
  account: Account | undefined;
  firstLine?: SourceLocation;
  debit: Ore;
  credit: Ore;
  lines: number;
}

const compareAccounts = new Intl.Collator("en", { numeric: true }).compare;

/**
 * Streams import records into a trial balance, transaction statistics and the validation report. Memory is bounded
 * by the number of accounts and parties (the chart), never by the number of transactions: each transaction is
 * checked and folded in as it passes.
 *
 * The generic checks live here so every format gets them: per-account opening + movement ≠ closing, trial balance
 * not summing to zero, unbalanced vouchers, declared control totals vs computed, lines on accounts missing from the
 * chart, duplicate accounts, transactions outside the period, sub-ledger (customer/supplier) balances vs the
 * ledger account. Format-specific findings arrive as `issue` records from the parsers.
 */
export class LedgerSummarizer {
  private header: FileHeader | undefined;
  private readonly accounts = new Map<string, AccountState>();
  private readonly partyIds = { customer: new Set<string>(), supplier: new Set<string>() };
  private readonly partyBalanceByAccount = new Map<string, { opening: Ore; closing: Ore; parties: number }>();
  private controlTotals: ControlTotals | undefined;
  private readonly stats: TransactionStatistics = { count: 0, lines: 0, totalDebit: 0n, totalCredit: 0n };
  private readonly issues: Issue[] = [];
  private readonly issueCounts = new Map<string, number>();
  private readonly maxIssuesPerCode: number;
  private readonly unknownPartyIds = new Set<string>();

  constructor(options: SummarizeOptions = {}) {
    this.maxIssuesPerCode = options.maxIssuesPerCode ?? 100;
  }

  /** Folds one record in. */
  add(record: ImportRecord): void {
    // Transactions are nearly all the records: their test comes first.
    if (record.type === "transaction") return this.addTransaction(record.transaction);
    switch (record.type) {
      case "header":
        this.header = record.header;
        return;
      case "headerUpdate":
        if (this.header) this.header = { ...this.header, ...record.changes };
        return;
      case "account":
        return this.addAccount(record.account);
      case "party":
        return this.addParty(record.party);
      case "controlTotals":
        this.controlTotals = record.controlTotals;
        return;
      case "issue":
        return this.report(record.issue);
    }
  }

  /** Finishes the checks that need the whole file and returns the summary. */
  finish(): LedgerSummary {
    if (!this.header) throw new Error("no header record: the parser ended before describing the file");
    const hasTransactions = this.stats.count > 0;
    const closingBalanceFile = !hasTransactions && this.isClosingBalanceFile();
    // Rows (and the findings about them) in account order, whatever order the records came in: a file that
    // states its balances after its vouchers (SIE) gives the same summary as the same file in the usual order.
    const ids = [...this.accounts.keys()].sort(compareAccounts);
    const rows: TrialBalanceRow[] = ids.map((id) =>
      this.buildRow(id, this.accounts.get(id)!, hasTransactions, closingBalanceFile),
    );
    if (closingBalanceFile) this.reportOpeningNotStated(rows);

    const totals = totalsOf(rows);
    this.checkBalancesSumToZero(rows, totals);
    this.checkControlTotals();
    this.checkPartyBalances();
    this.flushSuppressedCounts();

    return {
      header: this.header,
      rows,
      totals,
      transactions: { ...this.stats },
      parties: { customers: this.partyIds.customer.size, suppliers: this.partyIds.supplier.size },
      ...(this.controlTotals ? { controlTotals: this.controlTotals } : {}),
      issues: this.issues,
    };
  }

  private addAccount(account: Account): void {
    const existing = this.accounts.get(account.id);
    if (existing?.account) {
      this.report({
        severity: "error",
        code: "DUPLICATE_ACCOUNT",
        message:
          `account ${account.id} is defined more than once; the first definition is used` +
          ` (ignored: "${account.name}", opening ${fmt(account.opening)}, closing ${fmt(account.closing)})`,
        account: account.id,
        ...(account.closing !== undefined ? { amount: account.closing } : {}),
        ...(account.location ? { location: account.location } : {}),
      });
      return;
    }
    if (existing) existing.account = account;
    else this.accounts.set(account.id, { account, debit: 0n, credit: 0n, lines: 0 });
  }

  private addParty(party: Party): void {
    this.partyIds[party.kind].add(party.id);
    for (const balance of party.balances) {
      if (!balance.account) continue;
      const sum = this.partyBalanceByAccount.get(balance.account) ?? { opening: 0n, closing: 0n, parties: 0 };
      sum.opening += balance.opening ?? 0n;
      sum.closing += balance.closing ?? 0n;
      sum.parties++;
      this.partyBalanceByAccount.set(balance.account, sum);
    }
  }

  /**
   * The hot path of a summary (once per transaction, once per line): locals instead of repeated property loads,
   * the sign read once per line, the party checks only for lines that name a party, and the location object of
   * an issue only made when there is an issue. The checks and figures are the same.
   */
  private addTransaction(transaction: Transaction): void {
    const stats = this.stats;
    const accounts = this.accounts;
    stats.count++;
    const lines = transaction.lines;
    let net = 0n;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const amount = line.amount;
      const negative = amount < 0n;
      stats.lines++;
      net += amount;
      // The side the file states (SAF-T DebitAmount/CreditAmount), else the sign.
      const side = line.side ?? (negative ? "credit" : "debit");
      if (side === "debit") stats.totalDebit += amount;
      else stats.totalCredit -= amount;

      let state = accounts.get(line.account);
      if (state === undefined) {
        state = {
          account: undefined,
          debit: 0n,
          credit: 0n,
          lines: 0,
          ...(transaction.location ? { firstLine: transaction.location } : {}),
        };
        accounts.set(line.account, state);
      }
      state.lines++;
      if (negative) state.credit -= amount;
      else state.debit += amount;
      if (line.customerId) this.checkPartyReference("customer", line.customerId, transaction);
      if (line.supplierId) this.checkPartyReference("supplier", line.supplierId, transaction);
    }
    if (net !== 0n) {
      this.report({
        severity: "error",
        code: "VOUCHER_NOT_BALANCED",
        message: `transaction ${transaction.id} (${transaction.date}) does not balance: its lines sum to ${formatOre(net)}`,
        transactionId: transaction.id,
        amount: net,
        ...(transaction.location ? { location: transaction.location } : {}),
      });
    }
    const date = transaction.date;
    if (!stats.firstDate || date < stats.firstDate) stats.firstDate = date;
    if (!stats.lastDate || date > stats.lastDate) stats.lastDate = date;
    const period = this.header?.period;
    if (period && date && (date < period.start || date > period.end)) {
      this.report({
        severity: "warning",
        code: "TRANSACTION_OUTSIDE_PERIOD",
        message: `transaction ${transaction.id} is dated ${date}, outside the period ${period.start} – ${period.end}`,
        transactionId: transaction.id,
        ...(transaction.location ? { location: transaction.location } : {}),
      });
    }
  }

  private checkPartyReference(kind: "customer" | "supplier", id: string | undefined, transaction: Transaction): void {
    // Only meaningful when the file has a customer/supplier register at all.
    if (!id || this.partyIds[kind].size === 0 || this.partyIds[kind].has(id)) return;
    const key = `${kind}:${id}`;
    if (this.unknownPartyIds.has(key)) return;
    this.unknownPartyIds.add(key);
    this.report({
      severity: "warning",
      code: "PARTY_NOT_IN_MASTER",
      message: `transaction ${transaction.id} refers to ${kind} ${id}, which is not in the file's ${kind} register`,
      transactionId: transaction.id,
      ...(transaction.location ? { location: transaction.location } : {}),
    });
  }

  /** No account states an opening balance and at least one states a closing balance (called without transactions). */
  private isClosingBalanceFile(): boolean {
    let statesClosing = false;
    for (const { account } of this.accounts.values()) {
      if (account?.opening !== undefined) return false;
      if (account?.closing !== undefined) statesClosing = true;
    }
    return statesClosing;
  }

  /** The one issue of a closing-balance file: what is unknown, and what was computed. */
  private reportOpeningNotStated(rows: readonly TrialBalanceRow[]): void {
    const unknownOpening = rows.filter((row) => row.opening === null).length;
    const unknownMovement = rows.filter((row) => row.movement === null).length;
    const derived = rows.filter((row) => row.opening !== null).length;
    const parts = [
      unknownOpening > 0
        ? `opening${unknownMovement > 0 ? " and movement are" : " is"} unknown (null, not 0) for ${unknownOpening} account(s)`
        : "",
      derived > 0 ? `opening is computed as closing − the stated movement for ${derived} account(s)` : "",
    ].filter(Boolean);
    this.report({
      severity: "info",
      code: "OPENING_NOT_STATED",
      message: `the file states closing balances but no opening balances (IB) and no transactions: ${parts.join("; ")}`,
    });
  }

  private buildRow(
    id: string,
    state: AccountState,
    hasTransactions: boolean,
    closingBalanceFile: boolean,
  ): TrialBalanceRow {
    const account = state.account;
    const stated = {
      ...(account?.opening !== undefined ? { opening: account.opening } : {}),
      ...(account?.movement !== undefined ? { movement: account.movement } : {}),
      ...(account?.closing !== undefined ? { closing: account.closing } : {}),
    };
    const postedNet = state.debit - state.credit;
    let opening: Ore | null;
    let movement: Ore | null;
    if (closingBalanceFile) {
      // Nothing says where the account started: only the file's own movement lets the opening be computed.
      movement = stated.movement ?? null;
      opening = movement !== null && stated.closing !== undefined ? stated.closing - movement : null;
    } else {
      opening = stated.opening ?? 0n;
      movement = hasTransactions
        ? postedNet
        : (stated.movement ?? (stated.closing !== undefined ? stated.closing - opening : 0n));
    }
    const closing = stated.closing ?? (opening ?? 0n) + (movement ?? 0n);

    if (!account) {
      this.report({
        severity: "warning",
        code: "ACCOUNT_NOT_IN_CHART",
        message: `${state.lines} transaction line(s) are posted to account ${id}, which is not in the file's chart of accounts`,
        account: id,
        amount: postedNet,
        ...(state.firstLine ? { location: state.firstLine } : {}),
      });
    }
    const where = account?.location ? { location: account.location } : {};
    if (
      stated.closing !== undefined &&
      opening !== null &&
      movement !== null &&
      opening + movement !== stated.closing
    ) {
      const source = hasTransactions ? "the transactions" : "the stated movement";
      this.report({
        severity: "warning",
        code: "CLOSING_MISMATCH",
        message:
          `account ${id}: opening ${formatOre(opening)} + movement ${formatOre(movement)} (from ${source}) = ` +
          `${formatOre(opening + movement)}, but ` +
          (account?.impliedClosing
            ? `the file gives no closing balance, which makes it ${formatOre(stated.closing)} (zero balances may be left out)`
            : `the file states closing ${formatOre(stated.closing)}`) +
          ` (difference ${formatOre(stated.closing - opening - movement)})`,
        account: id,
        amount: stated.closing - opening - movement,
        ...where,
      });
    } else if (hasTransactions && stated.movement !== undefined && stated.movement !== postedNet) {
      this.report({
        severity: "warning",
        code: "MOVEMENT_MISMATCH",
        message: `account ${id}: the file states movement ${formatOre(stated.movement)} but its transactions sum to ${formatOre(postedNet)}`,
        account: id,
        amount: stated.movement - postedNet,
        ...where,
      });
    }
    return {
      account: id,
      name: account?.name ?? "",
      mapping: account?.mapping ?? {},
      opening,
      movement,
      closing,
      stated,
      posted: { debit: state.debit, credit: state.credit, lines: state.lines },
      ...(account?.prior ? { prior: account.prior } : {}),
      inChart: account !== undefined,
    };
  }

  private checkBalancesSumToZero(rows: TrialBalanceRow[], totals: LedgerTotals): void {
    const statesOpening = rows.some((row) => row.stated.opening !== undefined);
    if (statesOpening && totals.opening !== null && totals.opening !== 0n) {
      this.report({
        severity: "warning",
        code: "OPENING_NOT_BALANCED",
        message: `the opening balances sum to ${formatOre(totals.opening)}, not 0.00`,
        amount: totals.opening,
      });
    }
    if (totals.closing !== 0n) {
      this.report({
        severity: "warning",
        code: "CLOSING_NOT_BALANCED",
        message: `the closing balances sum to ${formatOre(totals.closing)}, not 0.00`,
        amount: totals.closing,
      });
    }
  }

  private checkControlTotals(): void {
    const declared = this.controlTotals;
    if (!declared) return;
    const where = declared.location ? { location: declared.location } : {};
    if (declared.numberOfEntries !== undefined && declared.numberOfEntries !== this.stats.count) {
      this.report({
        severity: "error",
        code: "CONTROL_ENTRIES_MISMATCH",
        message: `the file declares ${declared.numberOfEntries} entries but contains ${this.stats.count} transactions`,
        ...where,
      });
    }
    const sides = [
      ["CONTROL_DEBIT_MISMATCH", "total debit", declared.totalDebit, this.stats.totalDebit],
      ["CONTROL_CREDIT_MISMATCH", "total credit", declared.totalCredit, this.stats.totalCredit],
    ] as const;
    for (const [code, label, stated, computed] of sides) {
      if (stated === undefined || stated === computed) continue;
      this.report({
        severity: "error",
        code,
        message: `the file declares ${label} ${formatOre(stated)} but its lines sum to ${formatOre(computed)}`,
        amount: stated - computed,
        ...where,
      });
    }
  }

  private checkPartyBalances(): void {
    for (const [accountId, sum] of this.partyBalanceByAccount) {
      const state = this.accounts.get(accountId);
      if (!state?.account) continue;
      const { opening, closing } = state.account;
      for (const [label, ledger, subLedger] of [
        ["opening", opening, sum.opening],
        ["closing", closing, sum.closing],
      ] as const) {
        if (ledger === undefined || ledger === subLedger) continue;
        this.report({
          severity: "warning",
          code: "SUBLEDGER_MISMATCH",
          message:
            `account ${accountId}: the ${label} balance is ${formatOre(ledger)} but the ${sum.parties} customer/supplier ` +
            `balance(s) on it sum to ${formatOre(subLedger)}`,
          account: accountId,
          amount: ledger - subLedger,
        });
      }
    }
  }

  private report(issue: Issue): void {
    const count = (this.issueCounts.get(issue.code) ?? 0) + 1;
    this.issueCounts.set(issue.code, count);
    if (count <= this.maxIssuesPerCode) this.issues.push(issue);
  }

  private flushSuppressedCounts(): void {
    for (const [code, count] of this.issueCounts) {
      if (count <= this.maxIssuesPerCode) continue;
      this.issues.push({
        severity: "info",
        code: "ISSUES_TRUNCATED",
        message: `${count - this.maxIssuesPerCode} more ${code} issue(s) not listed (${count} in all)`,
      });
    }
  }
}

function fmt(amount: Ore | undefined): string {
  return amount === undefined ? "not stated" : formatOre(amount);
}

/** Summarizes a whole record stream (convenience around {@link LedgerSummarizer}). */
export async function summarizeLedger(
  records: AsyncIterable<ImportRecord>,
  options?: SummarizeOptions,
): Promise<LedgerSummary> {
  const summarizer = new LedgerSummarizer(options);
  for await (const record of records) summarizer.add(record);
  return summarizer.finish();
}
