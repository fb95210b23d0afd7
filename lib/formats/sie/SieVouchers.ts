import type { Dimension, SourceLocation, Transaction, TransactionLine } from "../../ledger/types.ts";
import type { ImportRecord } from "../../ledger/records.ts";
import type { SieChart } from "./SieChart.ts";
import type { SieDates } from "./SieDates.ts";
import type { SieLine } from "./SieLine.ts";
import { at, fieldLocation, type SieFindings } from "./sieFindings.ts";
import { isNumericAccount } from "./sieFieldValues.ts";

/**
 * The vouchers of a SIE file (SIE 4B #VER with its `{ … }` block of #TRANS rows, §5.4): the open voucher, the
 * block's depth, and the rows. A voucher is passed on as soon as its `}` is read; vouchers are never accumulated.
 * The open voucher and its state are fields rather than an object per voucher; #TRANS is the hot path.
 */
export class SieVouchers {
  /** The open voucher: its #VER read, its `}` not yet. */
  voucher: Transaction | undefined;
  /** Whether the `{` after the #VER has been seen. */
  blockOpened = false;
  /**
   * Set when the open voucher's rows came without the `{` line (e-conomic writes `#VER`, then `#TRANS` rows, then
   * `}`): the first #TRANS opened the block. Such a block also ends at a record that is not a row, or at the end.
   */
  implicitBlock = false;
  /** Depth of `{` blocks (1 inside a voucher's block). */
  depth = 0;
  /** The line of the outermost open `{` (for the error when it is never closed). */
  outermostBraceLine = 0;
  /** Vouchers read with an implicit block, and the first of them (noted once at the end). */
  private implicitBlocks = 0;
  private implicitBlockFirst: { id: string; location: SourceLocation } | undefined;
  /** The open voucher's date as the number YYYYMMDD (-1 when not eight digits), to compare #TRANS transdat cheaply. */
  private voucherDateDigits = -1;
  private readonly auditTrailRows = { rtrans: 0, btrans: 0 };
  private missingObjectListReported = false;

  constructor(
    private readonly output: ImportRecord[],
    private readonly findings: SieFindings,
    private readonly dates: SieDates,
    private readonly chart: SieChart,
  ) {}

  /** #VER serie vernr verdatum vertext regdatum sign (SIE 4B #VER). `beforeFirst` passes the header on. */
  startVoucher(line: SieLine, beforeFirst: () => void): void {
    if (this.implicitBlock && this.depth === 1) {
      // Rows that came without a `{` (and without a `}`) end at the next #VER; noted once (reportImplicitBlocks).
      this.depth = 0;
      this.endVoucher();
    } else if (this.depth > 0) {
      // A #VER inside a block: the previous block's `}` is missing.
      this.findings(
        "warning",
        "SIE_UNCLOSED_BLOCK",
        `#VER inside a '{' block that was not closed; the block is taken as closed here`,
        at(line),
      );
      this.depth = 0;
      if (this.voucher && this.blockOpened) this.endVoucher();
    }
    if (this.voucher) this.voucherWithoutRows();
    beforeFirst();
    const series = line.cachedString(0) ?? ""; // a file has a few series: from the value cache
    const number = line.string(1) ?? "";
    // Voucher id: "A-12" (series-number); "12" without a series; without a number (4I files may leave it
    // empty, SIE 4B #VER) the line number stands in: "A-line57".
    const id =
      number !== ""
        ? series !== ""
          ? `${series}-${number}`
          : number
        : `${series !== "" ? `${series}-` : ""}line${line.line}`;
    const dateDigits = line.eightDigits(2);
    const date = this.dates.cached(dateDigits) ?? this.dates.required(line, 2, "voucher date", id);
    const description = line.string(3);
    const entryDate = this.dates.cached(line.eightDigits(4)) ?? this.dates.optional(line, 4, "registration date", id);
    let transaction: Transaction;
    if (series !== "" && description && entryDate !== undefined) {
      // The usual shape in one literal (same properties, same order as below).
      transaction = { id, date: date ?? "", lines: [], location: at(line), journal: series, description, entryDate };
    } else {
      transaction = { id, date: date ?? "", lines: [], location: at(line) };
      if (series !== "") transaction.journal = series;
      if (description) transaction.description = description;
      if (entryDate !== undefined) transaction.entryDate = entryDate;
    }
    this.voucher = transaction;
    this.blockOpened = false;
    this.voucherDateDigits = dateDigits;
  }

  openBrace(line: SieLine): void {
    if (this.depth === 0) {
      this.outermostBraceLine = line.line;
      if (this.voucher && !this.blockOpened) this.blockOpened = true;
    }
    this.depth++;
  }

  closeBrace(line: SieLine): void {
    if (this.depth === 0) {
      this.findings("warning", "SIE_UNEXPECTED_BRACE", "'}' without an open '{'; ignored", at(line));
      return;
    }
    this.depth--;
    if (this.depth === 0 && this.voucher && this.blockOpened) this.endVoucher();
  }

  endVoucher(): void {
    this.output.push({ type: "transaction", transaction: this.voucher! });
    this.voucher = undefined;
    this.implicitBlock = false;
  }

  /** The open voucher had no block of rows: passed on as it is, with a warning. */
  voucherWithoutRows(): void {
    const transaction = this.voucher!;
    this.findings(
      "warning",
      "SIE_VOUCHER_WITHOUT_ROWS",
      `#VER ${transaction.id} is not followed by a '{' block of #TRANS rows`,
      transaction.location,
      { transactionId: transaction.id },
    );
    this.endVoucher();
  }

  /** #RTRANS / #BTRANS: audit trail of changed vouchers, counted (see {@link reportAuditTrail}). */
  auditTrailRow(label: "#RTRANS" | "#BTRANS"): void {
    if (label === "#RTRANS") this.auditTrailRows.rtrans++;
    else this.auditTrailRows.btrans++;
  }

  /** #TRANS kontonr {objektlista} belopp transdat transtext kvantitet sign (SIE 4B #TRANS). The hot path. */
  transaction(line: SieLine): void {
    const transaction = this.voucher;
    if (transaction !== undefined && !this.blockOpened && this.depth === 0) {
      // Rows right after a #VER with no `{` line (e-conomic exports, which still close with `}`): read as this
      // voucher's rows rather than dropping a voucher that balances.
      this.openImplicitBlock(transaction, line);
    } else if (!transaction || !this.blockOpened || this.depth !== 1) {
      this.findings(
        "error",
        "SIE_TRANS_OUTSIDE_VOUCHER",
        "#TRANS outside a #VER block; the row is not part of any voucher and was skipped",
        at(line),
      );
      return;
    }
    // Account numbers, row texts and object ids recur: they come from the value cache (same text as line.string).
    const account = line.cachedString(0);
    if (account === undefined || account === "") {
      this.findings("error", "SIE_INCOMPLETE_RECORD", "#TRANS without an account number; row skipped", at(line), {
        transactionId: transaction.id,
      });
      return;
    }
    let amountIndex = 2;
    if (!line.isObjectList(1)) {
      // The object list is mandatory (SIE 4B #TRANS) but some writers leave it out: the amount follows directly.
      amountIndex = 1;
      if (!this.missingObjectListReported) {
        this.missingObjectListReported = true;
        this.findings(
          "warning",
          "SIE_OBJECT_LIST_MISSING",
          "#TRANS without an object list ({} when empty); the field after the account is read as the amount (reported once)",
          at(line),
          { transactionId: transaction.id },
        );
      }
    }
    const amount = line.amount(amountIndex);
    if (amount === undefined) {
      const raw = line.string(amountIndex);
      this.findings(
        "error",
        "SIE_INVALID_AMOUNT",
        raw !== undefined
          ? `#TRANS ${account} amount "${raw}" is not a SIE amount (SIE 4B §5.9); row skipped`
          : `#TRANS ${account} has no amount; row skipped`,
        fieldLocation(line, amountIndex),
        { account, transactionId: transaction.id },
      );
      return;
    }
    if (!isNumericAccount(account)) this.chart.checkAccountId(account, line, 0);
    const objectCount = line.objectListLength(1);
    const dimensions = objectCount > 0 ? this.dimensions(line, objectCount, transaction.id) : undefined;
    let date: string | undefined;
    let description: string | undefined;
    let quantity: string | undefined;
    if (line.fieldCount > amountIndex + 1) {
      const dateIndex = amountIndex + 1;
      // Most rows repeat the voucher date (or leave it empty): compare the digits before reading a date.
      if (!line.isEmpty(dateIndex) && line.eightDigits(dateIndex) !== this.voucherDateDigits) {
        const rowDate = this.dates.optional(line, dateIndex, "transaction date", transaction.id);
        if (rowDate !== undefined && rowDate !== transaction.date) date = rowDate;
      }
      if (!line.isEmpty(amountIndex + 2)) description = line.cachedString(amountIndex + 2);
      if (!line.isEmpty(amountIndex + 3)) quantity = line.cachedString(amountIndex + 3);
    }
    // The usual shapes are built in one literal (an object that grows property by property is slower to make);
    // the properties and their order are the same either way.
    let row: TransactionLine;
    if (date === undefined && quantity === undefined) {
      if (description === undefined)
        row = dimensions === undefined ? { account, amount } : { account, amount, dimensions };
      else
        row =
          dimensions === undefined ? { account, amount, description } : { account, amount, dimensions, description };
    } else {
      row = { account, amount };
      if (dimensions !== undefined) row.dimensions = dimensions;
      if (date !== undefined) row.date = date;
      if (description !== undefined) row.description = description;
      if (quantity !== undefined) row.quantity = quantity;
    }
    transaction.lines.push(row);
  }

  /** The vouchers whose rows came without a `{`, noted once (`SIE_VOUCHER_BLOCK_NOT_OPENED`). */
  reportImplicitBlocks(): void {
    const first = this.implicitBlockFirst;
    if (first === undefined) return;
    this.findings(
      "warning",
      "SIE_VOUCHER_BLOCK_NOT_OPENED",
      `${this.implicitBlocks} #VER record(s) have their #TRANS rows without the '{' line before them (SIE 4B §5.4; ` +
        `first: #VER ${first.id}); they were read as that voucher's rows, up to the '}' (or the next record that is not a row)`,
      first.location,
      { transactionId: first.id },
    );
    this.implicitBlockFirst = undefined;
  }

  /** The #RTRANS/#BTRANS rows, noted once (`SIE_AUDIT_TRAIL_IGNORED`). */
  reportAuditTrail(): void {
    const { rtrans, btrans } = this.auditTrailRows;
    if (rtrans + btrans > 0) {
      this.findings(
        "info",
        "SIE_AUDIT_TRAIL_IGNORED",
        `${rtrans} #RTRANS and ${btrans} #BTRANS rows (audit trail of changed vouchers) were not taken as voucher lines; ` +
          "only #TRANS rows count (SIE 4B #RTRANS/#BTRANS)",
        undefined,
      );
    }
  }

  /** Opens the block of `transaction` at its first #TRANS, as if the missing `{` stood before it. */
  private openImplicitBlock(transaction: Transaction, line: SieLine): void {
    this.blockOpened = true;
    this.implicitBlock = true;
    this.depth = 1;
    this.outermostBraceLine = line.line;
    this.implicitBlocks++;
    this.implicitBlockFirst ??= { id: transaction.id, location: transaction.location ?? at(line) };
  }

  /** `{dim obj dim obj …}` (`count` items) → dimensions (SIE 4B §8: dimension number, object number). */
  private dimensions(line: SieLine, count: number, transactionId: string): Dimension[] {
    // Dimension and object numbers recur from row to row: they come from the value cache.
    if (count === 2) return [{ type: line.cachedItem(1, 0), id: line.cachedItem(1, 1) }];
    const dimensions: Dimension[] = [];
    for (let i = 0; i + 1 < count; i += 2)
      dimensions.push({ type: line.cachedItem(1, i), id: line.cachedItem(1, i + 1) });
    if (count % 2 === 1) {
      this.findings(
        "warning",
        "SIE_INVALID_OBJECT_LIST",
        `object list has an odd number of items (dimension without object): "${line.cachedItem(1, count - 1)}" dropped`,
        fieldLocation(line, 1),
        { transactionId },
      );
    }
    return dimensions;
  }
}
