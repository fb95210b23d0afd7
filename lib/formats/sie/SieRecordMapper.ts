import type { ImportRecord } from "../../ledger/records.ts";
import { TruncatedInputError, UnsupportedFormatError } from "../errors.ts";
import { normalizeEncodingName, type EncodingDecision } from "../shared/decoding.ts";
import type { Ore } from "../../money/ore.ts";
import type {
  Account,
  Dimension,
  FileHeader,
  Issue,
  Period,
  Severity,
  SourceLocation,
  Transaction,
  TransactionLine,
} from "../../ledger/types.ts";
import type { SieLine } from "./SieLine.ts";
import { SieChecksum } from "./SieChecksum.ts";
import { isNumericAccount, normalizeOrgNumber, parseSieDate } from "./sieFieldValues.ts";
import { isValidOrgNumber } from "../../ids/orgNumber.ts";

/** Every label of SIE 4B §11 (the first record of a file must be one of them, else it is not SIE). */
export const SIE_LABELS: ReadonlySet<string> = new Set([
  "#ADRESS", "#BKOD", "#BTRANS", "#DIM", "#ENHET", "#FLAGGA", "#FNAMN", "#FNR", "#FORMAT", "#FTYP", "#GEN",
  "#IB", "#KONTO", "#KPTYP", "#KSUMMA", "#KTYP", "#OBJEKT", "#OIB", "#OMFATTN", "#ORGNR", "#OUB", "#PBUDGET",
  "#PROGRAM", "#PROSA", "#PSALDO", "#RAR", "#RES", "#RTRANS", "#SIETYP", "#SRU", "#TAXAR", "#TRANS", "#UB",
  "#UNDERDIM", "#VALUTA", "#VER",
]);

/** Chart and balance figures of one account, gathered before the account record is passed on. */
interface AccountDraft {
  id: string;
  name?: string;
  /** Declared by #KONTO, or given a figure by #IB/#UB/#RES; #KTYP/#SRU alone do not make an account. */
  emit: boolean;
  declared: boolean;
  accountType?: string;
  sru?: string;
  /** Year-0 and year −1 balances (SIE 4B #IB/#UB/#RES årsnr 0 and −1). */
  ib0?: Ore;
  ub0?: Ore;
  res0?: Ore;
  ibPrior?: Ore;
  ubPrior?: Ore;
  resPrior?: Ore;
  /** Balances whose record was there but unreadable: they are not taken as an omitted zero (§5.17). */
  unreadable?: Set<BalanceKey>;
  location: SourceLocation;
}

type BalanceKey = "ib0" | "ub0" | "res0" | "ibPrior" | "ubPrior" | "resPrior";

/** Options of the record mapping stage. */
export interface SieRecordMapperOptions {
  fileName?: string;
}

/** A ±1-day step on an ISO date (fiscal years must follow each other, SIE 4B #RAR). */
function addDays(iso: string, days: number): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Slots of the date cache: every day of eight consecutive years has its own. */
const DATE_SLOTS = 8 * 12 * 31;

/**
 * The date cache slot of the YYYYMMDD number `digits`, or -1 when month or day is out of range (such a date is
 * not valid, so never cached). Dates within eight years of each other never share a slot.
 */
function dateSlot(digits: number): number {
  const day = digits % 100;
  const month = ((digits / 100) | 0) % 100;
  if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
  return (((digits / 10000) & 7) * 12 + month - 1) * 31 + day - 1;
}

function describeEncoding(encoding: string): string {
  return encoding === "cp437" ? "CP437 (PC8)" : encoding === "cp865" ? "CP865 (Nordic PC8)" : encoding;
}

/**
 * The record mapping stage of the SIE reader: tokenized lines in, {@link ImportRecord}s out. Pure (no I/O): the
 * caller feeds lines with {@link accept}, takes the records with {@link drain} (or {@link pending}), and calls
 * {@link finish} at the end.
 *
 * Streaming and what is held (see README.md): the identification records (#FNAMN, #RAR, #VALUTA …) come before
 * the vouchers, so the header and the issues found so far are held until the first #VER (or the end of the file).
 * The balances (#IB, #UB, #RES) share group 4 with the vouchers, in any order (SIE 4B §5.12–5.13), and one
 * account's figures are spread over several records, so the chart and its balances are held — bounded by the size
 * of the chart — and the account records are passed on at the end of the file, after the vouchers. Vouchers are
 * passed on as soon as their `}` is read; they are never accumulated.
 */
export class SieRecordMapper {
  private readonly output: ImportRecord[] = [];
  private readonly fileName: string | undefined;

  // Identification (SIE 4B §11).
  private sawRecord = false;
  private sieType: string | undefined;
  private sieTypeLocation: SourceLocation | undefined;
  private declaredFormat: string | undefined;
  private declaredFormatLocation: SourceLocation | undefined;
  private programName: string | undefined;
  private programVersion: string | undefined;
  private createdAt: string | undefined;
  private companyName: string | undefined;
  private orgNumber: string | undefined;
  private orgNumberCountry: "SE" | "NO" | undefined;
  private currency: string | undefined;
  private period: Period | undefined;
  private priorPeriod: Period | undefined;
  private sawBalances = false;

  // Encoding.
  private decision: EncodingDecision | undefined;
  private headerEncoding: string | undefined;
  private headerEncodingProvisional = false;

  // The header and the findings are held until the first #VER; the chart with its balances until the end.
  private flushed = false;
  /** The formatVersion the header went out with (a balance record after the first #VER can turn 4I into 4E). */
  private headerFormatVersion: string | undefined;
  private heldIssues: Issue[] = [];
  private accounts = new Map<string, AccountDraft>();
  /** Chart records (#KONTO, #KTYP, #SRU) after the first #VER: applied, and noted once at the end. */
  private lateChartRecords = 0;
  private lateChartFirst: { label: string; account: string; location: SourceLocation } | undefined;
  private readonly nonNumericReported = new Set<string>();
  private extraSruCodes: string[] = [];

  // Vouchers.
  /**
   * The open voucher (#VER read, its `}` not yet), whether the `{` after the #VER has been seen, and its date as
   * the number YYYYMMDD (-1 when not eight digits) to compare #TRANS transdat cheaply. Fields of the mapper
   * rather than an object per voucher.
   */
  private voucher: Transaction | undefined;
  private voucherBlockOpened = false;
  /**
   * Set when the open voucher's rows came without the `{` line (e-conomic writes `#VER`, then `#TRANS` rows, then
   * `}`): the first #TRANS opened the block. Such a block also ends at a record that is not a row, or at the end.
   */
  private implicitBlock = false;
  /** Vouchers read with an implicit block, and the first of them (noted once at the end). */
  private implicitBlocks = 0;
  private implicitBlockFirst: { id: string; location: SourceLocation } | undefined;
  private voucherDateDigits = -1;
  private depth = 0;
  private outermostBraceLine = 0;
  private auditTrailRows = { rtrans: 0, btrans: 0 };
  /**
   * ISO forms of the valid YYYYMMDD dates seen, by their digits (see {@link dateSlot}): a file holds a few hundred
   * distinct dates, and each #VER has two, so each is read once without cutting out a string.
   */
  private readonly dateDigits = new Int32Array(DATE_SLOTS).fill(-1);
  private readonly dateIsos: string[] = new Array<string>(DATE_SLOTS).fill("");
  private missingObjectListReported = false;

  // #KSUMMA (SIE 4B §10).
  private checksum: SieChecksum | undefined;
  private checksumState: "none" | "running" | "done" = "none";
  private checksumStart: SourceLocation | undefined;

  constructor(options: SieRecordMapperOptions = {}) {
    this.fileName = options.fileName;
  }

  /**
   * The records produced so far, to be taken in place: the caller reads them and then empties the array
   * (`length = 0`) before the next {@link accept}. Saves an array per voucher over {@link drain}.
   */
  pending(): ImportRecord[] {
    return this.output;
  }

  /** Takes the records produced so far. */
  drain(): ImportRecord[] {
    const records = this.output.slice();
    this.output.length = 0;
    return records;
  }

  /**
   * Tells the mapper which encoding the decoding stage chose; `at` is where the text stands at that moment. When
   * the header already went out with a provisional encoding (all text before was ASCII) and the choice differs,
   * a `headerUpdate` record corrects `encoding` and an `ENCODING_OVERRIDDEN` warning says so.
   */
  setEncodingDecision(decision: EncodingDecision, at: SourceLocation): void {
    this.decision = decision;
    if (!this.flushed || !this.headerEncodingProvisional || decision.reason === "ascii") return;
    this.headerEncodingProvisional = false;
    if (decision.encoding === this.headerEncoding) return;
    this.output.push({ type: "headerUpdate", changes: { encoding: decision.encoding } });
    this.issue(
      "warning",
      "ENCODING_OVERRIDDEN",
      `the header gave ${describeEncoding(this.headerEncoding!)} because the text before line ${at.line} was plain ASCII; ` +
        `from there the bytes are read as ${describeEncoding(decision.encoding)}: ${this.decisionReason(decision)}`,
      at,
    );
  }

  /** The encoding the text is read with, as far as known (for #KSUMMA). */
  private encodingRead(): string {
    return this.decision?.encoding ?? "cp437";
  }

  /** Maps one tokenized line. */
  accept(line: SieLine): void {
    if (line.problems) {
      for (const problem of line.problems) {
        this.issue("warning", problem.code, problem.message, { line: problem.line, column: problem.column });
      }
    }
    if (line.kind !== "record") {
      if (!this.sawRecord && !(line.kind === "text" && line.text === "")) this.notSie(line);
      if (line.kind === "open") this.openBrace(line);
      else if (line.kind === "close") this.closeBrace(line);
      else if (line.text !== "") {
        this.issue("warning", "SIE_UNRECOGNIZED_LINE", `line is not a SIE record and was skipped: "${line.text!.slice(0, 60)}"`, at(line));
      }
      return;
    }
    let label = line.label;
    if (!this.sawRecord) {
      if (!SIE_LABELS.has(label.toUpperCase())) this.notSie(line);
      this.sawRecord = true;
    }
    if (this.checksumState === "running" && label !== "#KSUMMA") this.checksum!.addRecord(line);

    if (this.depth > 0) {
      // Inside a block only sub-records count; a #VER means the block's `}` is missing. Records of blocks
      // that follow other records are future extensions and ignored (SIE 4B §7.1).
      const inVoucher = this.depth === 1 && this.voucher !== undefined && this.voucherBlockOpened;
      if (label === "#TRANS") {
        if (inVoucher) this.transaction(line);
        return;
      }
      label = label.toUpperCase();
      if (label === "#TRANS" && !inVoucher) return;
      if (label !== "#TRANS" && label !== "#VER" && label !== "#RTRANS" && label !== "#BTRANS" && label !== "#KSUMMA") {
        if (!this.implicitBlock) return;
        // Rows that came without a `{` end at the first record that is not a row: the voucher is complete.
        this.depth = 0;
        this.endVoucher();
      }
    }
    if (!this.dispatch(label, line)) this.dispatch(label.toUpperCase(), line);
  }

  /** Handles one record by label; false when the label is not known (then the caller tries it upper-cased). */
  private dispatch(label: string, line: SieLine): boolean {
    switch (label) {
      case "#TRANS":
        this.transaction(line);
        return true;
      case "#VER":
        this.startVoucher(line);
        return true;
      case "#RTRANS":
      case "#BTRANS":
        // Audit trail of changed vouchers (SIE 4B #RTRANS/#BTRANS): an added row is repeated as a #TRANS, a
        // removed row is history. Only #TRANS rows are summed; these are counted and noted once at the end.
        if (label === "#RTRANS") this.auditTrailRows.rtrans++;
        else this.auditTrailRows.btrans++;
        return true;
      case "#KONTO":
        this.chartRecord(line, "name");
        return true;
      case "#KTYP":
        this.chartRecord(line, "accountType");
        return true;
      case "#SRU":
        this.chartRecord(line, "sru");
        return true;
      case "#IB":
        this.balance(line, "ib0", "ibPrior");
        return true;
      case "#UB":
        this.balance(line, "ub0", "ubPrior");
        return true;
      case "#RES":
        this.balance(line, "res0", "resPrior");
        return true;
      case "#KSUMMA":
        this.checksumRecord(line);
        return true;
      case "#SIETYP":
        this.sieType = this.text(line, 0);
        this.sieTypeLocation = at(line);
        return true;
      case "#FORMAT":
        this.declaredFormat = this.text(line, 0) ?? "";
        this.declaredFormatLocation = at(line);
        return true;
      case "#PROGRAM":
        this.programName = this.text(line, 0);
        this.programVersion = this.text(line, 1);
        return true;
      case "#GEN":
        this.generated(line);
        return true;
      case "#FNAMN":
        // The name is one field; an exporter that forgets the quotes around a name with blanks (Sie4j's
        // BLBLOV_SIE4.SI: `#FNAMN Övningsbolaget AB`) splits it, so the fields are joined back.
        this.companyName = line.fields.filter((field): field is string => typeof field === "string").join(" ") || undefined;
        return true;
      case "#ORGNR":
        this.organisationNumber(line);
        return true;
      case "#VALUTA":
        this.currency = this.text(line, 0)?.toUpperCase() || undefined;
        return true;
      case "#RAR":
        this.fiscalYear(line);
        return true;
      case "#FLAGGA":
      case "#PROSA":
      case "#FTYP":
      case "#FNR":
      case "#BKOD":
      case "#ADRESS":
      case "#TAXAR":
      case "#OMFATTN":
      case "#KPTYP":
      case "#ENHET":
      case "#DIM":
      case "#UNDERDIM":
      case "#OBJEKT":
      case "#OIB":
      case "#OUB":
      case "#PSALDO":
      case "#PBUDGET":
        // Not needed for the trial balance and transactions: period and object balances (#PSALDO, #OIB …) are
        // not account totals and must not be summed (SIE 4B §11); dimension names have no place in the records.
        return true;
      default:
        // Unknown labels are ignored (SIE 4B §7.1).
        return label === label.toUpperCase();
    }
  }

  /** Ends the input: passes on what is held and checks that nothing is left open. */
  finish(endOfFile: SourceLocation): void {
    if (!this.sawRecord) {
      throw new UnsupportedFormatError("no SIE records: the file is empty or blank", {
        fileName: this.fileName,
        location: endOfFile,
        expected: "#FLAGGA, #SIETYP or another #LABEL (SIE 4B §5.3)",
      });
    }
    if (this.implicitBlock && this.depth === 1) {
      // The last voucher's rows came without `{` and are not closed: passed on, but the end may be missing.
      this.issue(
        "warning",
        "SIE_UNCLOSED_BLOCK",
        `the rows of #VER ${this.voucher!.id}, which came without a '{', are not closed with '}' at the end of the file; ` +
          "the voucher is read as it stands, but the file may be cut off",
        endOfFile,
        { transactionId: this.voucher!.id },
      );
      this.depth = 0;
      this.endVoucher();
    }
    if (this.depth > 0) {
      throw new TruncatedInputError(
        `the '{' at line ${this.outermostBraceLine} is never closed with '}': the file is cut off`,
        { fileName: this.fileName, location: endOfFile, expected: "'}' alone on a line (SIE 4B §5.4)" },
      );
    }
    if (this.checksumState === "running") {
      throw new TruncatedInputError(
        `#KSUMMA at line ${this.checksumStart!.line} starts a checksum but no closing #KSUMMA follows: the file is cut off (SIE 4B §10.6)`,
        { fileName: this.fileName, location: endOfFile, expected: "#KSUMMA <checksum> as the last record" },
      );
    }
    if (this.voucher) this.voucherWithoutRows();
    if (!this.flushed) this.flush();
    else {
      const formatVersion = this.sieFormatVersion();
      if (formatVersion !== this.headerFormatVersion) {
        // Balance records after the vouchers (SIE 4B §5.13: free order within group 4) make a 4I file a 4E one.
        this.headerFormatVersion = formatVersion;
        this.output.push({ type: "headerUpdate", changes: { formatVersion } });
      }
    }
    this.reportExtraSruCodes();
    this.reportLateChartRecords();
    this.reportImplicitBlocks();
    // The accounts go out last: balance records may stand anywhere among the vouchers (SIE 4B §5.12–5.13), so an
    // account's figures are only known at the end of the file.
    this.passOnAccounts();
    const { rtrans, btrans } = this.auditTrailRows;
    if (rtrans + btrans > 0) {
      this.issue(
        "info",
        "SIE_AUDIT_TRAIL_IGNORED",
        `${rtrans} #RTRANS and ${btrans} #BTRANS rows (audit trail of changed vouchers) were not taken as voucher lines; ` +
          "only #TRANS rows count (SIE 4B #RTRANS/#BTRANS)",
        undefined,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Findings

  /** A finding of the stage before the mapper (the decoder's invalid bytes), held back like the mapper's own until the header is out. */
  report(issue: Issue): void {
    this.issue(issue.severity, issue.code, issue.message, issue.location);
  }

  private issue(
    severity: Severity,
    code: string,
    message: string,
    location: SourceLocation | undefined,
    extra: Partial<Pick<Issue, "account" | "amount" | "transactionId">> = {},
  ): void {
    const issue: Issue = { severity, code, message, ...extra };
    if (location) issue.location = location;
    if (this.flushed) this.output.push({ type: "issue", issue });
    else this.heldIssues.push(issue);
  }

  private notSie(line: SieLine): never {
    throw new UnsupportedFormatError(
      line.kind === "record"
        ? `not a SIE file: the first record ${line.label} is not a SIE label`
        : "not a SIE file: the first line does not start with a #LABEL",
      {
        fileName: this.fileName,
        location: at(line),
        expected: "#FLAGGA, #SIETYP or another SIE label (SIE 4B §5.3, §11)",
      },
    );
  }

  /** A string field, or undefined when missing or an object list. */
  private text(line: SieLine, index: number): string | undefined {
    return line.string(index);
  }

  private fieldLocation(line: SieLine, index: number): SourceLocation {
    return { line: line.line, column: line.fieldColumn(index) };
  }

  private incomplete(line: SieLine, what: string): void {
    this.issue("warning", "SIE_INCOMPLETE_RECORD", `${line.label} without ${what}: record skipped`, at(line));
  }

  /** A date field that must be there (#RAR, #VER verdatum). */
  private requiredDate(line: SieLine, index: number, what: string, transactionId?: string): string | undefined {
    const known = this.knownDate(line, index);
    if (known !== undefined) return known;
    const raw = this.text(line, index);
    const extra = transactionId === undefined ? {} : { transactionId };
    if (raw === undefined || raw === "") {
      const code = line.label.toUpperCase() === "#VER" ? "SIE_MISSING_VOUCHER_DATE" : "SIE_MISSING_DATE";
      this.issue("error", code, `${line.label} has no ${what}`, this.fieldLocation(line, index), extra);
      return undefined;
    }
    return this.dateValue(line, index, raw, what, "error", extra);
  }

  /** A date field that may be left out (#GEN, regdatum, transdat); a bad one is dropped with a warning. */
  private optionalDate(line: SieLine, index: number, what: string, transactionId?: string): string | undefined {
    const known = this.knownDate(line, index);
    if (known !== undefined) return known;
    const raw = this.text(line, index);
    if (raw === undefined || raw === "") return undefined;
    return this.dateValue(line, index, raw, what, "warning", transactionId === undefined ? {} : { transactionId });
  }

  /** The ISO date of field `index` when its eight digits were read before. */
  private knownDate(line: SieLine, index: number): string | undefined {
    return this.cachedDate(line.eightDigits(index));
  }

  /** The ISO date of the YYYYMMDD number `digits` (-1: not eight digits) when it was read before. */
  private cachedDate(digits: number): string | undefined {
    if (digits < 0) return undefined;
    const slot = dateSlot(digits);
    return slot >= 0 && this.dateDigits[slot] === digits ? this.dateIsos[slot] : undefined;
  }

  private dateValue(
    line: SieLine,
    index: number,
    raw: string,
    what: string,
    severity: Severity,
    extra: { transactionId?: string },
  ): string | undefined {
    const date = parseSieDate(raw);
    if (!date) {
      this.issue(severity, "SIE_INVALID_DATE", `${line.label} ${what} "${raw}" is not a valid date YYYYMMDD (SIE 4B §5.10)`, this.fieldLocation(line, index), extra);
      return undefined;
    }
    if (!date.nonStandard) {
      // A valid YYYYMMDD date: remembered (a date of another year may take the slot of one read before).
      const digits = line.eightDigits(index);
      const slot = dateSlot(digits);
      if (slot >= 0) {
        this.dateDigits[slot] = digits;
        this.dateIsos[slot] = date.iso;
      }
    }
    if (date.nonStandard) {
      this.issue("warning", "SIE_NONSTANDARD_DATE", `${line.label} ${what} "${raw}" is written YYYY-MM-DD; SIE 4B §5.10 prescribes YYYYMMDD. Read as ${date.iso}`, this.fieldLocation(line, index), extra);
    }
    return date.iso;
  }

  private checkAccountId(id: string, line: SieLine, index: number): void {
    if (isNumericAccount(id) || this.nonNumericReported.has(id)) return;
    this.nonNumericReported.add(id);
    this.issue(
      "warning",
      "SIE_NON_NUMERIC_ACCOUNT",
      `account number "${id}" is not numeric (SIE 4B #KONTO); it is kept as written`,
      this.fieldLocation(line, index),
      { account: id },
    );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Identification

  private generated(line: SieLine): void {
    this.createdAt = this.optionalDate(line, 0, "date");
  }

  private organisationNumber(line: SieLine): void {
    const raw = this.text(line, 0);
    if (raw === undefined || raw.trim() === "") return;
    const org = normalizeOrgNumber(raw);
    this.orgNumber = org.value;
    this.orgNumberCountry = org.country;
    if (!org.recognised) {
      this.issue(
        "warning",
        "SIE_ORGNR_UNRECOGNIZED",
        `#ORGNR "${raw}" is neither a Swedish (nnnnnn-nnnn) nor a Norwegian (9 digits) organisation number; kept as written`,
        this.fieldLocation(line, 0),
      );
    }
  }

  private fiscalYear(line: SieLine): void {
    const year = this.text(line, 0);
    if (year !== "0" && year !== "-1") return; // earlier years are not needed
    if (line.fieldCount < 3) {
      this.incomplete(line, "start and end dates");
      return;
    }
    const start = this.requiredDate(line, 1, "start date");
    const end = this.requiredDate(line, 2, "end date");
    if (start === undefined || end === undefined) return;
    if (end < start) {
      this.issue(
        "error",
        "SIE_INVALID_FISCAL_YEAR",
        `#RAR ${year} ends (${end}) before it starts (${start}); the fiscal year is not used`,
        at(line),
      );
      return;
    }
    if (year === "0") this.period = { start, end };
    else this.priorPeriod = { start, end };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Chart and balances

  private draft(id: string, location: SourceLocation): AccountDraft {
    let draft = this.accounts.get(id);
    if (!draft) {
      draft = { id, emit: false, declared: false, location };
      this.accounts.set(id, draft);
    }
    return draft;
  }

  /** #KONTO nr name, #KTYP nr type, #SRU nr code. */
  private chartRecord(line: SieLine, property: "name" | "accountType" | "sru"): void {
    // The account number through the value cache, as on #TRANS rows: a consumer keying a map by account then
    // mostly gets the very string it stored, whose comparison is cheapest.
    const id = line.cachedString(0);
    const value = this.text(line, 1);
    if (id === undefined || id === "") {
      this.incomplete(line, "an account number");
      return;
    }
    if (property !== "name" && (value === undefined || value === "")) {
      this.incomplete(line, property === "sru" ? "an SRU code" : "an account type");
      return;
    }
    if (this.flushed) {
      // The chart (group 3) belongs before the balances and vouchers (group 4, SIE 4B §5.12). The accounts are
      // only passed on at the end, so the record is still applied; the order is noted once.
      this.lateChartRecords++;
      this.lateChartFirst ??= { label: line.label, account: id, location: at(line) };
    }
    this.checkAccountId(id, line, 0);
    const draft = this.draft(id, at(line));
    if (property === "name") {
      if (draft.declared) {
        this.issue("warning", "SIE_DUPLICATE_ACCOUNT", `#KONTO ${id} is declared again; the first name is kept`, at(line), { account: id });
        return;
      }
      draft.declared = true;
      draft.emit = true;
      draft.name = value ?? "";
      draft.location = at(line);
    } else if (property === "accountType") {
      draft.accountType ??= value!.toUpperCase();
    } else if (draft.sru === undefined) {
      draft.sru = value;
    } else if (draft.sru !== value) {
      // Exporters write two SRU codes for one account when the code depends on the balance's sign
      // (CC2-foretaget.SE: #SRU 6072 7513 and 7653). Noted once per file (see flush).
      this.extraSruCodes.push(`${id}: ${draft.sru} kept, ${value} not`);
    }
  }

  /**
   * #IB / #UB / #RES årsnr konto saldo [kvantitet]. Year 0 gives the account's opening/closing, year −1 its prior
   * figures; other years are not needed. An object list after the account (not in SIE 4B, written by some
   * programs) makes it an object balance like #OIB/#OUB, which is not an account total, unless it is empty.
   */
  private balance(line: SieLine, current: BalanceKey, prior: BalanceKey): void {
    this.sawBalances = true;
    const year = this.text(line, 0);
    const id = line.cachedString(1); // as in chartRecord
    if (year === undefined || id === undefined || id === "") {
      this.incomplete(line, "a year index and an account number");
      return;
    }
    if (year !== "0" && year !== "-1") {
      if (!/^-?\d+$/.test(year)) {
        this.issue("warning", "SIE_INVALID_YEAR_INDEX", `${line.label} year index "${year}" is not a number; record skipped`, this.fieldLocation(line, 0));
      }
      return;
    }
    let amountIndex = 2;
    if (line.isObjectList(2)) {
      if (line.objectListLength(2) > 0) return;
      amountIndex = 3;
    }
    const key = year === "0" ? current : prior;
    const raw = this.text(line, amountIndex);
    const amount = line.amount(amountIndex);
    this.checkAccountId(id, line, 1);
    const draft = this.draft(id, at(line));
    draft.emit = true;
    if (amount === undefined) {
      (draft.unreadable ??= new Set()).add(key);
      this.issue(
        "error",
        "SIE_INVALID_AMOUNT",
        raw === undefined
          ? `${line.label} ${year} ${id} has no amount; the balance is missing`
          : `${line.label} ${year} ${id} amount "${raw}" is not a SIE amount (SIE 4B §5.9); the balance is missing`,
        this.fieldLocation(line, amountIndex),
        { account: id },
      );
      return;
    }
    if (draft[key] !== undefined) {
      if (draft[key] !== amount) {
        this.issue("warning", "SIE_DUPLICATE_BALANCE", `${line.label} ${year} ${id} is given twice; the first amount is kept`, at(line), { account: id, amount });
      }
      return;
    }
    draft[key] = amount;
  }

  /**
   * Turns a draft into an account record. SIE 4B §5.17 lets an exporter leave out zero balances, so for an account
   * with figures for a year, a missing side of that year is 0: a result account has #RES and no #IB (opening 0); a
   * balance account may lack #IB (new company) or #UB. Closing is #UB, else #RES. An account with no figures for a
   * year gets none, and a balance whose record was there but unreadable stays undefined (never a made-up 0).
   */
  private toAccount(draft: AccountDraft): Account {
    const mapping: Account["mapping"] = {};
    if (draft.sru !== undefined) mapping.sru = draft.sru;
    if (draft.accountType !== undefined) mapping.accountType = draft.accountType;
    const account: Account = { id: draft.id, name: draft.name ?? "", mapping, location: draft.location };
    const stated = (key: BalanceKey): boolean => draft[key] !== undefined;
    const omitted = (key: BalanceKey): Ore | undefined => (draft.unreadable?.has(key) ? undefined : 0n);
    if (stated("ib0") || stated("ub0") || stated("res0")) {
      account.opening = draft.ib0 ?? omitted("ib0");
      account.closing = draft.ub0 ?? draft.res0 ?? (draft.unreadable?.has("ub0") || draft.unreadable?.has("res0") ? undefined : 0n);
      if (draft.ub0 === undefined && draft.res0 === undefined && account.closing !== undefined) account.impliedClosing = true;
      if (draft.ub0 !== undefined && draft.res0 !== undefined && draft.ub0 !== draft.res0) {
        this.issue(
          "warning",
          "SIE_UB_RES_CONFLICT",
          `account ${draft.id} has both #UB 0 and #RES 0 with different amounts; #UB is used as the closing balance`,
          draft.location,
          { account: draft.id, amount: draft.res0 - draft.ub0 },
        );
      }
    }
    if (stated("ibPrior") || stated("ubPrior") || stated("resPrior")) {
      const prior: NonNullable<Account["prior"]> = {};
      const opening = draft.ibPrior ?? omitted("ibPrior");
      const closing =
        draft.ubPrior ?? draft.resPrior ?? (draft.unreadable?.has("ubPrior") || draft.unreadable?.has("resPrior") ? undefined : 0n);
      if (opening !== undefined) prior.opening = opening;
      if (closing !== undefined) prior.closing = closing;
      account.prior = prior;
    }
    return account;
  }

  private passOnAccounts(): void {
    for (const draft of this.accounts.values()) {
      if (!draft.emit) continue;
      this.output.push({ type: "account", account: this.toAccount(draft) });
    }
    this.accounts = new Map();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Header

  private decisionReason(decision: EncodingDecision): string {
    switch (decision.reason) {
      case "override":
        return "the caller asked for it (options.encoding)";
      case "bom":
        return "the file starts with a byte-order mark";
      case "utf-8-valid":
        return "the bytes are valid UTF-8 with multi-byte characters";
      case "ascii":
        return "the text is plain ASCII";
      case "sniffed":
        return decision.encoding === "cp865"
          ? "bytes 0x9B/0x9D occur, which are ø/Ø in CP865 (Norwegian PC8) but ¢/¥ in CP437"
          : decision.encoding === "cp437"
            ? "the high bytes are PC8 letters"
            : "the high bytes are Latin-1 letters (å 0xE5, ä 0xE4, ö 0xF6 …), not PC8 letters";
    }
  }

  /** The header's encoding, and the `ENCODING_OVERRIDDEN` finding when it is not what #FORMAT declares. */
  private headerEncodingFor(): { encoding: string; issue?: { severity: Severity; message: string } } {
    const declared = this.declaredFormat;
    let declaredEncoding: string | undefined;
    if (declared !== undefined) {
      try {
        declaredEncoding = normalizeEncodingName(declared);
      } catch {
        declaredEncoding = undefined;
      }
    }
    const decision = this.decision;
    const decidedFromBytes = decision !== undefined && decision.reason !== "ascii";
    // Plain ASCII reads the same in every candidate; name the declared (or the spec's) code page.
    const encoding = decidedFromBytes ? decision.encoding : (declaredEncoding ?? "cp437");
    this.headerEncodingProvisional = decision === undefined;
    const what =
      declared === undefined
        ? "there is no #FORMAT record (SIE 4B §5.8 prescribes PC8, CP437)"
        : `#FORMAT declares ${declared}`;
    if (declared === undefined) {
      if (!decidedFromBytes || encoding === "cp437") {
        return { encoding, issue: { severity: "info", message: `${what}; the text is read as ${describeEncoding(encoding)}` } };
      }
    } else if (encoding === declaredEncoding) {
      return { encoding };
    }
    const why = decidedFromBytes ? this.decisionReason(decision) : "the declared value is not a known character set";
    return {
      encoding,
      issue: { severity: "warning", message: `${what} but the bytes are read as ${describeEncoding(encoding)}: ${why}` },
    };
  }

  private sieFormatVersion(): string {
    const type = this.sieType ?? "1"; // a missing #SIETYP means type 1 (SIE 4B #SIETYP)
    if (type !== "4") return type;
    // 4I (import file, .SI) and 4E (export, .SE) both say #SIETYP 4. 4I files carry no balances (SIE 4B §6);
    // balances after the first #VER count (the header is then corrected at the end, see finish).
    const importFile = /\.si$/i.test(this.fileName ?? "") || !this.sawBalances;
    return importFile ? "4I" : "4E";
  }

  private reportExtraSruCodes(): void {
    if (this.extraSruCodes.length === 0) return;
    const examples = this.extraSruCodes.slice(0, 5).join("; ");
    this.issue(
      "info",
      "SIE_DUPLICATE_SRU",
      `${this.extraSruCodes.length} #SRU records give an account a second SRU code; the first code is kept (${examples}${this.extraSruCodes.length > 5 ? "; …" : ""})`,
      undefined,
    );
    this.extraSruCodes = [];
  }

  /**
   * The header's currency. SIE amounts carry no currency unless #VALUTA names one; SIE 4B #VALUTA says SEK then,
   * which is only taken where the company is evidently Swedish (a Swedish organisation number, nnnnnn-nnnn). A
   * Norwegian company's file (9-digit org.nr, mod-11), or one that gives no Swedish number, states no currency:
   * the header then has none, with `CURRENCY_NOT_STATED` (info), rather than figures labelled SEK.
   */
  private currencyDecision(): { code?: string; issue?: { code: string; message: string } } {
    if (this.currency !== undefined) return { code: this.currency };
    if (this.orgNumberCountry === "SE") {
      return {
        code: "SEK",
        issue: {
          code: "SIE_CURRENCY_ASSUMED",
          message: `no #VALUTA record: the amounts are taken to be SEK, the SIE default (SIE 4B #VALUTA), as the organisation number ${this.orgNumber} is Swedish`,
        },
      };
    }
    const org = this.orgNumber;
    const whose =
      org === undefined
        ? "the file gives no organisation number"
        : this.orgNumberCountry === "NO" && isValidOrgNumber(org)
          ? `the company is Norwegian (organisation number ${org})`
          : `the organisation number ${org} is not a Swedish one`;
    return {
      issue: {
        code: "CURRENCY_NOT_STATED",
        message:
          `no #VALUTA record and ${whose}: the file does not state the currency of its amounts ` +
          "(SEK, the SIE default, is only assumed for a Swedish company)",
      },
    };
  }

  /** Passes on the header and the findings held so far (the accounts follow at the end, see finish). */
  private flush(): void {
    this.flushed = true;
    this.headerFormatVersion = this.sieFormatVersion();
    const header: FileHeader = {
      format: "sie",
      formatVersion: this.headerFormatVersion,
      encoding: "",
      company: {},
    };
    const currency = this.currencyDecision();
    if (currency.code !== undefined) header.currency = currency.code;
    const encoding = this.headerEncodingFor();
    header.encoding = encoding.encoding;
    this.headerEncoding = encoding.encoding;
    if (this.companyName !== undefined) header.company.name = this.companyName;
    if (this.orgNumber !== undefined) header.company.orgNumber = this.orgNumber;
    if (this.period) header.period = this.period;
    if (this.priorPeriod) header.priorPeriod = this.priorPeriod;
    if (this.programName !== undefined || this.programVersion !== undefined) {
      header.software = {};
      if (this.programName !== undefined) header.software.name = this.programName;
      if (this.programVersion !== undefined) header.software.version = this.programVersion;
    }
    if (this.createdAt !== undefined) header.createdAt = this.createdAt;
    this.output.push({ type: "header", header });

    if (encoding.issue) {
      this.issue(encoding.issue.severity, "ENCODING_OVERRIDDEN", encoding.issue.message, this.declaredFormatLocation);
    }
    if (currency.issue) this.issue("info", currency.issue.code, currency.issue.message, undefined);
    if (this.sieType !== undefined && !["1", "2", "3", "4"].includes(this.sieType)) {
      this.issue("warning", "SIE_UNKNOWN_TYPE", `#SIETYP ${this.sieType} is not a SIE type (1, 2, 3 or 4); read as far as understood`, this.sieTypeLocation);
    }
    if (this.period && this.priorPeriod && addDays(this.priorPeriod.end, 1) !== this.period.start) {
      this.issue(
        "warning",
        "SIE_FISCAL_YEARS_NOT_CONSECUTIVE",
        `the prior fiscal year (#RAR -1) ends ${this.priorPeriod.end} but the current one (#RAR 0) starts ${this.period.start}`,
        undefined,
      );
    }
    this.reportExtraSruCodes();
    for (const issue of this.heldIssues) this.output.push({ type: "issue", issue });
    this.heldIssues = [];
  }

  private reportLateChartRecords(): void {
    const first = this.lateChartFirst;
    if (first === undefined) return;
    this.issue(
      "warning",
      "SIE_RECORD_AFTER_VOUCHERS",
      `${this.lateChartRecords} chart record(s) (#KONTO, #KTYP, #SRU) come after the first #VER, where SIE 4B §5.12 ` +
        `puts the chart before the balances and vouchers (first: ${first.label} ${first.account}); they were applied`,
      first.location,
      { account: first.account },
    );
    this.lateChartFirst = undefined;
  }

  private reportImplicitBlocks(): void {
    const first = this.implicitBlockFirst;
    if (first === undefined) return;
    this.issue(
      "warning",
      "SIE_VOUCHER_BLOCK_NOT_OPENED",
      `${this.implicitBlocks} #VER record(s) have their #TRANS rows without the '{' line before them (SIE 4B §5.4; ` +
        `first: #VER ${first.id}); they were read as that voucher's rows, up to the '}' (or the next record that is not a row)`,
      first.location,
      { transactionId: first.id },
    );
    this.implicitBlockFirst = undefined;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Vouchers

  /** #VER serie vernr verdatum vertext regdatum sign (SIE 4B #VER). */
  private startVoucher(line: SieLine): void {
    if (this.implicitBlock && this.depth === 1) {
      // Rows that came without a `{` (and without a `}`) end at the next #VER; noted once (reportImplicitBlocks).
      this.depth = 0;
      this.endVoucher();
    } else if (this.depth > 0) {
      // A #VER inside a block: the previous block's `}` is missing.
      this.issue("warning", "SIE_UNCLOSED_BLOCK", `#VER inside a '{' block that was not closed; the block is taken as closed here`, at(line));
      this.depth = 0;
      if (this.voucher && this.voucherBlockOpened) this.endVoucher();
    }
    if (this.voucher) this.voucherWithoutRows();
    if (!this.flushed) this.flush();
    const series = line.cachedString(0) ?? ""; // a file has a few series: from the value cache
    const number = this.text(line, 1) ?? "";
    // Voucher id: "A-12" (series-number); "12" without a series; without a number (4I files may leave it
    // empty, SIE 4B #VER) the line number stands in: "A-line57".
    const id = number !== "" ? (series !== "" ? `${series}-${number}` : number) : `${series !== "" ? `${series}-` : ""}line${line.line}`;
    const dateDigits = line.eightDigits(2);
    const date = this.cachedDate(dateDigits) ?? this.requiredDate(line, 2, "voucher date", id);
    const description = this.text(line, 3);
    const entryDate = this.cachedDate(line.eightDigits(4)) ?? this.optionalDate(line, 4, "registration date", id);
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
    this.voucherBlockOpened = false;
    this.voucherDateDigits = dateDigits;
  }

  private openBrace(line: SieLine): void {
    if (this.depth === 0) {
      this.outermostBraceLine = line.line;
      if (this.voucher && !this.voucherBlockOpened) this.voucherBlockOpened = true;
    }
    this.depth++;
  }

  private closeBrace(line: SieLine): void {
    if (this.depth === 0) {
      this.issue("warning", "SIE_UNEXPECTED_BRACE", "'}' without an open '{'; ignored", at(line));
      return;
    }
    this.depth--;
    if (this.depth === 0 && this.voucher && this.voucherBlockOpened) this.endVoucher();
  }

  private endVoucher(): void {
    this.output.push({ type: "transaction", transaction: this.voucher! });
    this.voucher = undefined;
    this.implicitBlock = false;
  }

  /** Opens the block of `transaction` at its first #TRANS, as if the missing `{` stood before it. */
  private openImplicitBlock(transaction: Transaction, line: SieLine): void {
    this.voucherBlockOpened = true;
    this.implicitBlock = true;
    this.depth = 1;
    this.outermostBraceLine = line.line;
    this.implicitBlocks++;
    this.implicitBlockFirst ??= { id: transaction.id, location: transaction.location ?? at(line) };
  }

  private voucherWithoutRows(): void {
    const transaction = this.voucher!;
    this.issue("warning", "SIE_VOUCHER_WITHOUT_ROWS", `#VER ${transaction.id} is not followed by a '{' block of #TRANS rows`, transaction.location, { transactionId: transaction.id });
    this.endVoucher();
  }

  /** #TRANS kontonr {objektlista} belopp transdat transtext kvantitet sign (SIE 4B #TRANS). The hot path. */
  private transaction(line: SieLine): void {
    const transaction = this.voucher;
    if (transaction !== undefined && !this.voucherBlockOpened && this.depth === 0) {
      // Rows right after a #VER with no `{` line (e-conomic exports, which still close with `}`): read as this
      // voucher's rows rather than dropping a voucher that balances.
      this.openImplicitBlock(transaction, line);
    } else if (!transaction || !this.voucherBlockOpened || this.depth !== 1) {
      this.issue("error", "SIE_TRANS_OUTSIDE_VOUCHER", "#TRANS outside a #VER block; the row is not part of any voucher and was skipped", at(line));
      return;
    }
    // Account numbers, row texts and object ids recur: they come from the value cache (same text as line.string).
    const account = line.cachedString(0);
    if (account === undefined || account === "") {
      this.issue("error", "SIE_INCOMPLETE_RECORD", "#TRANS without an account number; row skipped", at(line), { transactionId: transaction.id });
      return;
    }
    let amountIndex = 2;
    if (!line.isObjectList(1)) {
      // The object list is mandatory (SIE 4B #TRANS) but some writers leave it out: the amount follows directly.
      amountIndex = 1;
      if (!this.missingObjectListReported) {
        this.missingObjectListReported = true;
        this.issue("warning", "SIE_OBJECT_LIST_MISSING", "#TRANS without an object list ({} when empty); the field after the account is read as the amount (reported once)", at(line), { transactionId: transaction.id });
      }
    }
    const amount = line.amount(amountIndex);
    if (amount === undefined) {
      const raw = line.string(amountIndex);
      this.issue(
        "error",
        "SIE_INVALID_AMOUNT",
        raw !== undefined
          ? `#TRANS ${account} amount "${raw}" is not a SIE amount (SIE 4B §5.9); row skipped`
          : `#TRANS ${account} has no amount; row skipped`,
        this.fieldLocation(line, amountIndex),
        { account, transactionId: transaction.id },
      );
      return;
    }
    if (!isNumericAccount(account)) this.checkAccountId(account, line, 0);
    const objectCount = line.objectListLength(1);
    const dimensions = objectCount > 0 ? this.dimensions(line, objectCount, transaction.id) : undefined;
    let date: string | undefined;
    let description: string | undefined;
    let quantity: string | undefined;
    if (line.fieldCount > amountIndex + 1) {
      const dateIndex = amountIndex + 1;
      // Most rows repeat the voucher date (or leave it empty): compare the digits before reading a date.
      if (!line.isEmpty(dateIndex) && line.eightDigits(dateIndex) !== this.voucherDateDigits) {
        const rowDate = this.optionalDate(line, dateIndex, "transaction date", transaction.id);
        if (rowDate !== undefined && rowDate !== transaction.date) date = rowDate;
      }
      if (!line.isEmpty(amountIndex + 2)) description = line.cachedString(amountIndex + 2);
      if (!line.isEmpty(amountIndex + 3)) quantity = line.cachedString(amountIndex + 3);
    }
    // The usual shapes are built in one literal (an object that grows property by property is slower to make);
    // the properties and their order are the same either way.
    let row: TransactionLine;
    if (date === undefined && quantity === undefined) {
      if (description === undefined) row = dimensions === undefined ? { account, amount } : { account, amount, dimensions };
      else row = dimensions === undefined ? { account, amount, description } : { account, amount, dimensions, description };
    } else {
      row = { account, amount };
      if (dimensions !== undefined) row.dimensions = dimensions;
      if (date !== undefined) row.date = date;
      if (description !== undefined) row.description = description;
      if (quantity !== undefined) row.quantity = quantity;
    }
    transaction.lines.push(row);
  }

  /** `{dim obj dim obj …}` (`count` items) → dimensions (SIE 4B §8: dimension number, object number). */
  private dimensions(line: SieLine, count: number, transactionId: string): Dimension[] {
    // Dimension and object numbers recur from row to row: they come from the value cache.
    if (count === 2) return [{ type: line.cachedItem(1, 0), id: line.cachedItem(1, 1) }];
    const dimensions: Dimension[] = [];
    for (let i = 0; i + 1 < count; i += 2) dimensions.push({ type: line.cachedItem(1, i), id: line.cachedItem(1, i + 1) });
    if (count % 2 === 1) {
      this.issue(
        "warning",
        "SIE_INVALID_OBJECT_LIST",
        `object list has an odd number of items (dimension without object): "${line.cachedItem(1, count - 1)}" dropped`,
        this.fieldLocation(line, 1),
        { transactionId },
      );
    }
    return dimensions;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // #KSUMMA

  private checksumRecord(line: SieLine): void {
    const value = this.text(line, 0);
    if (value === undefined || value === "") {
      if (this.checksumState === "none") {
        this.checksumState = "running";
        this.checksumStart = at(line);
        this.checksum = new SieChecksum(() => this.encodingRead());
      }
      return;
    }
    if (this.checksumState === "done") return;
    if (this.checksumState === "none") {
      this.issue("warning", "SIE_KSUMMA_WITHOUT_START", `#KSUMMA ${value} without an opening #KSUMMA; the checksum cannot be verified`, at(line));
      this.checksumState = "done";
      return;
    }
    this.checksumState = "done";
    if (!/^-?\d{1,10}$/.test(value)) {
      this.issue("error", "SIE_KSUMMA_MISMATCH", `#KSUMMA "${value}" is not a number; the file cannot be verified`, this.fieldLocation(line, 0));
      return;
    }
    const declared = Number(value);
    if (!this.checksum!.matches(declared)) {
      this.issue(
        "error",
        "SIE_KSUMMA_MISMATCH",
        `#KSUMMA declares ${value} but the records from line ${this.checksumStart!.line} give ${this.checksum!.value()} ` +
          "(CRC-32, SIE 4B §10): the file was changed or damaged after it was written",
        this.fieldLocation(line, 0),
      );
    }
  }
}

function at(line: SieLine): SourceLocation {
  return { line: line.line, column: line.column };
}
