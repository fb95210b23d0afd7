import type { Dimension, SourceLocation, TransactionLine } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import { SaftElement as E } from "./saftElements.ts";
import type { SaftDateReader } from "./SaftHeaderDraft.ts";

/** Debit minus credit; `undefined` when neither is stated. */
export function net(debit: Ore | undefined, credit: Ore | undefined): Ore | undefined {
  if (debit === undefined && credit === undefined) return undefined;
  return (debit ?? 0n) - (credit ?? 0n);
}

/** `a + b` in øre: a number while the sum is exact in a double, else a bigint. */
function add(a: number | Ore, b: number | Ore): number | Ore {
  if (typeof a === "number" && typeof b === "number") {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return BigInt(a) + BigInt(b);
}

/**
 * The `Line` of a `Transaction` being read (SAF-T Financial NO XSD, GeneralLedgerEntries/Journal/Transaction/Line).
 * One draft serves every line of a file: {@link start} resets it, the leaves fill it, and only a line that is kept
 * becomes an object ({@link toLine}), so reading a line allocates nothing but that object and its values.
 */
export class SaftLineDraft {
  /** Where the `<Line>` tag starts (plain fields, copied from the tokenizer without allocating). */
  line = 0;
  column = 0;
  offset = 0;
  recordId: string | undefined;
  account: string | undefined;
  /**
   * The sums of the line's amounts on each side, in øre: a number while the sum is exact in a double (always, for
   * amounts read by saftAmountOre), a bigint beyond; {@link net} gives the line's amount as {@link Ore}. Adding
   * numbers allocates nothing; a bigint per amount and per sum was a measurable part of reading a line.
   */
  debit: number | Ore | undefined;
  credit: number | Ore | undefined;
  /** An amount was present but unreadable (already reported): the line is left out. */
  amountInvalid = false;
  /** The side of the DebitAmount/CreditAmount element being read. */
  amountSide: "debit" | "credit" = "debit";
  /** An Amount was read on this line (a second one on the other side is reported). */
  amountSeen = false;
  currencyCode: string | undefined;
  currencyAmount: string | undefined;
  exchangeRate: string | undefined;
  taxCode: string | undefined;
  customerId: string | undefined;
  supplierId: string | undefined;
  dimensions: Dimension[] | undefined;
  date: string | undefined;
  description: string | undefined;
  quantity: string | undefined;
  /** The `Analysis` element being read. */
  analysisType: string | undefined;
  analysisId: string | undefined;

  /** A new line starts at `line:column` (byte `offset`). */
  start(line: number, column: number, offset: number): void {
    this.line = line;
    this.column = column;
    this.offset = offset;
    this.recordId = undefined;
    this.account = undefined;
    this.debit = undefined;
    this.credit = undefined;
    this.amountInvalid = false;
    this.amountSeen = false;
    this.currencyCode = undefined;
    this.currencyAmount = undefined;
    this.exchangeRate = undefined;
    this.taxCode = undefined;
    this.customerId = undefined;
    this.supplierId = undefined;
    this.dimensions = undefined;
    this.date = undefined;
    this.description = undefined;
    this.quantity = undefined;
  }

  /** Where the line starts, as a location (only built for an issue). */
  location(): SourceLocation {
    return { line: this.line, column: this.column, offset: this.offset };
  }

  /** A leaf directly in `Line` (the amounts, analysis and tax elements are read by the builder). */
  leaf(code: number, text: string, date: SaftDateReader): void {
    switch (code) {
      case E.AccountID:
        this.account = text;
        return;
      case E.RecordID:
        this.recordId = text;
        return;
      case E.Description:
        this.description = text;
        return;
      case E.ValueDate:
        this.date = date(text, "ValueDate");
        return;
      case E.CustomerID:
        this.customerId = text;
        return;
      case E.SupplierID:
        this.supplierId = text;
        return;
      case E.Quantity:
        this.quantity = text;
        return;
    }
  }

  /** A leaf of the line's DebitAmount/CreditAmount other than Amount (the builder reads Amount). */
  amountLeaf(code: number, text: string): void {
    if (code === E.CurrencyCode) this.currencyCode = text;
    else if (code === E.CurrencyAmount) this.currencyAmount = text;
    else if (code === E.ExchangeRate) this.exchangeRate = text;
  }

  /** Adds an Amount read on the current side (øre; a number when exact in a double). */
  addAmount(amount: number | Ore): void {
    if (this.amountSide === "debit") this.debit = this.debit === undefined ? amount : add(this.debit, amount);
    else this.credit = this.credit === undefined ? amount : add(this.credit, amount);
  }

  /** Debit minus credit in øre; `undefined` when neither side was read. */
  net(): Ore | undefined {
    const debit = this.debit;
    const credit = this.credit;
    if (debit === undefined && credit === undefined) return undefined;
    if (typeof debit !== "bigint" && typeof credit !== "bigint") {
      const difference = (debit ?? 0) - (credit ?? 0);
      if (Number.isSafeInteger(difference)) return BigInt(difference);
    }
    return BigInt(debit ?? 0) - BigInt(credit ?? 0);
  }

  /** Whether an Amount on the current side meets one already read on the other side. */
  hasOtherSide(): boolean {
    return (
      this.amountSeen &&
      ((this.amountSide === "debit" && this.credit !== undefined) ||
        (this.amountSide === "credit" && this.debit !== undefined))
    );
  }

  /** A leaf of the line's `Analysis` (AnalysisType or AnalysisID). */
  analysisLeaf(code: number, text: string): void {
    if (code === E.AnalysisType) this.analysisType = text;
    else this.analysisId = text;
  }

  /** The `Analysis` element ends: one dimension, when it named any. */
  endAnalysis(): void {
    if (this.analysisType !== undefined || this.analysisId !== undefined) {
      (this.dimensions ??= []).push({ type: this.analysisType ?? "", id: this.analysisId ?? "" });
    }
    this.analysisType = undefined;
    this.analysisId = undefined;
  }

  /** The transaction line, for a draft with an account and an amount (`amount` = {@link net} of the sides). */
  toLine(account: string, amount: Ore): TransactionLine {
    // The usual line (one side, record id, description, date, nothing else) as one literal, with its properties in
    // the order the general path below gives them: the same object, made without growing it property by property.
    if (
      this.recordId !== undefined &&
      this.description !== undefined &&
      this.date !== undefined &&
      (this.credit === undefined) !== (this.debit === undefined) &&
      this.currencyAmount === undefined &&
      this.taxCode === undefined &&
      this.customerId === undefined &&
      this.supplierId === undefined &&
      this.dimensions === undefined &&
      this.quantity === undefined
    ) {
      return {
        account,
        amount,
        side: this.credit === undefined ? "debit" : "credit",
        recordId: this.recordId,
        description: this.description,
        date: this.date,
      };
    }
    const line: TransactionLine = { account, amount };
    // Keep the side the file chose: negative amounts occur on either side, and TotalDebit/TotalCredit sum by side.
    if (this.credit === undefined) line.side = "debit";
    else if (this.debit === undefined) line.side = "credit";
    if (this.recordId !== undefined) line.recordId = this.recordId;
    if (this.description !== undefined) line.description = this.description;
    if (this.currencyCode !== undefined && this.currencyAmount !== undefined) {
      line.currencyAmount = { currency: this.currencyCode, amount: this.currencyAmount };
      if (this.exchangeRate !== undefined) line.currencyAmount.exchangeRate = this.exchangeRate;
    }
    if (this.taxCode !== undefined) line.taxCode = this.taxCode;
    if (this.customerId !== undefined) line.customerId = this.customerId;
    if (this.supplierId !== undefined) line.supplierId = this.supplierId;
    if (this.dimensions !== undefined) line.dimensions = this.dimensions;
    if (this.date !== undefined) line.date = this.date;
    if (this.quantity !== undefined) line.quantity = this.quantity;
    return line;
  }
}
