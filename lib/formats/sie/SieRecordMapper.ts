import type { ImportRecord } from "../../ledger/records.ts";
import { TruncatedInputError, UnsupportedFormatError } from "../errors.ts";
import type { EncodingDecision } from "../shared/decoding.ts";
import type { Issue, Severity, SourceLocation } from "../../ledger/types.ts";
import type { SieLine } from "./SieLine.ts";
import { SieChart } from "./SieChart.ts";
import { SieChecksum } from "./SieChecksum.ts";
import { SieDates } from "./SieDates.ts";
import { describeDecision, describeEncoding, SieHeaderDraft } from "./SieHeaderDraft.ts";
import { SieVouchers } from "./SieVouchers.ts";
import { at, fieldLocation, type SieFindings } from "./sieFindings.ts";

/** Every label of SIE 4B §11 (the first record of a file must be one of them, else it is not SIE). */
export const SIE_LABELS: ReadonlySet<string> = new Set([
  "#ADRESS",
  "#BKOD",
  "#BTRANS",
  "#DIM",
  "#ENHET",
  "#FLAGGA",
  "#FNAMN",
  "#FNR",
  "#FORMAT",
  "#FTYP",
  "#GEN",
  "#IB",
  "#KONTO",
  "#KPTYP",
  "#KSUMMA",
  "#KTYP",
  "#OBJEKT",
  "#OIB",
  "#OMFATTN",
  "#ORGNR",
  "#OUB",
  "#PBUDGET",
  "#PROGRAM",
  "#PROSA",
  "#PSALDO",
  "#RAR",
  "#RES",
  "#RTRANS",
  "#SIETYP",
  "#SRU",
  "#TAXAR",
  "#TRANS",
  "#UB",
  "#UNDERDIM",
  "#VALUTA",
  "#VER",
]);

/** Options of the record mapping stage. */
export interface SieRecordMapperOptions {
  fileName?: string;
}

/**
 * The record mapping stage of the SIE reader: tokenized lines in, {@link ImportRecord}s out. Pure (no I/O): the
 * caller feeds lines with {@link accept}, takes the records with {@link drain} (or {@link pending}), and calls
 * {@link finish} at the end. The mapper keeps the dispatch by label, the order of the output and #KSUMMA; the
 * sections are their own modules: the identification records and the header ({@link SieHeaderDraft}), the chart
 * and its balances ({@link SieChart}), the vouchers ({@link SieVouchers}) and the date fields ({@link SieDates}).
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
  private sawRecord = false;

  private readonly findings: SieFindings = (severity, code, message, location, extra) =>
    this.issue(severity, code, message, location, extra);
  private readonly dates = new SieDates(this.findings);
  private readonly header: SieHeaderDraft;
  private readonly chart = new SieChart(this.findings);
  private readonly vouchers: SieVouchers;

  // Encoding.
  private decision: EncodingDecision | undefined;
  private headerEncoding: string | undefined;
  private headerEncodingProvisional = false;

  // The header and the findings are held until the first #VER; the chart with its balances until the end.
  private flushed = false;
  /** The formatVersion the header went out with (a balance record after the first #VER can turn 4I into 4E). */
  private headerFormatVersion: string | undefined;
  private heldIssues: Issue[] = [];
  private readonly beforeFirstVoucher = (): void => {
    if (!this.flushed) this.flush();
  };

  // #KSUMMA (SIE 4B §10).
  private checksum: SieChecksum | undefined;
  private checksumState: "none" | "running" | "done" = "none";
  private checksumStart: SourceLocation | undefined;

  constructor(options: SieRecordMapperOptions = {}) {
    this.fileName = options.fileName;
    this.header = new SieHeaderDraft(options.fileName, this.findings, this.dates);
    this.vouchers = new SieVouchers(this.output, this.findings, this.dates, this.chart);
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
        `from there the bytes are read as ${describeEncoding(decision.encoding)}: ${describeDecision(decision)}`,
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
      if (line.kind === "open") this.vouchers.openBrace(line);
      else if (line.kind === "close") this.vouchers.closeBrace(line);
      else if (line.text !== "") {
        this.issue(
          "warning",
          "SIE_UNRECOGNIZED_LINE",
          `line is not a SIE record and was skipped: "${line.text!.slice(0, 60)}"`,
          at(line),
        );
      }
      return;
    }
    let label = line.label;
    if (!this.sawRecord) {
      if (!SIE_LABELS.has(label.toUpperCase())) this.notSie(line);
      this.sawRecord = true;
    }
    if (this.checksumState === "running" && label !== "#KSUMMA") this.checksum!.addRecord(line);

    const vouchers = this.vouchers;
    if (vouchers.depth > 0) {
      // Inside a block only sub-records count; a #VER means the block's `}` is missing. Records of blocks
      // that follow other records are future extensions and ignored (SIE 4B §7.1).
      const inVoucher = vouchers.depth === 1 && vouchers.voucher !== undefined && vouchers.blockOpened;
      if (label === "#TRANS") {
        if (inVoucher) vouchers.transaction(line);
        return;
      }
      label = label.toUpperCase();
      if (label === "#TRANS" && !inVoucher) return;
      if (label !== "#TRANS" && label !== "#VER" && label !== "#RTRANS" && label !== "#BTRANS" && label !== "#KSUMMA") {
        if (!vouchers.implicitBlock) return;
        // Rows that came without a `{` end at the first record that is not a row: the voucher is complete.
        vouchers.depth = 0;
        vouchers.endVoucher();
      }
    }
    if (!this.dispatch(label, line)) this.dispatch(label.toUpperCase(), line);
  }

  /** Handles one record by label; false when the label is not known (then the caller tries it upper-cased). */
  private dispatch(label: string, line: SieLine): boolean {
    switch (label) {
      case "#TRANS":
        this.vouchers.transaction(line);
        return true;
      case "#VER":
        this.vouchers.startVoucher(line, this.beforeFirstVoucher);
        return true;
      case "#RTRANS":
      case "#BTRANS":
        // Audit trail of changed vouchers (SIE 4B #RTRANS/#BTRANS): an added row is repeated as a #TRANS, a
        // removed row is history. Only #TRANS rows are summed; these are counted and noted once at the end.
        this.vouchers.auditTrailRow(label);
        return true;
      case "#KONTO":
        this.chart.chartRecord(line, "name", this.flushed);
        return true;
      case "#KTYP":
        this.chart.chartRecord(line, "accountType", this.flushed);
        return true;
      case "#SRU":
        this.chart.chartRecord(line, "sru", this.flushed);
        return true;
      case "#IB":
        this.chart.balance(line, "ib0", "ibPrior");
        return true;
      case "#UB":
        this.chart.balance(line, "ub0", "ubPrior");
        return true;
      case "#RES":
        this.chart.balance(line, "res0", "resPrior");
        return true;
      case "#KSUMMA":
        this.checksumRecord(line);
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
        // The identification records (#SIETYP, #FORMAT, #PROGRAM, #GEN, #FNAMN, #ORGNR, #VALUTA, #RAR); unknown
        // labels are ignored (SIE 4B §7.1).
        return this.header.record(label, line) || label === label.toUpperCase();
    }
  }

  /** Ends the input: passes on what is held and checks that nothing is left open. */
  finish(endOfFile: SourceLocation): void {
    const vouchers = this.vouchers;
    if (!this.sawRecord) {
      throw new UnsupportedFormatError("no SIE records: the file is empty or blank", {
        fileName: this.fileName,
        location: endOfFile,
        expected: "#FLAGGA, #SIETYP or another #LABEL (SIE 4B §5.3)",
      });
    }
    if (vouchers.implicitBlock && vouchers.depth === 1) {
      // The last voucher's rows came without `{` and are not closed: passed on, but the end may be missing.
      this.issue(
        "warning",
        "SIE_UNCLOSED_BLOCK",
        `the rows of #VER ${vouchers.voucher!.id}, which came without a '{', are not closed with '}' at the end of the file; ` +
          "the voucher is read as it stands, but the file may be cut off",
        endOfFile,
        { transactionId: vouchers.voucher!.id },
      );
      vouchers.depth = 0;
      vouchers.endVoucher();
    }
    if (vouchers.depth > 0) {
      throw new TruncatedInputError(
        `the '{' at line ${vouchers.outermostBraceLine} is never closed with '}': the file is cut off`,
        { fileName: this.fileName, location: endOfFile, expected: "'}' alone on a line (SIE 4B §5.4)" },
      );
    }
    if (this.checksumState === "running") {
      throw new TruncatedInputError(
        `#KSUMMA at line ${this.checksumStart!.line} starts a checksum but no closing #KSUMMA follows: the file is cut off (SIE 4B §10.6)`,
        { fileName: this.fileName, location: endOfFile, expected: "#KSUMMA <checksum> as the last record" },
      );
    }
    if (vouchers.voucher) vouchers.voucherWithoutRows();
    if (!this.flushed) this.flush();
    else {
      const formatVersion = this.header.formatVersion(this.chart.sawBalances);
      if (formatVersion !== this.headerFormatVersion) {
        // Balance records after the vouchers (SIE 4B §5.13: free order within group 4) make a 4I file a 4E one.
        this.headerFormatVersion = formatVersion;
        this.output.push({ type: "headerUpdate", changes: { formatVersion } });
      }
    }
    this.chart.reportExtraSruCodes();
    this.chart.reportLateChartRecords();
    vouchers.reportImplicitBlocks();
    // The accounts go out last: balance records may stand anywhere among the vouchers (SIE 4B §5.12–5.13), so an
    // account's figures are only known at the end of the file.
    this.chart.passOnAccounts(this.output);
    vouchers.reportAuditTrail();
  }

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

  /** Passes on the header and the findings held so far (the accounts follow at the end, see finish). */
  private flush(): void {
    this.flushed = true;
    this.headerFormatVersion = this.header.formatVersion(this.chart.sawBalances);
    const { header, provisional, findings } = this.header.build(this.headerFormatVersion, this.decision);
    this.headerEncoding = header.encoding;
    this.headerEncodingProvisional = provisional;
    this.output.push({ type: "header", header });
    for (const finding of findings) this.issue(finding.severity, finding.code, finding.message, finding.location);
    this.chart.reportExtraSruCodes();
    for (const issue of this.heldIssues) this.output.push({ type: "issue", issue });
    this.heldIssues = [];
  }

  // ---------------------------------------------------------------------------------------------------------------
  // #KSUMMA

  private checksumRecord(line: SieLine): void {
    const value = line.string(0);
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
      this.issue(
        "warning",
        "SIE_KSUMMA_WITHOUT_START",
        `#KSUMMA ${value} without an opening #KSUMMA; the checksum cannot be verified`,
        at(line),
      );
      this.checksumState = "done";
      return;
    }
    this.checksumState = "done";
    if (!/^-?\d{1,10}$/.test(value)) {
      this.issue(
        "error",
        "SIE_KSUMMA_MISMATCH",
        `#KSUMMA "${value}" is not a number; the file cannot be verified`,
        fieldLocation(line, 0),
      );
      return;
    }
    const declared = Number(value);
    if (!this.checksum!.matches(declared)) {
      this.issue(
        "error",
        "SIE_KSUMMA_MISMATCH",
        `#KSUMMA declares ${value} but the records from line ${this.checksumStart!.line} give ${this.checksum!.value()} ` +
          "(CRC-32, SIE 4B §10): the file was changed or damaged after it was written",
        fieldLocation(line, 0),
      );
    }
  }
}
