import { describe, expect, it } from "vitest";
import {
  ACTIVATION_RULES,
  HOLD_CODES,
  UNACCEPTABLE_CODES,
  evaluateActivationRules,
  normaliseOrgNumber,
  orgNumberToAdopt,
  type ActivationFacts,
} from "../../../lib/imports/activationRules.ts";

/** A Norwegian file that belongs to the client's Q1 2025 period-end engagement: no rule applies. */
function facts(changes: Partial<ActivationFacts> = {}): ActivationFacts {
  return {
    file: { orgNumber: "923609016", currency: "NOK", period: { start: "2025-01-01", end: "2025-03-31" } },
    figures: { accountsWithFigures: 11, transactions: 6 },
    issues: [{ severity: "warning", code: "CLOSING_MISMATCH" }],
    client: { orgNumber: "923609016" },
    engagement: {
      engagementId: "q1",
      kind: "period-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-03-31",
    },
    ...changes,
  };
}

const YEAR_END_2025: ActivationFacts["engagement"] = {
  engagementId: "fy2025",
  kind: "year-end",
  fiscalYear: 2025,
  periodStart: "2025-01-01",
  periodEnd: "2025-12-31",
};

const codes = (result: ReturnType<typeof evaluateActivationRules>) => result.issues.map((issue) => issue.code);

describe("the activation rules table", () => {
  it("has one row per code; the hold rules are HOLD_CODES, errors, and only IMPORT_HAS_NO_FIGURES is not acceptable", () => {
    const all = ACTIVATION_RULES.map((rule) => rule.code);
    expect(new Set(all).size).toBe(all.length);
    expect(ACTIVATION_RULES.filter((rule) => rule.effect === "hold").map((rule) => rule.code)).toEqual([...HOLD_CODES]);
    for (const rule of ACTIVATION_RULES) expect(rule.severity).toBe(rule.effect === "hold" ? "error" : "info");
    expect([...UNACCEPTABLE_CODES]).toEqual(["IMPORT_HAS_NO_FIGURES"]);
  });

  it("lets a file that belongs to the engagement through without any issue", () => {
    expect(evaluateActivationRules(facts())).toEqual({ heldFor: [], issues: [] });
  });
});

describe("IMPORT_HAS_NO_FIGURES", () => {
  it("holds a file with no account carrying a figure and no transactions", () => {
    const result = evaluateActivationRules(facts({ figures: { accountsWithFigures: 0, transactions: 0 } }));
    expect(result.heldFor).toEqual(["IMPORT_HAS_NO_FIGURES"]);
    expect(result.issues[0]).toMatchObject({ severity: "error", code: "IMPORT_HAS_NO_FIGURES" });
  });

  it("lets transactions alone, or one account with a figure, count as figures", () => {
    expect(evaluateActivationRules(facts({ figures: { accountsWithFigures: 0, transactions: 1 } })).heldFor).toEqual(
      [],
    );
    expect(evaluateActivationRules(facts({ figures: { accountsWithFigures: 1, transactions: 0 } })).heldFor).toEqual(
      [],
    );
  });
});

describe("ORG_NUMBER_MISMATCH", () => {
  it("holds a file for another organisation, naming both numbers", () => {
    const result = evaluateActivationRules(facts({ file: { ...facts().file, orgNumber: "556677-8899" } }));
    expect(result.heldFor).toEqual(["ORG_NUMBER_MISMATCH"]);
    expect(result.issues[0]!.message).toBe(
      "the file is for organisation number 556677-8899, but the client's is 923609016",
    );
  });

  it("compares numbers as files write them: NO prefix, MVA suffix, spaces", () => {
    for (const written of ["NO923609016MVA", "923 609 016", "NO 923 609 016 MVA", "923.609.016"]) {
      expect(evaluateActivationRules(facts({ file: { ...facts().file, orgNumber: written } })).heldFor).toEqual([]);
    }
  });

  it("does not check when the file or the client has no number; a file without one gets a note", () => {
    const noFileNumber = evaluateActivationRules(facts({ file: { ...facts().file, orgNumber: undefined } }));
    expect(noFileNumber.heldFor).toEqual([]);
    expect(noFileNumber.issues).toEqual([expect.objectContaining({ severity: "info", code: "ORG_NUMBER_NOT_STATED" })]);
    expect(evaluateActivationRules(facts({ client: {} })).issues).toEqual([]);
  });
});

describe("ORG_NUMBER_OF_OTHER_CLIENT", () => {
  it("holds a file into a client without a number when another client of the tenant has the file's", () => {
    const result = evaluateActivationRules(facts({ client: {}, otherClientWithOrgNumber: "acme" }));
    expect(result.heldFor).toEqual(["ORG_NUMBER_OF_OTHER_CLIENT"]);
    expect(result.issues[0]!.message).toContain('client "acme"');
  });

  it("does not apply to a client with a number of its own (ORG_NUMBER_MISMATCH decides)", () => {
    expect(evaluateActivationRules(facts({ otherClientWithOrgNumber: "acme" })).heldFor).toEqual([]);
  });
});

describe("CURRENCY_MISMATCH", () => {
  it("holds a file in another currency than the client's, NOK unless set", () => {
    const sek = evaluateActivationRules(facts({ file: { ...facts().file, currency: "SEK" } }));
    expect(sek.heldFor).toEqual(["CURRENCY_MISMATCH"]);
    expect(sek.issues[0]!.message).toBe("the file's figures are in SEK, but the client's currency is NOK");
    expect(evaluateActivationRules(facts({ client: { orgNumber: "923609016", currency: "SEK" } })).heldFor).toEqual([
      "CURRENCY_MISMATCH",
    ]);
    expect(
      evaluateActivationRules(
        facts({ file: { ...facts().file, currency: "sek" }, client: { orgNumber: "923609016", currency: "SEK" } }),
      ).heldFor,
    ).toEqual([]);
  });

  it("is not a mismatch when the file states no currency", () => {
    expect(evaluateActivationRules(facts({ file: { ...facts().file, currency: undefined } })).heldFor).toEqual([]);
    expect(evaluateActivationRules(facts({ file: { ...facts().file, currency: "" } })).heldFor).toEqual([]);
  });
});

describe("ENGAGEMENT_PERIOD_MISMATCH", () => {
  const withPeriod = (start: string, end: string, engagement = facts().engagement) =>
    evaluateActivationRules(facts({ file: { ...facts().file, period: { start, end } }, engagement }));

  it("year-end: the file's period must lie within the fiscal year; part of the year fits with a note", () => {
    expect(withPeriod("2025-01-01", "2025-12-31", YEAR_END_2025)).toEqual({ heldFor: [], issues: [] });
    const interim = withPeriod("2025-01-01", "2025-03-31", YEAR_END_2025);
    expect(interim.heldFor).toEqual([]);
    expect(codes(interim)).toEqual(["ENGAGEMENT_PERIOD_DIFFERS"]);
    expect(withPeriod("2024-01-01", "2024-12-31", YEAR_END_2025).heldFor).toEqual(["ENGAGEMENT_PERIOD_MISMATCH"]);
    expect(withPeriod("2024-07-01", "2025-06-30", YEAR_END_2025).heldFor).toEqual(["ENGAGEMENT_PERIOD_MISMATCH"]);
  });

  it("year-end: a fiscal year that is not the calendar year is the engagement's own period", () => {
    const split = { ...YEAR_END_2025, fiscalYear: 2024, periodStart: "2024-07-01", periodEnd: "2025-06-30" };
    expect(withPeriod("2024-07-01", "2025-06-30", split).heldFor).toEqual([]);
    expect(withPeriod("2025-01-01", "2025-12-31", split).heldFor).toEqual(["ENGAGEMENT_PERIOD_MISMATCH"]);
  });

  it("period-end: the file must include the engagement's last day and lie within its fiscal year", () => {
    expect(withPeriod("2025-01-01", "2025-03-31").heldFor).toEqual([]);
    // A SIE file states its whole fiscal year (#RAR 0) even when exported for a quarter.
    expect(withPeriod("2025-01-01", "2025-12-31").heldFor).toEqual([]);
    expect(withPeriod("2025-03-01", "2025-03-31").heldFor).toEqual([]);
    // Closing balances at another date than the engagement's end.
    expect(withPeriod("2025-01-01", "2025-02-28").heldFor).toEqual(["ENGAGEMENT_PERIOD_MISMATCH"]);
    expect(withPeriod("2025-04-01", "2025-06-30").heldFor).toEqual(["ENGAGEMENT_PERIOD_MISMATCH"]);
    expect(withPeriod("2024-01-01", "2025-03-31").heldFor).toEqual(["ENGAGEMENT_PERIOD_MISMATCH"]);
    const held = withPeriod("2017-01-01", "2017-12-31");
    expect(held.issues[0]!.message).toBe(
      "the file covers 2017-01-01 – 2017-12-31, which does not fit period-end engagement q1 (2025-01-01 – 2025-03-31): " +
        "a period-end file must include 2025-03-31 and lie within the fiscal year 2025-01-01 – 2025-12-31",
    );
  });

  it("a file that states no period is not held for it, and says so in a note", () => {
    const result = evaluateActivationRules(facts({ file: { ...facts().file, period: undefined } }));
    expect(result.heldFor).toEqual([]);
    expect(result.issues).toEqual([
      {
        severity: "info",
        code: "ENGAGEMENT_PERIOD_NOT_STATED",
        message: "the file states no period, so it was not checked against engagement q1 (2025-01-01 – 2025-03-31)",
      },
    ]);
  });
});

describe("FIGURES_UNRELIABLE", () => {
  it("holds an import whose report has error-level issues, counting them per code", () => {
    const result = evaluateActivationRules(
      facts({
        issues: [
          { severity: "error", code: "CSV_INVALID_AMOUNT" },
          { severity: "error", code: "CSV_INVALID_AMOUNT" },
          { severity: "error", code: "CONTROL_DEBIT_MISMATCH" },
          { severity: "warning", code: "CLOSING_MISMATCH" },
        ],
      }),
    );
    expect(result.heldFor).toEqual(["FIGURES_UNRELIABLE"]);
    expect(result.issues[0]!.message).toBe(
      "the report has error-level issues that make the figures unreliable: CSV_INVALID_AMOUNT ×2, CONTROL_DEBIT_MISMATCH",
    );
  });

  it("ignores warnings, and errors that do not touch the figures (a party left out of the register)", () => {
    const result = evaluateActivationRules(
      facts({
        issues: [
          { severity: "warning", code: "CLOSING_NOT_BALANCED" },
          { severity: "error", code: "SAFT_PARTY_MISSING_ID" },
        ],
      }),
    );
    expect(result.heldFor).toEqual([]);
  });
});

describe("the issue's case: a Swedish company's SIE file into a Norwegian client's Q1 2025 engagement", () => {
  it("is held for the organisation number, the currency and the period, in table order", () => {
    const result = evaluateActivationRules(
      facts({
        file: { orgNumber: "555550-3258", currency: "SEK", period: { start: "2017-01-01", end: "2017-12-31" } },
      }),
    );
    expect(result.heldFor).toEqual(["ORG_NUMBER_MISMATCH", "CURRENCY_MISMATCH", "ENGAGEMENT_PERIOD_MISMATCH"]);
  });
});

describe("organisation numbers", () => {
  it("normalise to 9 digits when Norwegian, else to their compact form", () => {
    expect(normaliseOrgNumber("NO 923 609 016 MVA")).toBe("923609016");
    expect(normaliseOrgNumber("556677-8899")).toBe("5566778899");
  });

  it("are adopted only when they are valid Norwegian numbers", () => {
    expect(orgNumberToAdopt("NO923609016MVA")).toBe("923609016");
    expect(orgNumberToAdopt("923609017")).toBeUndefined();
    expect(orgNumberToAdopt("556677-8899")).toBeUndefined();
    expect(orgNumberToAdopt(undefined)).toBeUndefined();
  });
});
