import type { ControlTotals, FileHeader, Issue, Severity, SourceLocation, Transaction } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import { AmountOutOfRangeError } from "../../money/errors.ts";
import { UnsupportedFormatError } from "../errors.ts";
import type { ImportRecord } from "../../ledger/records.ts";
import {
  MAX_INVALID_BYTES_REPORTED,
  type XmlAttribute,
  type XmlHandler,
  type XmlName,
  type XmlTokenizer,
} from "../xml/XmlTokenizer.ts";
import { isDigits } from "../shared/digits.ts";
import { SaftElement as E } from "./saftElements.ts";
import { parseSaftAmount, parseSaftDate, saftAmountOre } from "./parseSaftValues.ts";
import { SaftHeaderDraft } from "./SaftHeaderDraft.ts";
import { SaftLineDraft } from "./SaftLineDraft.ts";
import { SaftMasterFiles } from "./SaftMasterFiles.ts";
import { normalizeSaftVersionHint, SaftVersionEvidence, type SaftClueName } from "./SaftVersionEvidence.ts";

/** The namespace of every SAF-T Financial (NO) version, 1.00–1.40 (the targetNamespace of each version's XSD). */
export const SAFT_FINANCIAL_NAMESPACE = "urn:StandardAuditFile-Taxation-Financial:NO";
const CASH_REGISTER_NAMESPACE = "urn:StandardAuditFile-Taxation-CashRegister:NO";

// Where in the document an element sits. Children of an element are interpreted by the context of their parent.
const enum Ctx {
  Document,
  Root,
  Header,
  Company,
  Selection,
  Master,
  GlAccounts,
  Account,
  Customers,
  Suppliers,
  Party,
  BalanceAccount,
  Owners,
  Owner,
  Entries,
  Journal,
  Transaction,
  Line,
  LineAmount,
  Analysis,
  Tax,
  TaxAmount,
  Leaf,
  Skip,
}

/** A value quoted in a message: long ones (up to the tokenizer's value limit) are cut. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * `text.trim()`, without the call when both ends are printable ASCII (the usual value): trim() also removes
 * Unicode white space, so anything else goes through it.
 */
function trimmed(text: string): string {
  const length = text.length;
  if (length !== 0) {
    const first = text.charCodeAt(0);
    const last = text.charCodeAt(length - 1);
    if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) return text;
  }
  return text.trim();
}

/** Elements of free text (names, descriptions, addresses): cutting one changes no figure. */
const FREE_TEXT_ELEMENT = /(Name|Description|Text|Comment|Note|Reference|Street|City|Region|Website|Email|Address)/;

/**
 * Turns the tokenizer's events for a SAF-T Financial file into {@link ImportRecord}s (an {@link XmlHandler}).
 * Memory: the header, the current account/party, the current transaction and its lines; nothing else is kept.
 *
 * Header record timing: the header must come first, but the clues to the schema version come later
 * (AuditFileVersion is free text in the XSD). The header record is therefore held back (it is small) and emitted right before the first account, party,
 * control-totals or transaction record, with `formatVersion` decided from the header hint plus every clue seen up to
 * then (for a normal file, the first Account already tells 1.30 from 1.20 by GroupingCategory vs StandardAccountID).
 * When a later clue changes the decision (e.g. DebitNOKTaxAmount in a line makes it 1.40), an info issue
 * `SAFT_VERSION_DETECTED` at the end names the final version and the evidence.
 */
export class SaftRecordBuilder implements XmlHandler {
  /** Records ready to be yielded, in order. The caller drains this after each chunk. */
  readonly out: ImportRecord[] = [];

  private tokenizer!: XmlTokenizer;
  private readonly fileName: string | undefined;
  private readonly declaredEncodingOverride: string | undefined;

  private ctx: Ctx[] = [Ctx.Document];
  private readonly evidence = new SaftVersionEvidence();

  private readonly headerDraft = new SaftHeaderDraft();
  private headerSeen = false;
  private selectionSeen = false;
  /** Earliest and latest TransactionDate (valid dates only): the period of a file without SelectionCriteria. */
  private firstTransactionDate: string | undefined;
  private lastTransactionDate: string | undefined;
  private header: FileHeader | undefined;
  private pendingIssues: Issue[] = [];

  private readonly masterFiles: SaftMasterFiles;
  private ownerAccounts = 0;

  private control: ControlTotals | undefined;
  private controlEmitted = false;

  private journalId: string | undefined;
  private transaction: Transaction | undefined;
  private transactionIdSeen = false;
  private periodNumber: string | undefined;
  private periodYear: string | undefined;

  /** The line being read: one draft for every line of the file (reset at each <Line>). */
  private readonly line = new SaftLineDraft();
  private lastDate = "";

  constructor(options: { fileName?: string; encodingOverride?: string } = {}) {
    this.fileName = options.fileName;
    this.declaredEncodingOverride = options.encodingOverride;
    this.masterFiles = new SaftMasterFiles({
      amount: (text, field, account) => this.amount(text, field, account),
      problem: (severity, code, message, location, account) =>
        this.issue(severity, code, message, { location, account }),
      emit: (record) => this.emit(record),
      clue: (name) => this.clue(name),
      see: (name, location) => this.evidence.see(name, location),
    });
  }

  /** Connects the tokenizer (for locations and the encoding); call before the first write. */
  attach(tokenizer: XmlTokenizer): void {
    this.tokenizer = tokenizer;
  }

  // ---- XmlHandler ---------------------------------------------------------------------------------------------

  startElement(name: XmlName, attributes: readonly XmlAttribute[] | undefined): boolean {
    const ctx = this.ctx;
    const parent = ctx[ctx.length - 1]!;
    const code = name.code;
    let next = Ctx.Skip;
    switch (parent) {
      case Ctx.Transaction:
        if (code === E.Line) {
          next = Ctx.Line;
          this.startLine();
        } else if (
          code === E.TransactionID ||
          code === E.Period ||
          code === E.PeriodYear ||
          code === E.TransactionDate ||
          code === E.Description ||
          code === E.SystemEntryDate
        ) {
          next = Ctx.Leaf;
        } else if (code === E.VoucherType) {
          next = Ctx.Leaf;
          this.clue("voucherType");
        } else if (code === E.VoucherDescription) this.clue("voucherDescription");
        else if (code === E.ModificationDate) this.clue("modificationDate");
        break;
      case Ctx.Line:
        switch (code) {
          case E.RecordID:
          case E.AccountID:
          case E.ValueDate:
          case E.CustomerID:
          case E.SupplierID:
          case E.Description:
          case E.Quantity:
            next = Ctx.Leaf;
            break;
          case E.DebitAmount:
          case E.CreditAmount:
            next = Ctx.LineAmount;
            this.line.amountSide = code === E.DebitAmount ? "debit" : "credit";
            break;
          case E.Analysis:
            next = Ctx.Analysis;
            this.line.analysisType = undefined;
            this.line.analysisId = undefined;
            break;
          case E.TaxInformation:
            next = Ctx.Tax;
            break;
        }
        break;
      case Ctx.LineAmount:
        if (code === E.Amount || code === E.CurrencyCode || code === E.CurrencyAmount || code === E.ExchangeRate)
          next = Ctx.Leaf;
        else if (code === E.Country) this.clue("amountCountry");
        break;
      case Ctx.Analysis:
        if (code === E.AnalysisType || code === E.AnalysisID) next = Ctx.Leaf;
        else if (code === E.DebitAnalysisAmount || code === E.CreditAnalysisAmount) this.clue("analysisDebitCredit");
        else if (code === E.AnalysisAmount) this.clue("analysisAmount");
        break;
      case Ctx.Tax:
        if (code === E.TaxCode) next = Ctx.Leaf;
        else if (code === E.DebitTaxAmount || code === E.CreditTaxAmount) {
          next = Ctx.TaxAmount;
          this.clue("taxDebitCredit");
        } else if (code === E.DebitNOKTaxAmount || code === E.CreditNOKTaxAmount) this.clue("nokTaxAmount");
        else if (code === E.TaxAmount) this.clue("taxAmount");
        else if (code === E.Country) this.clue("taxCountry");
        break;
      case Ctx.TaxAmount:
        if (code === E.Country) this.clue("amountCountry");
        break;
      case Ctx.Journal:
        if (code === E.Transaction) {
          next = Ctx.Transaction;
          this.startTransaction();
        } else if (code === E.JournalID || code === E.Type) next = Ctx.Leaf;
        break;
      case Ctx.Entries:
        if (code === E.Journal) {
          next = Ctx.Journal;
          this.journalId = undefined;
          this.emitControlTotals();
        } else if (code === E.NumberOfEntries || code === E.TotalDebit || code === E.TotalCredit) next = Ctx.Leaf;
        break;
      case Ctx.Account:
        switch (code) {
          case E.AccountID:
          case E.AccountDescription:
          case E.StandardAccountID:
          case E.GroupingCategory:
          case E.GroupingCode:
          case E.AccountType:
          case E.OpeningDebitBalance:
          case E.OpeningCreditBalance:
          case E.ClosingDebitBalance:
          case E.ClosingCreditBalance:
            next = Ctx.Leaf;
        }
        break;
      case Ctx.GlAccounts:
        if (code === E.Account) {
          next = Ctx.Account;
          this.masterFiles.startAccount(this.tokenizer.location());
        }
        break;
      case Ctx.Party:
        switch (code) {
          case E.CustomerID:
          case E.SupplierID:
          case E.Name:
          case E.RegistrationNumber:
            next = Ctx.Leaf;
            break;
          case E.AccountID:
          case E.OpeningDebitBalance:
          case E.OpeningCreditBalance:
          case E.ClosingDebitBalance:
          case E.ClosingCreditBalance:
            next = Ctx.Leaf;
            this.clue("partyAccount");
            break;
          case E.BalanceAccount:
            next = Ctx.BalanceAccount;
            this.clue("balanceAccount");
            this.masterFiles.startBalanceAccount();
            break;
        }
        break;
      case Ctx.BalanceAccount:
        if (
          code === E.AccountID ||
          code === E.OpeningDebitBalance ||
          code === E.OpeningCreditBalance ||
          code === E.ClosingDebitBalance ||
          code === E.ClosingCreditBalance
        ) {
          next = Ctx.Leaf;
        }
        break;
      case Ctx.Customers:
      case Ctx.Suppliers:
        if ((parent === Ctx.Customers && code === E.Customer) || (parent === Ctx.Suppliers && code === E.Supplier)) {
          next = Ctx.Party;
          this.masterFiles.startParty(parent === Ctx.Customers ? "customer" : "supplier", this.tokenizer.location());
        }
        break;
      case Ctx.Owners:
        if (code === E.Owner) {
          next = Ctx.Owner;
          this.ownerAccounts = 0;
        }
        break;
      case Ctx.Owner:
        if (code === E.AccountID && ++this.ownerAccounts > 1) this.clue("ownerAccounts");
        break;
      case Ctx.Master:
        if (code === E.GeneralLedgerAccounts) next = Ctx.GlAccounts;
        else if (code === E.Customers) next = Ctx.Customers;
        else if (code === E.Suppliers) next = Ctx.Suppliers;
        else if (code === E.Owners) next = Ctx.Owners;
        break;
      case Ctx.Header:
        switch (code) {
          case E.AuditFileVersion:
          case E.AuditFileDateCreated:
          case E.SoftwareCompanyName:
          case E.SoftwareID:
          case E.SoftwareVersion:
          case E.DefaultCurrencyCode:
            next = Ctx.Leaf;
            break;
          case E.Company:
            next = Ctx.Company;
            break;
          case E.SelectionCriteria:
            next = Ctx.Selection;
            this.selectionSeen = true;
            break;
        }
        break;
      case Ctx.Company:
        if (code === E.RegistrationNumber || code === E.Name) next = Ctx.Leaf;
        break;
      case Ctx.Selection:
        if (code >= E.SelectionStartDate && code <= E.PeriodEndYear) next = Ctx.Leaf;
        break;
      case Ctx.Root:
        if (code === E.Header) {
          next = Ctx.Header;
          this.headerSeen = true;
        } else if (code === E.MasterFiles) next = Ctx.Master;
        else if (code === E.GeneralLedgerEntries) {
          next = Ctx.Entries;
          this.control = { location: this.tokenizer.location() };
          this.controlEmitted = false;
        }
        break;
      case Ctx.Document:
        this.startRoot(name, attributes);
        next = Ctx.Root;
        break;
    }
    ctx.push(next);
    return next === Ctx.Leaf;
  }

  endElement(name: XmlName, text: string | undefined): void {
    const ctx = this.ctx;
    const closing = ctx.pop()!;
    const parent = ctx[ctx.length - 1]!;
    switch (closing) {
      case Ctx.Leaf:
        this.leaf(parent, name.code, text === undefined ? "" : trimmed(text));
        break;
      case Ctx.Line:
        this.finishLine();
        break;
      case Ctx.Analysis:
        this.line.endAnalysis();
        break;
      case Ctx.Transaction:
        this.finishTransaction();
        break;
      case Ctx.Account:
        this.masterFiles.finishAccount();
        break;
      case Ctx.BalanceAccount:
        this.masterFiles.finishBalanceAccount();
        break;
      case Ctx.Party:
        this.masterFiles.finishParty();
        break;
      case Ctx.Entries:
        this.emitControlTotals();
        break;
      case Ctx.Root:
        this.finishDocument();
        break;
    }
  }

  valueTooLong(name: XmlName, location: SourceLocation, bytes: number): void {
    // A cut name or description changes no figure (a warning); a cut identifier, code or amount would (an error,
    // which holds the import at the activation gate).
    const severity = FREE_TEXT_ELEMENT.test(name.local) ? "warning" : "error";
    this.issue(
      severity,
      "SAFT_VALUE_TOO_LONG",
      `<${name.qualified}> holds ${bytes} bytes of text; only its first ${this.tokenizer.maxValueLength} characters were kept`,
      {
        location,
        transactionId: this.transaction?.id,
      },
    );
  }

  invalidBytes(location: SourceLocation): void {
    this.issue(
      "warning",
      "SAFT_INVALID_BYTES",
      "bytes that are not UTF-8 were read as \uFFFD (the replacement character) in this value",
      { location, transactionId: this.transaction?.id },
    );
  }

  encodingCorrected(declared: string, used: string, location: SourceLocation): void {
    this.issue(
      "warning",
      "SAFT_ENCODING_MISMATCH",
      `the file says ${declared} but its bytes are ${used === "utf-8" ? "UTF-8" : "ISO-8859-1 / windows-1252"}; read as ${used} from the first such text on`,
      { location },
    );
    if (this.header) this.out.push({ type: "headerUpdate", changes: { encoding: used } });
  }

  doctype(location: SourceLocation): void {
    this.issue(
      "warning",
      "SAFT_DOCTYPE_IGNORED",
      "the file has a <!DOCTYPE> declaration; it was ignored (no DTD is loaded)",
      { location },
    );
  }

  // ---- leaves -------------------------------------------------------------------------------------------------

  private leaf(parent: Ctx, code: number, text: string): void {
    switch (parent) {
      case Ctx.Line:
        this.line.leaf(code, text, this.readDate);
        return;
      case Ctx.LineAmount: {
        const line = this.line;
        if (code !== E.Amount) {
          line.amountLeaf(code, text);
          return;
        }
        if (line.hasOtherSide()) {
          this.issue(
            "warning",
            "SAFT_LINE_DEBIT_AND_CREDIT",
            "the line has both DebitAmount and CreditAmount; the net of both is used",
            {
              location: this.tokenizer.textLocation(),
              account: line.account,
              transactionId: this.transaction?.id,
            },
          );
        }
        line.amountSeen = true;
        const ore = saftAmountOre(text);
        if (!Number.isNaN(ore)) {
          line.addAmount(ore);
          return;
        }
        const amount = this.amount(
          text,
          line.amountSide === "debit" ? "DebitAmount/Amount" : "CreditAmount/Amount",
          line.account,
        );
        if (amount === undefined) line.amountInvalid = true;
        else line.addAmount(amount);
        return;
      }
      case Ctx.Analysis:
        this.line.analysisLeaf(code, text);
        return;
      case Ctx.Tax:
        // TaxInformation is 0..n; the first TaxCode is the line's tax code.
        this.line.taxCode ??= text;
        return;
      case Ctx.Transaction: {
        const transaction = this.transaction!;
        switch (code) {
          case E.TransactionID:
            transaction.id = text;
            this.transactionIdSeen = true;
            return;
          case E.Period:
            this.periodNumber = text;
            return;
          case E.PeriodYear:
            this.periodYear = text;
            return;
          case E.TransactionDate: {
            const date = this.date(text, "TransactionDate");
            transaction.date = date ?? text;
            if (date !== undefined && !this.selectionSeen) {
              if (this.firstTransactionDate === undefined || date < this.firstTransactionDate)
                this.firstTransactionDate = date;
              if (this.lastTransactionDate === undefined || date > this.lastTransactionDate)
                this.lastTransactionDate = date;
            }
            return;
          }
          case E.Description:
            transaction.description = text;
            return;
          case E.VoucherType:
            transaction.voucherType = text;
            return;
          case E.SystemEntryDate:
            transaction.entryDate = this.date(text, "SystemEntryDate") ?? text;
            return;
        }
        return;
      }
      case Ctx.Journal:
        if (code === E.JournalID) this.journalId = text;
        if (text !== "A") this.clue("journalNotA");
        return;
      case Ctx.Account:
        this.masterFiles.accountLeaf(code, text);
        return;
      case Ctx.Party:
        this.masterFiles.partyLeaf(code, text);
        return;
      case Ctx.BalanceAccount:
        this.masterFiles.balanceAccountLeaf(code, text);
        return;
      case Ctx.Entries: {
        const control = this.control!;
        if (code === E.NumberOfEntries) {
          if (/^\d{1,15}$/.test(text)) control.numberOfEntries = Number(text);
          else
            this.issue("error", "SAFT_INVALID_NUMBER", `NumberOfEntries "${text}" is not a whole number`, {
              location: this.tokenizer.textLocation(),
            });
        } else if (code === E.TotalDebit) control.totalDebit = this.amount(text, "TotalDebit");
        else control.totalCredit = this.amount(text, "TotalCredit");
        return;
      }
      case Ctx.Header:
        this.headerDraft.headerLeaf(code, text, this.readDate);
        return;
      case Ctx.Company:
        this.headerDraft.companyLeaf(code, text);
        return;
      case Ctx.Selection:
        this.headerDraft.selectionLeaf(code, text, this.readDate);
        return;
    }
  }

  /** Parses a SAFmonetaryType amount (xs:decimal, ≤ 2 fraction digits) to øre; an issue and `undefined` when it cannot. */
  private amount(text: string, field: string, account?: string): Ore | undefined {
    try {
      return parseSaftAmount(text);
    } catch (error) {
      const context = { location: this.tokenizer.textLocation(), account, transactionId: this.transaction?.id };
      if (error instanceof AmountOutOfRangeError) {
        this.issue(
          "error",
          "SAFT_AMOUNT_OUT_OF_RANGE",
          `${field} is beyond any ledger (${error.message}); left out`,
          context,
        );
        return undefined;
      }
      const tooPrecise = /^[+-]?\d*\.\d{3,}$/.test(text);
      this.issue(
        "error",
        tooPrecise ? "SAFT_AMOUNT_TOO_PRECISE" : "SAFT_INVALID_AMOUNT",
        tooPrecise
          ? `${field} "${text}" has more than two decimals (SAFmonetaryType allows two); not exact to the øre, left out`
          : `${field} "${clip(text)}" is not a decimal amount; left out`,
        context,
      );
      return undefined;
    }
  }

  /** {@link date} as a function the section drafts call. */
  private readonly readDate = (text: string, field: string): string | undefined => this.date(text, field);

  /** Normalises an xs:date (a time zone or a time part is dropped); an issue and `undefined` for other formats. */
  private date(text: string, field: string): string | undefined {
    // The same date repeats on a transaction and its lines (TransactionDate, SystemEntryDate, ValueDate).
    if (text === this.lastDate) return text;
    const date = parseSaftDate(text);
    if (date !== undefined) {
      if (date === text) this.lastDate = text;
      return date;
    }
    this.issue(
      "warning",
      "SAFT_INVALID_DATE",
      `${field} "${text}" is not a date in the form YYYY-MM-DD; kept as written`,
      {
        location: this.tokenizer.textLocation(),
        transactionId: this.transaction?.id,
      },
    );
    return undefined;
  }

  private clue(name: SaftClueName): void {
    if (!this.evidence.has(name)) this.evidence.see(name, this.tokenizer.location());
  }

  // ---- records ------------------------------------------------------------------------------------------------

  private startRoot(name: XmlName, attributes: readonly XmlAttribute[] | undefined): void {
    const declaration = name.prefix ? `xmlns:${name.prefix}` : "xmlns";
    const namespace = attributes?.find((attribute) => attribute.name === declaration)?.value;
    const location = this.tokenizer.location();
    if (
      name.local.toLowerCase() === "auditfile" &&
      (namespace === CASH_REGISTER_NAMESPACE || /CashRegister/i.test(namespace ?? ""))
    ) {
      throw new UnsupportedFormatError(
        `this is a SAF-T Cash Register file (namespace ${namespace}), not SAF-T Financial; saldo imports SAF-T Financial`,
        {
          fileName: this.fileName,
          location,
          expected: `<AuditFile xmlns="${SAFT_FINANCIAL_NAMESPACE}">`,
        },
      );
    }
    if (name.local !== "AuditFile") {
      throw new UnsupportedFormatError(`the root element is <${name.qualified}>, not a SAF-T Financial <AuditFile>`, {
        fileName: this.fileName,
        location,
        expected: "<AuditFile>",
      });
    }
    if (namespace === SAFT_FINANCIAL_NAMESPACE) return;
    if (namespace === undefined || namespace === "") {
      const declared = attributes
        ?.filter((attribute) => attribute.name.startsWith("xmlns:") && attribute.value === SAFT_FINANCIAL_NAMESPACE)
        .map((attribute) => attribute.name.slice(6));
      this.issue(
        "warning",
        "SAFT_NAMESPACE_MISSING",
        `<${name.qualified}> is in no namespace${declared?.length ? ` (the file declares the prefix ${declared.join(", ")}: but does not use it)` : ""}; read by element names, expected ${SAFT_FINANCIAL_NAMESPACE}`,
        { location },
      );
      return;
    }
    if (/StandardAuditFile-Taxation-Financial/i.test(namespace)) {
      this.issue(
        "warning",
        "SAFT_NAMESPACE_UNEXPECTED",
        `the namespace "${namespace}" differs from ${SAFT_FINANCIAL_NAMESPACE}; read by element names`,
        { location },
      );
      return;
    }
    throw new UnsupportedFormatError(`<AuditFile> in namespace "${namespace}" is not SAF-T Financial (Norway)`, {
      fileName: this.fileName,
      location,
      expected: SAFT_FINANCIAL_NAMESPACE,
    });
  }

  private emitControlTotals(): void {
    if (this.controlEmitted || !this.control) return;
    this.controlEmitted = true;
    this.emit({ type: "controlTotals", controlTotals: this.control });
  }

  private startTransaction(): void {
    const transaction: Transaction = { id: "", date: "", lines: [], location: this.tokenizer.location() };
    if (this.journalId !== undefined) transaction.journal = this.journalId;
    this.transaction = transaction;
    this.transactionIdSeen = false;
    this.periodNumber = undefined;
    this.periodYear = undefined;
  }

  private finishTransaction(): void {
    const transaction = this.transaction!;
    const location = transaction.location;
    if (!this.transactionIdSeen || transaction.id === "") {
      this.issue("warning", "SAFT_TRANSACTION_MISSING_ID", "a Transaction without TransactionID", { location });
    }
    if (transaction.date === "")
      this.issue("warning", "SAFT_TRANSACTION_MISSING_DATE", `transaction ${transaction.id} has no TransactionDate`, {
        location,
        transactionId: transaction.id,
      });
    if (this.periodNumber !== undefined || this.periodYear !== undefined) {
      const number = this.periodNumber ?? "";
      const year = this.periodYear ?? "";
      // /^\d{1,3}$/ and /^\d{4}$/, without a regular expression on every transaction.
      if (number.length >= 1 && number.length <= 3 && isDigits(number) && year.length === 4 && isDigits(year)) {
        transaction.period = { year: Number(year), number: Number(number) };
      } else {
        this.issue(
          "warning",
          "SAFT_INVALID_PERIOD",
          `transaction ${transaction.id}: Period "${this.periodNumber ?? ""}" / PeriodYear "${this.periodYear ?? ""}" are not numbers`,
          {
            location,
            transactionId: transaction.id,
          },
        );
      }
    }
    this.transaction = undefined;
    this.emit({ type: "transaction", transaction });
  }

  private startLine(): void {
    const tokenizer = this.tokenizer;
    this.line.start(tokenizer.tokenLine, tokenizer.tokenColumn, tokenizer.tokenOffset);
  }

  private finishLine(): void {
    const transaction = this.transaction!;
    const line = this.line;
    const account = line.account;
    if (!account) {
      this.issue(
        "error",
        "SAFT_LINE_MISSING_ACCOUNT",
        `a line of transaction ${transaction.id || "(no id)"} has no AccountID; the line was left out`,
        {
          location: line.location(),
          transactionId: transaction.id,
          ...(line.debit !== undefined || line.credit !== undefined ? { amount: line.net() } : {}),
        },
      );
      return;
    }
    if (line.amountInvalid) return; // already reported by amount()
    const amount = line.net();
    if (amount === undefined) {
      this.issue(
        "error",
        "SAFT_LINE_MISSING_AMOUNT",
        `a line of transaction ${transaction.id || "(no id)"} on account ${account} has neither DebitAmount nor CreditAmount; the line was left out`,
        {
          location: line.location(),
          account,
          transactionId: transaction.id,
        },
      );
      return;
    }
    transaction.lines.push(line.toLine(account, amount));
  }

  private finishDocument(): void {
    this.emitHeader();
    const invalid = this.tokenizer.invalidByteSequences;
    if (invalid > MAX_INVALID_BYTES_REPORTED) {
      this.issue(
        "warning",
        "SAFT_INVALID_BYTES",
        `${invalid - MAX_INVALID_BYTES_REPORTED} more byte sequences that are not UTF-8 were read as \uFFFD (${invalid} in all; the first ${MAX_INVALID_BYTES_REPORTED} are listed)`,
        {},
      );
    }
    if (this.headerSeen && !this.selectionSeen) {
      // SelectionCriteria is mandatory (SAF-T Financial NO XSD, Header); without it the file does not say its period.
      const first = this.firstTransactionDate;
      const last = this.lastTransactionDate;
      if (first !== undefined && last !== undefined) {
        this.out.push({ type: "headerUpdate", changes: { period: { start: first, end: last } } });
        this.header = { ...this.header!, period: { start: first, end: last } };
      }
      this.issue(
        "warning",
        "SAFT_SELECTION_CRITERIA_MISSING",
        first !== undefined && last !== undefined
          ? `the header has no SelectionCriteria, so the file does not state its period; the period ${first} – ${last} is taken from the transactions' dates`
          : "the header has no SelectionCriteria, so the file does not state its period, and it has no dated transactions to take one from",
        {},
      );
    }
    const final = this.evidence.decide(this.headerDraft.version, this.header!.period?.start);
    const emitted = this.header!.formatVersion;
    if (final !== emitted) {
      this.out.push({ type: "headerUpdate", changes: { formatVersion: final } });
      this.issue(
        "info",
        "SAFT_VERSION_DETECTED",
        `the file is SAF-T Financial ${final} (${this.evidence.describe(final)}); the header record said ${emitted} because this evidence came after the first records`,
        {
          location: this.evidence.firstLocation(final),
        },
      );
    }
    const hint = this.headerDraft.version;
    if (hint !== undefined && normalizeSaftVersionHint(hint) !== final) {
      this.issue(
        "info",
        "SAFT_VERSION_HINT_MISMATCH",
        `Header/AuditFileVersion says "${hint}" but the structure is SAF-T Financial ${final}; the structure was used (AuditFileVersion is free text, so the structure decides)`,
        {},
      );
    }
  }

  // ---- header and output ----------------------------------------------------------------------------------------

  private emitHeader(): void {
    if (this.header) return;
    const draft = this.headerDraft;
    const tokenizer = this.tokenizer;
    const period = draft.period((message) =>
      this.pendingIssues.push(this.makeIssue("warning", "SAFT_INVALID_PERIOD", message, {})),
    );
    const header = draft.build(this.evidence.decide(draft.version, period?.start), tokenizer.encoding, period);
    this.header = header;
    this.out.push({ type: "header", header });
    if (!this.headerSeen)
      this.pendingIssues.unshift(
        this.makeIssue(
          "error",
          "SAFT_HEADER_MISSING",
          "the file has no <Header>: company, period and currency are unknown",
          {},
        ),
      );
    else if (draft.currency === undefined)
      this.pendingIssues.unshift(
        this.makeIssue("warning", "SAFT_CURRENCY_MISSING", "Header/DefaultCurrencyCode is missing", {}),
      );
    if (
      this.declaredEncodingOverride !== undefined &&
      tokenizer.declaredEncoding !== undefined &&
      tokenizer.declaredEncoding.toLowerCase() !== this.declaredEncodingOverride.toLowerCase()
    ) {
      this.pendingIssues.unshift(
        this.makeIssue(
          "info",
          "SAFT_ENCODING_OVERRIDE",
          `read as ${tokenizer.encoding} as asked, although the XML declaration says ${tokenizer.declaredEncoding}`,
          {},
        ),
      );
    }
    for (const issue of this.pendingIssues) this.out.push({ type: "issue", issue });
    this.pendingIssues = [];
  }

  private emit(record: ImportRecord): void {
    if (!this.header) this.emitHeader();
    this.out.push(record);
  }

  private makeIssue(
    severity: Severity,
    code: string,
    message: string,
    context: {
      location?: SourceLocation | undefined;
      account?: string | undefined;
      transactionId?: string | undefined;
      amount?: Ore | undefined;
    },
  ): Issue {
    const issue: Issue = { severity, code, message };
    if (context.account !== undefined) issue.account = context.account;
    if (context.amount !== undefined) issue.amount = context.amount;
    if (context.transactionId !== undefined && context.transactionId !== "")
      issue.transactionId = context.transactionId;
    if (context.location !== undefined) issue.location = context.location;
    return issue;
  }

  private issue(
    severity: Severity,
    code: string,
    message: string,
    context: Parameters<SaftRecordBuilder["makeIssue"]>[3],
  ): void {
    const issue = this.makeIssue(severity, code, message, context);
    if (this.header) this.out.push({ type: "issue", issue });
    else this.pendingIssues.push(issue);
  }
}
