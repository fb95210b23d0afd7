import type { SourceLocation } from "../../ledger/types.ts";

/**
 * Structural clues to the SAF-T Financial schema version (the elements the 1.30 and 1.40 XSDs add). Header/AuditFileVersion is free text
 * (values like "1.0", "1.3", "3.0" or random strings occur), so it is only a hint; these clues decide.
 */
export const SaftClue = {
  // 1.40 only (About_SAF-T_Financial_schema_v.1.40.txt)
  nokTaxAmount: { bit: 1 << 0, level: 140, text: "DebitNOKTaxAmount/CreditNOKTaxAmount in TaxInformation" },
  amountCountry: { bit: 1 << 1, level: 140, text: "Country inside an amount structure" },
  ownerAccounts: { bit: 1 << 2, level: 140, text: "more than one AccountID under an Owner" },
  // 1.30 and later (About_SAF-T_Financial_v.1.3.txt)
  balanceAccount: { bit: 1 << 3, level: 130, text: "BalanceAccount under a Customer/Supplier" },
  taxDebitCredit: { bit: 1 << 4, level: 130, text: "DebitTaxAmount/CreditTaxAmount in TaxInformation" },
  analysisDebitCredit: { bit: 1 << 5, level: 130, text: "DebitAnalysisAmount/CreditAnalysisAmount in Analysis" },
  voucherType: { bit: 1 << 6, level: 130, text: "VoucherType in a Transaction" },
  voucherDescription: { bit: 1 << 7, level: 130, text: "VoucherDescription in a Transaction" },
  modificationDate: { bit: 1 << 8, level: 130, text: "ModificationDate in a Transaction" },
  // Weak 1.30 clue: 1.10/1.20 also allow GroupingCategory+GroupingCode instead of StandardAccountID.
  groupingWithoutStandard: {
    bit: 1 << 9,
    level: 129,
    text: "an Account mapped by GroupingCategory without StandardAccountID",
  },
  // Elements 1.30 removed: the file is 1.00/1.10/1.20.
  standardAccount: { bit: 1 << 10, level: 120, text: "StandardAccountID in an Account" },
  taxAmount: { bit: 1 << 11, level: 120, text: "TaxAmount in TaxInformation" },
  analysisAmount: { bit: 1 << 12, level: 120, text: "AnalysisAmount in Analysis" },
  partyAccount: { bit: 1 << 13, level: 120, text: "AccountID/balances directly under a Customer/Supplier" },
  // Clues that rule out 1.00 (or 1.00 and 1.10) within the pre-1.30 family.
  accountWithoutStandard: { bit: 1 << 14, level: 0, text: "an Account without StandardAccountID (mandatory in 1.00)" },
  journalNotA: {
    bit: 1 << 15,
    level: 0,
    text: 'a JournalID or journal Type other than "A" (the only value 1.00 allowed)',
  },
  taxCountry: { bit: 1 << 16, level: 0, text: "Country in TaxInformation (added in 1.20)" },
} as const;

export type SaftClueName = keyof typeof SaftClue;

const ALL_CLUES = Object.entries(SaftClue) as [SaftClueName, (typeof SaftClue)[SaftClueName]][];
const BITS_140 = bitsOfLevel(140);
const BITS_130 = bitsOfLevel(130);
const BITS_PRE_130 = bitsOfLevel(120);
const NOT_100 =
  SaftClue.accountWithoutStandard.bit |
  SaftClue.groupingWithoutStandard.bit |
  SaftClue.journalNotA.bit |
  SaftClue.taxCountry.bit;
const NOT_110 = SaftClue.taxCountry.bit;

function bitsOfLevel(level: number): number {
  return ALL_CLUES.filter(([, clue]) => clue.level === level).reduce((bits, [, clue]) => bits | clue.bit, 0);
}

/**
 * Reads the header's AuditFileVersion as one of the known versions: "1.0"/"1.00" → 1.00, "1.1"/"1.10" → 1.10,
 * "1.2"/"1.20" → 1.20, "1.3"/"1.30" → 1.30, "1.4"/"1.40" → 1.40; anything else (e.g. Maconomy's "3.0") → undefined.
 */
export function normalizeSaftVersionHint(text: string | undefined): string | undefined {
  const match = /^\s*1(?:\.([0-4])0*)?\s*$/.exec(text ?? "");
  if (!match) return undefined;
  return `1.${match[1] ?? "0"}0`;
}

/**
 * Collects version clues while a file is read and decides the version from them:
 * - any 1.40 clue → "1.40"; else any 1.30 clue → "1.30";
 * - else, when a clue of the pre-1.30 family is seen (or only weak clues) → the pre-1.30 family. 1.00, 1.10 and 1.20
 *   differ in so little (1.00 fixed JournalID/Type to "A" and required StandardAccountID; 1.20 added Country in
 *   TaxInformation and relaxed text types) that they cannot always be told apart, so "1.20" is reported unless the
 *   header says 1.0/1.00 or 1.10 and nothing in the file contradicts it. Both official 2016/2018 examples say "1.0":
 *   the 999999999 file is consistent with 1.00 (JournalID "A"), the 888888888 file is not (JournalID "123ABC") and
 *   reads as 1.20;
 * - a file with no clue at all (header only) follows the hint when it names a known version, else the period: 1.30
 *   is mandatory for periods starting 2025-01-01 or later.
 */
export class SaftVersionEvidence {
  private bits = 0;
  private readonly where = new Map<SaftClueName, SourceLocation | undefined>();

  /** Records a clue (the first location of each clue is kept for the report). */
  see(name: SaftClueName, location?: SourceLocation): void {
    const bit = SaftClue[name].bit;
    if ((this.bits & bit) !== 0) return;
    this.bits |= bit;
    this.where.set(name, location);
  }

  has(name: SaftClueName): boolean {
    return (this.bits & SaftClue[name].bit) !== 0;
  }

  /** The version the clues seen so far point to. */
  decide(hint: string | undefined, periodStart?: string): string {
    const bits = this.bits;
    if (bits & BITS_140) return "1.40";
    if (bits & BITS_130) return "1.30";
    const normalizedHint = normalizeSaftVersionHint(hint);
    if ((bits & BITS_PRE_130) === 0) {
      if (bits & SaftClue.groupingWithoutStandard.bit) return "1.30";
      if (normalizedHint) return normalizedHint;
      return periodStart === undefined || periodStart >= "2025-01-01" ? "1.30" : "1.20";
    }
    if (normalizedHint === "1.00" && (bits & NOT_100) === 0) return "1.00";
    if (normalizedHint === "1.10" && (bits & NOT_110) === 0) return "1.10";
    return "1.20";
  }

  /** The clues that support `version`, for messages: "VoucherType in a Transaction (line 12)". */
  describe(version: string): string {
    const level = version === "1.40" ? 140 : version === "1.30" ? 130 : 120;
    const relevant = ALL_CLUES.filter(
      ([name, clue]) =>
        this.has(name) &&
        (clue.level === level || (level === 130 && clue.level === 129) || (level === 120 && clue.level === 0)),
    );
    if (relevant.length === 0) return "no structural clue";
    return relevant
      .map(([name, clue]) => {
        const location = this.where.get(name);
        return location ? `${clue.text} (line ${location.line})` : clue.text;
      })
      .join("; ");
  }

  /** Location of the first clue that supports `version`. */
  firstLocation(version: string): SourceLocation | undefined {
    const level = version === "1.40" ? 140 : version === "1.30" ? 130 : 0;
    for (const [name, clue] of ALL_CLUES) {
      if (this.has(name) && (clue.level === level || level === 0)) return this.where.get(name);
    }
    return undefined;
  }
}
