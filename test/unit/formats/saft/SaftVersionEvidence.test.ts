import { describe, expect, it } from "vitest";
import {
  normalizeSaftVersionHint,
  SaftVersionEvidence,
  type SaftClueName,
} from "../../../../lib/formats/saft/SaftVersionEvidence.ts";

const decide = (clues: SaftClueName[], hint?: string, periodStart?: string) => {
  const evidence = new SaftVersionEvidence();
  for (const clue of clues) evidence.see(clue);
  return evidence.decide(hint, periodStart);
};

describe("SAF-T version detection from structure (AuditFileVersion is only a hint)", () => {
  it("reads header hints in their usual spellings", () => {
    expect(["1.0", "1.00", "1", "1.1", "1.10", "1.2", "1.3", "1.30", " 1.40 "].map(normalizeSaftVersionHint)).toEqual([
      "1.00",
      "1.00",
      "1.00",
      "1.10",
      "1.10",
      "1.20",
      "1.30",
      "1.30",
      "1.40",
    ]);
    expect(["3.0", "a", "85FX31SHG", "", undefined].map(normalizeSaftVersionHint)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("any 1.40 clue wins over everything", () => {
    expect(decide(["standardAccount", "balanceAccount", "nokTaxAmount"], "1.30")).toBe("1.40");
  });

  it("a 1.30 clue wins over the header hint and over 1.20 clues", () => {
    expect(decide(["taxDebitCredit"], "1.20")).toBe("1.30");
    expect(decide(["voucherType", "taxAmount"], "3.0")).toBe("1.30");
  });

  it("GroupingCategory without StandardAccountID means 1.30 only when no pre-1.30 element is seen", () => {
    expect(decide(["groupingWithoutStandard", "accountWithoutStandard"], "1.20")).toBe("1.30");
    expect(decide(["groupingWithoutStandard", "accountWithoutStandard", "taxAmount"], "1.20")).toBe("1.20");
  });

  it("the pre-1.30 family reads as 1.20 unless the hint says 1.00/1.10 and nothing contradicts it", () => {
    expect(decide(["standardAccount", "taxAmount"], "3.0")).toBe("1.20");
    expect(decide(["standardAccount"], "1.0")).toBe("1.00");
    expect(decide(["standardAccount", "journalNotA"], "1.0")).toBe("1.20");
    expect(decide(["standardAccount", "journalNotA"], "1.10")).toBe("1.10");
    expect(decide(["standardAccount", "taxCountry"], "1.10")).toBe("1.20");
  });

  it("without any clue, the hint decides, else the period (1.30 is mandatory from 2025)", () => {
    expect(decide([], "1.3")).toBe("1.30");
    expect(decide([], "x", "2024-01-01")).toBe("1.20");
    expect(decide([], "x", "2025-01-01")).toBe("1.30");
  });

  it("describes the evidence with the line it was first seen on", () => {
    const evidence = new SaftVersionEvidence();
    evidence.see("nokTaxAmount", { line: 420, column: 7 });
    evidence.see("nokTaxAmount", { line: 999, column: 1 });
    expect(evidence.describe("1.40")).toBe("DebitNOKTaxAmount/CreditNOKTaxAmount in TaxInformation (line 420)");
    expect(evidence.firstLocation("1.40")).toEqual({ line: 420, column: 7 });
  });
});
