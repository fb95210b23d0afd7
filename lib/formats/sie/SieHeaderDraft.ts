import { isValidOrgNumber } from "../../ids/orgNumber.ts";
import type { FileHeader, Period, Severity, SourceLocation } from "../../ledger/types.ts";
import { normalizeEncodingName, type EncodingDecision } from "../shared/decoding.ts";
import type { SieDates } from "./SieDates.ts";
import type { SieLine } from "./SieLine.ts";
import { at, fieldLocation, reportIncomplete, type SieFindings } from "./sieFindings.ts";
import { normalizeOrgNumber } from "./sieFieldValues.ts";

/** A code page as people know it. */
export function describeEncoding(encoding: string): string {
  return encoding === "cp437" ? "CP437 (PC8)" : encoding === "cp865" ? "CP865 (Nordic PC8)" : encoding;
}

/** Why the decoding stage chose its encoding, in words. */
export function describeDecision(decision: EncodingDecision): string {
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

/** A ±1-day step on an ISO date (fiscal years must follow each other, SIE 4B #RAR). */
function addDays(iso: string, days: number): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** A finding about the header, in the order it goes out after the header record. */
interface HeaderFinding {
  severity: Severity;
  code: string;
  message: string;
  location: SourceLocation | undefined;
}

/**
 * The identification records of a SIE file (SIE 4B §11: #SIETYP, #FORMAT, #PROGRAM, #GEN, #FNAMN, #ORGNR, #VALUTA,
 * #RAR) and what the header record makes of them: the format version, the encoding (the bytes decide; #FORMAT is
 * often wrong) and the currency (SEK only for an evidently Swedish company).
 */
export class SieHeaderDraft {
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

  constructor(
    private readonly fileName: string | undefined,
    private readonly findings: SieFindings,
    private readonly dates: SieDates,
  ) {}

  /** Reads an identification record; false when `label` is not one. */
  record(label: string, line: SieLine): boolean {
    switch (label) {
      case "#SIETYP":
        this.sieType = line.string(0);
        this.sieTypeLocation = at(line);
        return true;
      case "#FORMAT":
        this.declaredFormat = line.string(0) ?? "";
        this.declaredFormatLocation = at(line);
        return true;
      case "#PROGRAM":
        this.programName = line.string(0);
        this.programVersion = line.string(1);
        return true;
      case "#GEN":
        this.createdAt = this.dates.optional(line, 0, "date");
        return true;
      case "#FNAMN":
        // The name is one field; an exporter that forgets the quotes around a name with blanks (Sie4j's
        // BLBLOV_SIE4.SI: `#FNAMN Övningsbolaget AB`) splits it, so the fields are joined back.
        this.companyName =
          line.fields.filter((field): field is string => typeof field === "string").join(" ") || undefined;
        return true;
      case "#ORGNR":
        this.organisationNumber(line);
        return true;
      case "#VALUTA":
        this.currency = line.string(0)?.toUpperCase() || undefined;
        return true;
      case "#RAR":
        this.fiscalYear(line);
        return true;
    }
    return false;
  }

  /**
   * The format version: the #SIETYP (1 when missing, SIE 4B #SIETYP); type 4 is 4I (import file, .SI, no balances,
   * SIE 4B §6) or 4E (export, .SE). `sawBalances`: a balance record was read so far.
   */
  formatVersion(sawBalances: boolean): string {
    const type = this.sieType ?? "1";
    if (type !== "4") return type;
    const importFile = /\.si$/i.test(this.fileName ?? "") || !sawBalances;
    return importFile ? "4I" : "4E";
  }

  /**
   * The header record and the findings that go out right after it. `decision` is the decoding stage's choice so
   * far (undefined when no text decided it yet: `provisional` is then true, see `SieRecordMapper`).
   */
  build(
    formatVersion: string,
    decision: EncodingDecision | undefined,
  ): { header: FileHeader; provisional: boolean; findings: HeaderFinding[] } {
    const header: FileHeader = { format: "sie", formatVersion, encoding: "", company: {} };
    const findings: HeaderFinding[] = [];
    const currency = this.currencyDecision();
    if (currency.code !== undefined) header.currency = currency.code;
    const encoding = this.headerEncoding(decision);
    header.encoding = encoding.encoding;
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

    if (encoding.issue)
      findings.push({
        severity: encoding.issue.severity,
        code: "ENCODING_OVERRIDDEN",
        message: encoding.issue.message,
        location: this.declaredFormatLocation,
      });
    if (currency.issue)
      findings.push({
        severity: "info",
        code: currency.issue.code,
        message: currency.issue.message,
        location: undefined,
      });
    if (this.sieType !== undefined && !["1", "2", "3", "4"].includes(this.sieType)) {
      findings.push({
        severity: "warning",
        code: "SIE_UNKNOWN_TYPE",
        message: `#SIETYP ${this.sieType} is not a SIE type (1, 2, 3 or 4); read as far as understood`,
        location: this.sieTypeLocation,
      });
    }
    if (this.period && this.priorPeriod && addDays(this.priorPeriod.end, 1) !== this.period.start) {
      findings.push({
        severity: "warning",
        code: "SIE_FISCAL_YEARS_NOT_CONSECUTIVE",
        message: `the prior fiscal year (#RAR -1) ends ${this.priorPeriod.end} but the current one (#RAR 0) starts ${this.period.start}`,
        location: undefined,
      });
    }
    return { header, provisional: decision === undefined, findings };
  }

  private organisationNumber(line: SieLine): void {
    const raw = line.string(0);
    if (raw === undefined || raw.trim() === "") return;
    const org = normalizeOrgNumber(raw);
    this.orgNumber = org.value;
    this.orgNumberCountry = org.country;
    if (!org.recognised) {
      this.findings(
        "warning",
        "SIE_ORGNR_UNRECOGNIZED",
        `#ORGNR "${raw}" is neither a Swedish (nnnnnn-nnnn) nor a Norwegian (9 digits) organisation number; kept as written`,
        fieldLocation(line, 0),
      );
    }
  }

  private fiscalYear(line: SieLine): void {
    const year = line.string(0);
    if (year !== "0" && year !== "-1") return; // earlier years are not needed
    if (line.fieldCount < 3) {
      reportIncomplete(this.findings, line, "start and end dates");
      return;
    }
    const start = this.dates.required(line, 1, "start date");
    const end = this.dates.required(line, 2, "end date");
    if (start === undefined || end === undefined) return;
    if (end < start) {
      this.findings(
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

  /** The header's encoding, and the `ENCODING_OVERRIDDEN` finding when it is not what #FORMAT declares. */
  private headerEncoding(decision: EncodingDecision | undefined): {
    encoding: string;
    issue?: { severity: Severity; message: string };
  } {
    const declared = this.declaredFormat;
    let declaredEncoding: string | undefined;
    if (declared !== undefined) {
      try {
        declaredEncoding = normalizeEncodingName(declared);
      } catch {
        declaredEncoding = undefined;
      }
    }
    const decidedFromBytes = decision !== undefined && decision.reason !== "ascii";
    // Plain ASCII reads the same in every candidate; name the declared (or the spec's) code page.
    const encoding = decidedFromBytes ? decision.encoding : (declaredEncoding ?? "cp437");
    const what =
      declared === undefined
        ? "there is no #FORMAT record (SIE 4B §5.8 prescribes PC8, CP437)"
        : `#FORMAT declares ${declared}`;
    if (declared === undefined) {
      if (!decidedFromBytes || encoding === "cp437") {
        return {
          encoding,
          issue: { severity: "info", message: `${what}; the text is read as ${describeEncoding(encoding)}` },
        };
      }
    } else if (encoding === declaredEncoding) {
      return { encoding };
    }
    const why = decidedFromBytes ? describeDecision(decision) : "the declared value is not a known character set";
    return {
      encoding,
      issue: {
        severity: "warning",
        message: `${what} but the bytes are read as ${describeEncoding(encoding)}: ${why}`,
      },
    };
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
}
