import type { Severity } from "../../ledger/types.ts";
import type { SieLine } from "./SieLine.ts";
import { fieldLocation, type SieFindings } from "./sieFindings.ts";
import { parseSieDate } from "./sieFieldValues.ts";

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

/**
 * The date fields of SIE records (SIE 4B §5.10, YYYYMMDD) with a cache: the ISO forms of the valid dates seen, by
 * their digits. A file holds a few hundred distinct dates and each #VER has two, so each is read once without
 * cutting out a string. Bad dates become findings.
 */
export class SieDates {
  private readonly dateDigits = new Int32Array(DATE_SLOTS).fill(-1);
  private readonly dateIsos: string[] = new Array<string>(DATE_SLOTS).fill("");

  constructor(private readonly findings: SieFindings) {}

  /** The ISO date of the YYYYMMDD number `digits` (-1: not eight digits) when it was read before. */
  cached(digits: number): string | undefined {
    if (digits < 0) return undefined;
    const slot = dateSlot(digits);
    return slot >= 0 && this.dateDigits[slot] === digits ? this.dateIsos[slot] : undefined;
  }

  /** A date field that must be there (#RAR, #VER verdatum). */
  required(line: SieLine, index: number, what: string, transactionId?: string): string | undefined {
    const known = this.cached(line.eightDigits(index));
    if (known !== undefined) return known;
    const raw = line.string(index);
    const extra = transactionId === undefined ? {} : { transactionId };
    if (raw === undefined || raw === "") {
      const code = line.label.toUpperCase() === "#VER" ? "SIE_MISSING_VOUCHER_DATE" : "SIE_MISSING_DATE";
      this.findings("error", code, `${line.label} has no ${what}`, fieldLocation(line, index), extra);
      return undefined;
    }
    return this.read(line, index, raw, what, "error", extra);
  }

  /** A date field that may be left out (#GEN, regdatum, transdat); a bad one is dropped with a warning. */
  optional(line: SieLine, index: number, what: string, transactionId?: string): string | undefined {
    const known = this.cached(line.eightDigits(index));
    if (known !== undefined) return known;
    const raw = line.string(index);
    if (raw === undefined || raw === "") return undefined;
    return this.read(line, index, raw, what, "warning", transactionId === undefined ? {} : { transactionId });
  }

  private read(
    line: SieLine,
    index: number,
    raw: string,
    what: string,
    severity: Severity,
    extra: { transactionId?: string },
  ): string | undefined {
    const date = parseSieDate(raw);
    if (!date) {
      this.findings(
        severity,
        "SIE_INVALID_DATE",
        `${line.label} ${what} "${raw}" is not a valid date YYYYMMDD (SIE 4B §5.10)`,
        fieldLocation(line, index),
        extra,
      );
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
      this.findings(
        "warning",
        "SIE_NONSTANDARD_DATE",
        `${line.label} ${what} "${raw}" is written YYYY-MM-DD; SIE 4B §5.10 prescribes YYYYMMDD. Read as ${date.iso}`,
        fieldLocation(line, index),
        extra,
      );
    }
    return date.iso;
  }
}
