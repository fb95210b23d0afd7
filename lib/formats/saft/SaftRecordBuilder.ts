import type { Account, ControlTotals, Dimension, FileHeader, Issue, Party, PartyBalance, Severity, SourceLocation, Transaction, TransactionLine } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import { AmountOutOfRangeError } from "../../money/errors.ts";
import { UnsupportedFormatError } from "../errors.ts";
import type { ImportRecord } from "../../ledger/records.ts";
import { MAX_INVALID_BYTES_REPORTED, type XmlAttribute, type XmlHandler, type XmlName, type XmlTokenizer } from "../xml/XmlTokenizer.ts";
import { SaftElement as E } from "./saftElements.ts";
import { parseSaftAmount, parseSaftDate } from "./parseSaftValues.ts";
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

interface HeaderFields {
  version?: string;
  created?: string;
  softwareCompany?: string;
  softwareId?: string;
  softwareVersion?: string;
  orgNumber?: string;
  companyName?: string;
  currency?: string;
  selectionStart?: string;
  selectionEnd?: string;
  periodStart?: string;
  periodStartYear?: string;
  periodEnd?: string;
  periodEndYear?: string;
}

interface BalanceFields {
  openingDebit?: Ore;
  openingCredit?: Ore;
  closingDebit?: Ore;
  closingCredit?: Ore;
  /** A balance was present but unreadable (an issue was reported; do not also report it missing). */
  invalid: boolean;
}

interface AccountFields extends BalanceFields {
  id?: string;
  name?: string;
  standardAccountId?: string;
  groupingCategory?: string;
  groupingCode?: string;
  accountType?: string;
  location: SourceLocation;
}

interface PartyFields extends BalanceFields {
  kind: "customer" | "supplier";
  id?: string;
  name?: string;
  orgNumber?: string;
  account?: string;
  balances: PartyBalance[];
  location: SourceLocation;
}

interface BalanceAccountFields extends BalanceFields {
  account?: string;
}

/** A value quoted in a message: long ones (up to the tokenizer's value limit) are cut. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function net(debit: Ore | undefined, credit: Ore | undefined): Ore | undefined {
  if (debit === undefined && credit === undefined) return undefined;
  return (debit ?? 0n) - (credit ?? 0n);
}

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
/** Elements of free text (names, descriptions, addresses): cutting one changes no figure. */
const FREE_TEXT_ELEMENT = /(Name|Description|Text|Comment|Note|Reference|Street|City|Region|Website|Email|Address)/;

export class SaftRecordBuilder implements XmlHandler {
  /** Records ready to be yielded, in order. The caller drains this after each chunk. */
  readonly out: ImportRecord[] = [];

  private tokenizer!: XmlTokenizer;
  private readonly fileName: string | undefined;
  private readonly declaredEncodingOverride: string | undefined;

  private ctx: Ctx[] = [Ctx.Document];
  private readonly evidence = new SaftVersionEvidence();

  private headerFields: HeaderFields = {};
  private headerSeen = false;
  private selectionSeen = false;
  /** Earliest and latest TransactionDate (valid dates only): the period of a file without SelectionCriteria. */
  private firstTransactionDate: string | undefined;
  private lastTransactionDate: string | undefined;
  private header: FileHeader | undefined;
  private pendingIssues: Issue[] = [];

  private account: AccountFields | undefined;
  private party: PartyFields | undefined;
  private balanceAccount: BalanceAccountFields | undefined;
  private ownerAccounts = 0;

  private control: ControlTotals | undefined;
  private controlEmitted = false;

  private journalId: string | undefined;
  private transaction: Transaction | undefined;
  private transactionIdSeen = false;
  private periodNumber: string | undefined;
  private periodYear: string | undefined;

  // Current line, kept in fields (one object per line is built at </Line>).
  private lineLine = 0;
  private lineColumn = 0;
  private lineOffset = 0;
  private lineRecordId: string | undefined;
  private lineAccount: string | undefined;
  private lineDebit: Ore | undefined;
  private lineCredit: Ore | undefined;
  private lineAmountInvalid = false;
  private lineAmountSide: "debit" | "credit" = "debit";
  private lineAmountSeen = false;
  private lineCurrencyCode: string | undefined;
  private lineCurrencyAmount: string | undefined;
  private lineExchangeRate: string | undefined;
  private lineTaxCode: string | undefined;
  private lineCustomerId: string | undefined;
  private lineSupplierId: string | undefined;
  private lineDimensions: Dimension[] | undefined;
  private lineDate: string | undefined;
  private lineDescription: string | undefined;
  private lineQuantity: string | undefined;
  private analysisType: string | undefined;
  private analysisId: string | undefined;
  private lastDate = "";

  constructor(options: { fileName?: string; encodingOverride?: string } = {}) {
    this.fileName = options.fileName;
    this.declaredEncodingOverride = options.encodingOverride;
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
        } else if (code === E.TransactionID || code === E.Period || code === E.PeriodYear || code === E.TransactionDate || code === E.Description || code === E.SystemEntryDate) {
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
            this.lineAmountSide = code === E.DebitAmount ? "debit" : "credit";
            break;
          case E.Analysis:
            next = Ctx.Analysis;
            this.analysisType = undefined;
            this.analysisId = undefined;
            break;
          case E.TaxInformation:
            next = Ctx.Tax;
            break;
        }
        break;
      case Ctx.LineAmount:
        if (code === E.Amount || code === E.CurrencyCode || code === E.CurrencyAmount || code === E.ExchangeRate) next = Ctx.Leaf;
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
          this.account = { invalid: false, location: this.tokenizer.location() };
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
            this.balanceAccount = { invalid: false };
            break;
        }
        break;
      case Ctx.BalanceAccount:
        if (code === E.AccountID || code === E.OpeningDebitBalance || code === E.OpeningCreditBalance || code === E.ClosingDebitBalance || code === E.ClosingCreditBalance) {
          next = Ctx.Leaf;
        }
        break;
      case Ctx.Customers:
      case Ctx.Suppliers:
        if ((parent === Ctx.Customers && code === E.Customer) || (parent === Ctx.Suppliers && code === E.Supplier)) {
          next = Ctx.Party;
          this.party = { kind: parent === Ctx.Customers ? "customer" : "supplier", balances: [], invalid: false, location: this.tokenizer.location() };
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
        this.leaf(parent, name.code, text === undefined ? "" : text.trim());
        break;
      case Ctx.Line:
        this.finishLine();
        break;
      case Ctx.Analysis:
        if (this.analysisType !== undefined || this.analysisId !== undefined) {
          (this.lineDimensions ??= []).push({ type: this.analysisType ?? "", id: this.analysisId ?? "" });
        }
        break;
      case Ctx.Transaction:
        this.finishTransaction();
        break;
      case Ctx.Account:
        this.finishAccount();
        break;
      case Ctx.BalanceAccount:
        this.finishBalanceAccount();
        break;
      case Ctx.Party:
        this.finishParty();
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
    this.issue(severity, "SAFT_VALUE_TOO_LONG", `<${name.qualified}> holds ${bytes} bytes of text; only its first ${this.tokenizer.maxValueLength} characters were kept`, {
      location,
      transactionId: this.transaction?.id,
    });
  }

  invalidBytes(location: SourceLocation): void {
    this.issue("warning", "SAFT_INVALID_BYTES", "bytes that are not UTF-8 were read as \uFFFD (the replacement character) in this value", { location, transactionId: this.transaction?.id });
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
    this.issue("warning", "SAFT_DOCTYPE_IGNORED", "the file has a <!DOCTYPE> declaration; it was ignored (no DTD is loaded)", { location });
  }

  // ---- leaves -------------------------------------------------------------------------------------------------

  private leaf(parent: Ctx, code: number, text: string): void {
    switch (parent) {
      case Ctx.Line:
        switch (code) {
          case E.AccountID:
            this.lineAccount = text;
            return;
          case E.RecordID:
            this.lineRecordId = text;
            return;
          case E.Description:
            this.lineDescription = text;
            return;
          case E.ValueDate:
            this.lineDate = this.date(text, "ValueDate");
            return;
          case E.CustomerID:
            this.lineCustomerId = text;
            return;
          case E.SupplierID:
            this.lineSupplierId = text;
            return;
          case E.Quantity:
            this.lineQuantity = text;
            return;
        }
        return;
      case Ctx.LineAmount:
        switch (code) {
          case E.Amount: {
            if (this.lineAmountSeen && ((this.lineAmountSide === "debit" && this.lineCredit !== undefined) || (this.lineAmountSide === "credit" && this.lineDebit !== undefined))) {
              this.issue("warning", "SAFT_LINE_DEBIT_AND_CREDIT", "the line has both DebitAmount and CreditAmount; the net of both is used", {
                location: this.tokenizer.textLocation(),
                account: this.lineAccount,
                transactionId: this.transaction?.id,
              });
            }
            this.lineAmountSeen = true;
            const amount = this.amount(text, this.lineAmountSide === "debit" ? "DebitAmount/Amount" : "CreditAmount/Amount", this.lineAccount);
            if (amount === undefined) this.lineAmountInvalid = true;
            else if (this.lineAmountSide === "debit") this.lineDebit = (this.lineDebit ?? 0n) + amount;
            else this.lineCredit = (this.lineCredit ?? 0n) + amount;
            return;
          }
          case E.CurrencyCode:
            this.lineCurrencyCode = text;
            return;
          case E.CurrencyAmount:
            this.lineCurrencyAmount = text;
            return;
          case E.ExchangeRate:
            this.lineExchangeRate = text;
            return;
        }
        return;
      case Ctx.Analysis:
        if (code === E.AnalysisType) this.analysisType = text;
        else this.analysisId = text;
        return;
      case Ctx.Tax:
        // TaxInformation is 0..n; the first TaxCode is the line's tax code.
        this.lineTaxCode ??= text;
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
              if (this.firstTransactionDate === undefined || date < this.firstTransactionDate) this.firstTransactionDate = date;
              if (this.lastTransactionDate === undefined || date > this.lastTransactionDate) this.lastTransactionDate = date;
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
      case Ctx.Account: {
        const account = this.account!;
        switch (code) {
          case E.AccountID:
            account.id = text;
            return;
          case E.AccountDescription:
            account.name = text;
            return;
          case E.StandardAccountID:
            account.standardAccountId = text;
            return;
          case E.GroupingCategory:
            account.groupingCategory = text;
            return;
          case E.GroupingCode:
            account.groupingCode = text;
            return;
          case E.AccountType:
            account.accountType = text;
            return;
        }
        this.balance(account, code, text, account.id);
        return;
      }
      case Ctx.Party: {
        const party = this.party!;
        switch (code) {
          case E.CustomerID:
          case E.SupplierID:
            party.id = text;
            return;
          case E.Name:
            party.name = text;
            return;
          case E.RegistrationNumber:
            party.orgNumber = text;
            return;
          case E.AccountID:
            party.account = text;
            return;
        }
        this.balance(party, code, text, party.account);
        return;
      }
      case Ctx.BalanceAccount: {
        const balanceAccount = this.balanceAccount!;
        if (code === E.AccountID) balanceAccount.account = text;
        else this.balance(balanceAccount, code, text, balanceAccount.account);
        return;
      }
      case Ctx.Entries: {
        const control = this.control!;
        if (code === E.NumberOfEntries) {
          if (/^\d{1,15}$/.test(text)) control.numberOfEntries = Number(text);
          else this.issue("error", "SAFT_INVALID_NUMBER", `NumberOfEntries "${text}" is not a whole number`, { location: this.tokenizer.textLocation() });
        } else if (code === E.TotalDebit) control.totalDebit = this.amount(text, "TotalDebit");
        else control.totalCredit = this.amount(text, "TotalCredit");
        return;
      }
      case Ctx.Header:
        switch (code) {
          case E.AuditFileVersion:
            this.headerFields.version = text;
            return;
          case E.AuditFileDateCreated:
            this.headerFields.created = this.date(text, "AuditFileDateCreated") ?? text;
            return;
          case E.SoftwareCompanyName:
            this.headerFields.softwareCompany = text;
            return;
          case E.SoftwareID:
            this.headerFields.softwareId = text;
            return;
          case E.SoftwareVersion:
            this.headerFields.softwareVersion = text;
            return;
          case E.DefaultCurrencyCode:
            this.headerFields.currency = text;
            return;
        }
        return;
      case Ctx.Company:
        if (code === E.RegistrationNumber) this.headerFields.orgNumber = text;
        else this.headerFields.companyName = text;
        return;
      case Ctx.Selection:
        switch (code) {
          case E.SelectionStartDate:
            this.headerFields.selectionStart = this.date(text, "SelectionStartDate") ?? text;
            return;
          case E.SelectionEndDate:
            this.headerFields.selectionEnd = this.date(text, "SelectionEndDate") ?? text;
            return;
          case E.PeriodStart:
            this.headerFields.periodStart = text;
            return;
          case E.PeriodStartYear:
            this.headerFields.periodStartYear = text;
            return;
          case E.PeriodEnd:
            this.headerFields.periodEnd = text;
            return;
          case E.PeriodEndYear:
            this.headerFields.periodEndYear = text;
            return;
        }
        return;
    }
  }

  /** Opening/Closing Debit/Credit balances (SAF-T 1.7: opening = OpeningDebit − OpeningCredit; negatives accepted). */
  private balance(target: BalanceFields, code: number, text: string, account: string | undefined): void {
    const field = code === E.OpeningDebitBalance ? "OpeningDebitBalance" : code === E.OpeningCreditBalance ? "OpeningCreditBalance" : code === E.ClosingDebitBalance ? "ClosingDebitBalance" : "ClosingCreditBalance";
    const amount = this.amount(text, field, account);
    if (amount === undefined) {
      target.invalid = true;
      return;
    }
    if (code === E.OpeningDebitBalance) target.openingDebit = amount;
    else if (code === E.OpeningCreditBalance) target.openingCredit = amount;
    else if (code === E.ClosingDebitBalance) target.closingDebit = amount;
    else target.closingCredit = amount;
  }

  /** Parses a SAFmonetaryType amount (xs:decimal, ≤ 2 fraction digits) to øre; an issue and `undefined` when it cannot. */
  private amount(text: string, field: string, account?: string): Ore | undefined {
    try {
      return parseSaftAmount(text);
    } catch (error) {
      const context = { location: this.tokenizer.textLocation(), account, transactionId: this.transaction?.id };
      if (error instanceof AmountOutOfRangeError) {
        this.issue("error", "SAFT_AMOUNT_OUT_OF_RANGE", `${field} is beyond any ledger (${error.message}); left out`, context);
        return undefined;
      }
      const tooPrecise = /^[+-]?\d*\.\d{3,}$/.test(text);
      this.issue(
        "error",
        tooPrecise ? "SAFT_AMOUNT_TOO_PRECISE" : "SAFT_INVALID_AMOUNT",
        tooPrecise ? `${field} "${text}" has more than two decimals (SAFmonetaryType allows two); not exact to the øre, left out` : `${field} "${clip(text)}" is not a decimal amount; left out`,
        context,
      );
      return undefined;
    }
  }

  /** Normalises an xs:date (a time zone or a time part is dropped); an issue and `undefined` for other formats. */
  private date(text: string, field: string): string | undefined {
    // The same date repeats on a transaction and its lines (TransactionDate, SystemEntryDate, ValueDate).
    if (text === this.lastDate) return text;
    const date = parseSaftDate(text);
    if (date !== undefined) {
      if (date === text) this.lastDate = text;
      return date;
    }
    this.issue("warning", "SAFT_INVALID_DATE", `${field} "${text}" is not a date in the form YYYY-MM-DD; kept as written`, {
      location: this.tokenizer.textLocation(),
      transactionId: this.transaction?.id,
    });
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
    if (name.local.toLowerCase() === "auditfile" && (namespace === CASH_REGISTER_NAMESPACE || /CashRegister/i.test(namespace ?? ""))) {
      throw new UnsupportedFormatError(`this is a SAF-T Cash Register file (namespace ${namespace}), not SAF-T Financial; saldo imports SAF-T Financial`, {
        fileName: this.fileName,
        location,
        expected: `<AuditFile xmlns="${SAFT_FINANCIAL_NAMESPACE}">`,
      });
    }
    if (name.local !== "AuditFile") {
      throw new UnsupportedFormatError(`the root element is <${name.qualified}>, not a SAF-T Financial <AuditFile>`, { fileName: this.fileName, location, expected: "<AuditFile>" });
    }
    if (namespace === SAFT_FINANCIAL_NAMESPACE) return;
    if (namespace === undefined || namespace === "") {
      const declared = attributes?.filter((attribute) => attribute.name.startsWith("xmlns:") && attribute.value === SAFT_FINANCIAL_NAMESPACE).map((attribute) => attribute.name.slice(6));
      this.issue(
        "warning",
        "SAFT_NAMESPACE_MISSING",
        `<${name.qualified}> is in no namespace${declared?.length ? ` (the file declares the prefix ${declared.join(", ")}: but does not use it)` : ""}; read by element names, expected ${SAFT_FINANCIAL_NAMESPACE}`,
        { location },
      );
      return;
    }
    if (/StandardAuditFile-Taxation-Financial/i.test(namespace)) {
      this.issue("warning", "SAFT_NAMESPACE_UNEXPECTED", `the namespace "${namespace}" differs from ${SAFT_FINANCIAL_NAMESPACE}; read by element names`, { location });
      return;
    }
    throw new UnsupportedFormatError(`<AuditFile> in namespace "${namespace}" is not SAF-T Financial (Norway)`, { fileName: this.fileName, location, expected: SAFT_FINANCIAL_NAMESPACE });
  }

  private finishAccount(): void {
    const fields = this.account!;
    this.account = undefined;
    if (fields.standardAccountId !== undefined) this.clue("standardAccount");
    else {
      this.evidence.see("accountWithoutStandard", fields.location);
      if (fields.groupingCategory !== undefined) this.evidence.see("groupingWithoutStandard", fields.location);
    }
    if (!fields.id) {
      this.issue("error", "SAFT_ACCOUNT_MISSING_ID", "an Account without AccountID was left out", { location: fields.location });
      return;
    }
    const account: Account = { id: fields.id, name: fields.name ?? "", mapping: {}, location: fields.location };
    if (fields.standardAccountId !== undefined) account.mapping.standardAccountId = fields.standardAccountId;
    if (fields.groupingCategory !== undefined) account.mapping.groupingCategory = fields.groupingCategory;
    if (fields.groupingCode !== undefined) account.mapping.groupingCode = fields.groupingCode;
    if (fields.accountType !== undefined) account.mapping.accountType = fields.accountType;
    const opening = net(fields.openingDebit, fields.openingCredit);
    const closing = net(fields.closingDebit, fields.closingCredit);
    if (opening !== undefined) account.opening = opening;
    if (closing !== undefined) account.closing = closing;
    if ((opening === undefined || closing === undefined) && !fields.invalid) {
      this.issue("warning", "SAFT_ACCOUNT_MISSING_BALANCE", `account ${fields.id} states no ${opening === undefined ? "opening" : "closing"} balance (the XSD requires Opening/Closing Debit or Credit Balance)`, {
        location: fields.location,
        account: fields.id,
      });
    }
    this.emit({ type: "account", account });
  }

  private finishBalanceAccount(): void {
    const fields = this.balanceAccount!;
    this.balanceAccount = undefined;
    if (fields.invalid) this.party!.invalid = true;
    this.party!.balances.push(this.partyBalance(fields.account, fields));
  }

  private partyBalance(account: string | undefined, fields: BalanceFields): PartyBalance {
    const balance: PartyBalance = {};
    if (account !== undefined) balance.account = account;
    const opening = net(fields.openingDebit, fields.openingCredit);
    const closing = net(fields.closingDebit, fields.closingCredit);
    if (opening !== undefined) balance.opening = opening;
    if (closing !== undefined) balance.closing = closing;
    return balance;
  }

  private finishParty(): void {
    const fields = this.party!;
    this.party = undefined;
    // SAF-T 1.20: AccountID and the balances sit directly in Customer/Supplier.
    const direct = fields.account !== undefined || fields.openingDebit !== undefined || fields.openingCredit !== undefined || fields.closingDebit !== undefined || fields.closingCredit !== undefined;
    if (direct) fields.balances.unshift(this.partyBalance(fields.account, fields));
    if (!fields.id) {
      this.issue("error", "SAFT_PARTY_MISSING_ID", `a ${fields.kind === "customer" ? "Customer without CustomerID" : "Supplier without SupplierID"} was left out`, { location: fields.location });
      return;
    }
    const party: Party = { kind: fields.kind, id: fields.id, name: fields.name ?? "", balances: fields.balances, location: fields.location };
    if (fields.orgNumber !== undefined) party.orgNumber = fields.orgNumber;
    this.emit({ type: "party", party });
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
    if (transaction.date === "") this.issue("warning", "SAFT_TRANSACTION_MISSING_DATE", `transaction ${transaction.id} has no TransactionDate`, { location, transactionId: transaction.id });
    if (this.periodNumber !== undefined || this.periodYear !== undefined) {
      if (/^\d{1,3}$/.test(this.periodNumber ?? "") && /^\d{4}$/.test(this.periodYear ?? "")) {
        transaction.period = { year: Number(this.periodYear), number: Number(this.periodNumber) };
      } else {
        this.issue("warning", "SAFT_INVALID_PERIOD", `transaction ${transaction.id}: Period "${this.periodNumber ?? ""}" / PeriodYear "${this.periodYear ?? ""}" are not numbers`, {
          location,
          transactionId: transaction.id,
        });
      }
    }
    this.transaction = undefined;
    this.emit({ type: "transaction", transaction });
  }

  private startLine(): void {
    this.lineLine = this.tokenizer.tokenLine;
    this.lineColumn = this.tokenizer.tokenColumn;
    this.lineOffset = this.tokenizer.tokenOffset;
    this.lineRecordId = undefined;
    this.lineAccount = undefined;
    this.lineDebit = undefined;
    this.lineCredit = undefined;
    this.lineAmountInvalid = false;
    this.lineAmountSeen = false;
    this.lineCurrencyCode = undefined;
    this.lineCurrencyAmount = undefined;
    this.lineExchangeRate = undefined;
    this.lineTaxCode = undefined;
    this.lineCustomerId = undefined;
    this.lineSupplierId = undefined;
    this.lineDimensions = undefined;
    this.lineDate = undefined;
    this.lineDescription = undefined;
    this.lineQuantity = undefined;
  }

  private finishLine(): void {
    const transaction = this.transaction!;
    if (!this.lineAccount) {
      this.issue("error", "SAFT_LINE_MISSING_ACCOUNT", `a line of transaction ${transaction.id || "(no id)"} has no AccountID; the line was left out`, {
        location: { line: this.lineLine, column: this.lineColumn, offset: this.lineOffset },
        transactionId: transaction.id,
        ...(this.lineDebit !== undefined || this.lineCredit !== undefined ? { amount: net(this.lineDebit, this.lineCredit) } : {}),
      });
      return;
    }
    if (this.lineAmountInvalid) return; // already reported by amount()
    const amount = net(this.lineDebit, this.lineCredit);
    if (amount === undefined) {
      this.issue("error", "SAFT_LINE_MISSING_AMOUNT", `a line of transaction ${transaction.id || "(no id)"} on account ${this.lineAccount} has neither DebitAmount nor CreditAmount; the line was left out`, {
        location: { line: this.lineLine, column: this.lineColumn, offset: this.lineOffset },
        account: this.lineAccount,
        transactionId: transaction.id,
      });
      return;
    }
    const line: TransactionLine = { account: this.lineAccount, amount };
    // Keep the side the file chose: negative amounts occur on either side, and TotalDebit/TotalCredit sum by side.
    if (this.lineCredit === undefined) line.side = "debit";
    else if (this.lineDebit === undefined) line.side = "credit";
    if (this.lineRecordId !== undefined) line.recordId = this.lineRecordId;
    if (this.lineDescription !== undefined) line.description = this.lineDescription;
    if (this.lineCurrencyCode !== undefined && this.lineCurrencyAmount !== undefined) {
      line.currencyAmount = { currency: this.lineCurrencyCode, amount: this.lineCurrencyAmount };
      if (this.lineExchangeRate !== undefined) line.currencyAmount.exchangeRate = this.lineExchangeRate;
    }
    if (this.lineTaxCode !== undefined) line.taxCode = this.lineTaxCode;
    if (this.lineCustomerId !== undefined) line.customerId = this.lineCustomerId;
    if (this.lineSupplierId !== undefined) line.supplierId = this.lineSupplierId;
    if (this.lineDimensions !== undefined) line.dimensions = this.lineDimensions;
    if (this.lineDate !== undefined) line.date = this.lineDate;
    if (this.lineQuantity !== undefined) line.quantity = this.lineQuantity;
    transaction.lines.push(line);
  }

  private finishDocument(): void {
    this.emitHeader();
    const invalid = this.tokenizer.invalidByteSequences;
    if (invalid > MAX_INVALID_BYTES_REPORTED) {
      this.issue("warning", "SAFT_INVALID_BYTES", `${invalid - MAX_INVALID_BYTES_REPORTED} more byte sequences that are not UTF-8 were read as \uFFFD (${invalid} in all; the first ${MAX_INVALID_BYTES_REPORTED} are listed)`, {});
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
    const final = this.evidence.decide(this.headerFields.version, this.header!.period?.start);
    const emitted = this.header!.formatVersion;
    if (final !== emitted) {
      this.out.push({ type: "headerUpdate", changes: { formatVersion: final } });
      this.issue("info", "SAFT_VERSION_DETECTED", `the file is SAF-T Financial ${final} (${this.evidence.describe(final)}); the header record said ${emitted} because this evidence came after the first records`, {
        location: this.evidence.firstLocation(final),
      });
    }
    const hint = this.headerFields.version;
    if (hint !== undefined && normalizeSaftVersionHint(hint) !== final) {
      this.issue("info", "SAFT_VERSION_HINT_MISMATCH", `Header/AuditFileVersion says "${hint}" but the structure is SAF-T Financial ${final}; the structure was used (AuditFileVersion is free text, so the structure decides)`, {});
    }
  }

  // ---- header and output ----------------------------------------------------------------------------------------

  private emitHeader(): void {
    if (this.header) return;
    const fields = this.headerFields;
    const tokenizer = this.tokenizer;
    const period = this.period();
    const header: FileHeader = {
      format: "saft",
      formatVersion: this.evidence.decide(fields.version, period?.start),
      encoding: tokenizer.encoding,
      company: {},
    };
    if (fields.currency !== undefined) header.currency = fields.currency;
    if (fields.orgNumber !== undefined) header.company.orgNumber = fields.orgNumber;
    if (fields.companyName !== undefined) header.company.name = fields.companyName;
    if (period) header.period = period;
    if (fields.softwareId !== undefined || fields.softwareCompany !== undefined || fields.softwareVersion !== undefined) {
      header.software = {};
      const name = fields.softwareId && fields.softwareCompany ? `${fields.softwareId} (${fields.softwareCompany})` : (fields.softwareId ?? fields.softwareCompany);
      if (name) header.software.name = name;
      if (fields.softwareVersion !== undefined) header.software.version = fields.softwareVersion;
    }
    if (fields.created !== undefined) header.createdAt = fields.created;
    this.header = header;
    this.out.push({ type: "header", header });
    if (!this.headerSeen) this.pendingIssues.unshift(this.makeIssue("error", "SAFT_HEADER_MISSING", "the file has no <Header>: company, period and currency are unknown", {}));
    else if (fields.currency === undefined) this.pendingIssues.unshift(this.makeIssue("warning", "SAFT_CURRENCY_MISSING", "Header/DefaultCurrencyCode is missing", {}));
    if (this.declaredEncodingOverride !== undefined && tokenizer.declaredEncoding !== undefined && tokenizer.declaredEncoding.toLowerCase() !== this.declaredEncodingOverride.toLowerCase()) {
      this.pendingIssues.unshift(
        this.makeIssue("info", "SAFT_ENCODING_OVERRIDE", `read as ${tokenizer.encoding} as asked, although the XML declaration says ${tokenizer.declaredEncoding}`, {}),
      );
    }
    for (const issue of this.pendingIssues) this.out.push({ type: "issue", issue });
    this.pendingIssues = [];
  }

  /** SelectionCriteria: SelectionStartDate/EndDate, or PeriodStart+PeriodStartYear … PeriodEnd+PeriodEndYear (months). */
  private period(): { start: string; end: string } | undefined {
    const fields = this.headerFields;
    if (fields.selectionStart !== undefined || fields.selectionEnd !== undefined) {
      if (fields.selectionStart && fields.selectionEnd && parseSaftDate(fields.selectionStart) && parseSaftDate(fields.selectionEnd)) return { start: fields.selectionStart, end: fields.selectionEnd };
      this.pendingIssues.push(this.makeIssue("warning", "SAFT_INVALID_PERIOD", "SelectionCriteria has an incomplete or unreadable SelectionStartDate/SelectionEndDate", {}));
      return undefined;
    }
    if (fields.periodStart === undefined && fields.periodEnd === undefined) return undefined;
    const startMonth = Number(fields.periodStart);
    const startYear = Number(fields.periodStartYear);
    const endMonth = Number(fields.periodEnd);
    const endYear = Number(fields.periodEndYear);
    const valid = [fields.periodStart, fields.periodStartYear, fields.periodEnd, fields.periodEndYear].every((text) => /^\d{1,4}$/.test(text ?? ""));
    if (!valid || startMonth < 1 || startMonth > 12 || endMonth < 1 || endMonth > 12 || startYear < 1000 || endYear < 1000) {
      this.pendingIssues.push(
        this.makeIssue("warning", "SAFT_INVALID_PERIOD", `SelectionCriteria PeriodStart/PeriodStartYear/PeriodEnd/PeriodEndYear "${fields.periodStart}/${fields.periodStartYear}–${fields.periodEnd}/${fields.periodEndYear}" cannot be read as months`, {}),
      );
      return undefined;
    }
    const pad = (value: number) => String(value).padStart(2, "0");
    return {
      start: `${startYear}-${pad(startMonth)}-01`,
      end: `${endYear}-${pad(endMonth)}-${pad(lastDayOfMonth(endYear, endMonth))}`,
    };
  }

  private emit(record: ImportRecord): void {
    if (!this.header) this.emitHeader();
    this.out.push(record);
  }

  private makeIssue(severity: Severity, code: string, message: string, context: { location?: SourceLocation | undefined; account?: string | undefined; transactionId?: string | undefined; amount?: Ore | undefined }): Issue {
    const issue: Issue = { severity, code, message };
    if (context.account !== undefined) issue.account = context.account;
    if (context.amount !== undefined) issue.amount = context.amount;
    if (context.transactionId !== undefined && context.transactionId !== "") issue.transactionId = context.transactionId;
    if (context.location !== undefined) issue.location = context.location;
    return issue;
  }

  private issue(severity: Severity, code: string, message: string, context: Parameters<SaftRecordBuilder["makeIssue"]>[3]): void {
    const issue = this.makeIssue(severity, code, message, context);
    if (this.header) this.out.push({ type: "issue", issue });
    else this.pendingIssues.push(issue);
  }
}
