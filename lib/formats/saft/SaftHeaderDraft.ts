import type { FileHeader } from "../../ledger/types.ts";
import { SaftElement as E } from "./saftElements.ts";
import { parseSaftDate } from "./parseSaftValues.ts";

/** Reads an xs:date leaf as the builder does (normalised, or an issue and `undefined`); see `SaftRecordBuilder`. */
export type SaftDateReader = (text: string, field: string) => string | undefined;

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The header of a SAF-T Financial file as it is read: `Header` (AuditFileVersion … DefaultCurrencyCode), its
 * `Company` and its `SelectionCriteria` (SAF-T Financial NO XSD, Header). The builder holds the header record back
 * until the first account, party, control totals or transaction (see `SaftRecordBuilder`), then {@link build}s it.
 */
export class SaftHeaderDraft {
  version: string | undefined;
  private created: string | undefined;
  private softwareCompany: string | undefined;
  private softwareId: string | undefined;
  private softwareVersion: string | undefined;
  private orgNumber: string | undefined;
  private companyName: string | undefined;
  currency: string | undefined;
  private selectionStart: string | undefined;
  private selectionEnd: string | undefined;
  private periodStart: string | undefined;
  private periodStartYear: string | undefined;
  private periodEnd: string | undefined;
  private periodEndYear: string | undefined;

  /** A leaf of `Header` itself. */
  headerLeaf(code: number, text: string, date: SaftDateReader): void {
    switch (code) {
      case E.AuditFileVersion:
        this.version = text;
        return;
      case E.AuditFileDateCreated:
        this.created = date(text, "AuditFileDateCreated") ?? text;
        return;
      case E.SoftwareCompanyName:
        this.softwareCompany = text;
        return;
      case E.SoftwareID:
        this.softwareId = text;
        return;
      case E.SoftwareVersion:
        this.softwareVersion = text;
        return;
      case E.DefaultCurrencyCode:
        this.currency = text;
        return;
    }
  }

  /** A leaf of `Header/Company` (RegistrationNumber or Name). */
  companyLeaf(code: number, text: string): void {
    if (code === E.RegistrationNumber) this.orgNumber = text;
    else this.companyName = text;
  }

  /** A leaf of `Header/SelectionCriteria`. */
  selectionLeaf(code: number, text: string, date: SaftDateReader): void {
    switch (code) {
      case E.SelectionStartDate:
        this.selectionStart = date(text, "SelectionStartDate") ?? text;
        return;
      case E.SelectionEndDate:
        this.selectionEnd = date(text, "SelectionEndDate") ?? text;
        return;
      case E.PeriodStart:
        this.periodStart = text;
        return;
      case E.PeriodStartYear:
        this.periodStartYear = text;
        return;
      case E.PeriodEnd:
        this.periodEnd = text;
        return;
      case E.PeriodEndYear:
        this.periodEndYear = text;
        return;
    }
  }

  /**
   * The period SelectionCriteria states: SelectionStartDate/EndDate, or PeriodStart+PeriodStartYear … PeriodEnd+
   * PeriodEndYear (months). `undefined` when it states none; `problem` is told when it states one that cannot be read.
   */
  period(problem: (message: string) => void): { start: string; end: string } | undefined {
    if (this.selectionStart !== undefined || this.selectionEnd !== undefined) {
      if (
        this.selectionStart &&
        this.selectionEnd &&
        parseSaftDate(this.selectionStart) &&
        parseSaftDate(this.selectionEnd)
      ) {
        return { start: this.selectionStart, end: this.selectionEnd };
      }
      problem("SelectionCriteria has an incomplete or unreadable SelectionStartDate/SelectionEndDate");
      return undefined;
    }
    if (this.periodStart === undefined && this.periodEnd === undefined) return undefined;
    const startMonth = Number(this.periodStart);
    const startYear = Number(this.periodStartYear);
    const endMonth = Number(this.periodEnd);
    const endYear = Number(this.periodEndYear);
    const valid = [this.periodStart, this.periodStartYear, this.periodEnd, this.periodEndYear].every((text) =>
      /^\d{1,4}$/.test(text ?? ""),
    );
    if (
      !valid ||
      startMonth < 1 ||
      startMonth > 12 ||
      endMonth < 1 ||
      endMonth > 12 ||
      startYear < 1000 ||
      endYear < 1000
    ) {
      problem(
        `SelectionCriteria PeriodStart/PeriodStartYear/PeriodEnd/PeriodEndYear "${this.periodStart}/${this.periodStartYear}–${this.periodEnd}/${this.periodEndYear}" cannot be read as months`,
      );
      return undefined;
    }
    const pad = (value: number) => String(value).padStart(2, "0");
    return {
      start: `${startYear}-${pad(startMonth)}-01`,
      end: `${endYear}-${pad(endMonth)}-${pad(lastDayOfMonth(endYear, endMonth))}`,
    };
  }

  /** The header record. */
  build(formatVersion: string, encoding: string, period: { start: string; end: string } | undefined): FileHeader {
    const header: FileHeader = { format: "saft", formatVersion, encoding, company: {} };
    if (this.currency !== undefined) header.currency = this.currency;
    if (this.orgNumber !== undefined) header.company.orgNumber = this.orgNumber;
    if (this.companyName !== undefined) header.company.name = this.companyName;
    if (period) header.period = period;
    if (this.softwareId !== undefined || this.softwareCompany !== undefined || this.softwareVersion !== undefined) {
      header.software = {};
      const name =
        this.softwareId && this.softwareCompany
          ? `${this.softwareId} (${this.softwareCompany})`
          : (this.softwareId ?? this.softwareCompany);
      if (name) header.software.name = name;
      if (this.softwareVersion !== undefined) header.software.version = this.softwareVersion;
    }
    if (this.created !== undefined) header.createdAt = this.created;
    return header;
  }
}
