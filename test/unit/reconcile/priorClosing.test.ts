import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Engagement } from "../../../lib/engagements/types.ts";
import { accountClassOf } from "../../../lib/reconcile/accountClass.ts";
import {
  carriesResultAccounts,
  dayBefore,
  findPriorEngagement,
  reconcileOpeningWithPriorClosing,
  type ReconciliationInput,
} from "../../../lib/reconcile/priorClosing.ts";

describe("dayBefore", () => {
  it("steps back over month, leap-day and year boundaries", () => {
    expect(dayBefore("2025-01-01")).toBe("2024-12-31");
    expect(dayBefore("2024-03-01")).toBe("2024-02-29");
    expect(dayBefore("2025-03-01")).toBe("2025-02-28");
    expect(dayBefore("2025-07-01")).toBe("2025-06-30");
  });

  it("rejects text that is not an ISO date", () => {
    expect(() => dayBefore("01.01.2025")).toThrow(RangeError);
  });
});

describe("findPriorEngagement", () => {
  const base = { tenantId: "t1", clientId: "c1", fiscalYear: 2024, createdAt: "2025-01-01T00:00:00Z" };
  const current: Engagement = {
    ...base,
    engagementId: "q1",
    kind: "period-end",
    periodStart: "2025-01-01",
    periodEnd: "2025-03-31",
  };
  const yearEnd: Engagement = {
    ...base,
    engagementId: "fy",
    kind: "year-end",
    periodStart: "2024-01-01",
    periodEnd: "2024-12-31",
  };
  const q4: Engagement = {
    ...base,
    engagementId: "q4",
    kind: "period-end",
    periodStart: "2024-10-01",
    periodEnd: "2024-12-31",
  };

  it("takes an engagement with figures over one without", () => {
    expect(findPriorEngagement(current, [yearEnd, { ...q4, activeImportId: "I" }])?.engagementId).toBe("q4");
  });

  it("takes the year-end engagement when both have figures", () => {
    expect(
      findPriorEngagement(current, [
        { ...q4, activeImportId: "I" },
        { ...yearEnd, activeImportId: "J" },
      ])?.engagementId,
    ).toBe("fy");
  });

  it("finds none when no period ends the day before, and never the engagement itself", () => {
    const gap: Engagement = { ...q4, engagementId: "gap", periodEnd: "2024-12-30" };
    expect(findPriorEngagement(current, [gap, current])).toBeUndefined();
  });
});

describe("carriesResultAccounts", () => {
  const base = { tenantId: "t1", clientId: "c1", fiscalYear: 2025, createdAt: "2025-01-01T00:00:00Z" };
  const q1Engagement: Engagement = {
    ...base,
    engagementId: "q1",
    kind: "period-end",
    periodStart: "2025-01-01",
    periodEnd: "2025-03-31",
  };
  const q2Engagement: Engagement = {
    ...base,
    engagementId: "q2",
    kind: "period-end",
    periodStart: "2025-04-01",
    periodEnd: "2025-06-30",
  };
  const withResult = [{ account: "3000", mapping: {}, opening: -100n }];

  it("is false across a year boundary, even when result accounts open at a balance", () => {
    const fy: Engagement = {
      ...q1Engagement,
      engagementId: "fy",
      kind: "year-end",
      periodStart: "2024-01-01",
      periodEnd: "2024-12-31",
    };
    expect(carriesResultAccounts(q1Engagement, fy, withResult)).toBe(false);
    expect(carriesResultAccounts(q1Engagement, { ...fy, kind: "period-end" }, withResult)).toBe(false);
  });

  it("is true inside the fiscal year only when some result account opens at a balance", () => {
    expect(carriesResultAccounts(q2Engagement, q1Engagement, withResult)).toBe(true);
    expect(carriesResultAccounts(q2Engagement, q1Engagement, [{ account: "3000", mapping: {}, opening: 0n }])).toBe(
      false,
    );
  });
});

describe("reconcileOpeningWithPriorClosing (property)", () => {
  const ids = ["1500", "1920", "2050", "2400", "3000", "4000", "8800", "9000", "X1"];
  const rowsArbitrary = (minLength: number) =>
    fc.uniqueArray(
      fc.record({ account: fc.constantFrom(...ids), amount: fc.bigInt({ min: -10_000_000n, max: 10_000_000n }) }),
      { selector: (row) => row.account, minLength, maxLength: ids.length },
    );

  it("issue amounts always sum to Σ compared openings − Σ compared prior closings, and are empty exactly when every compared account carries over", () => {
    fc.assert(
      fc.property(rowsArbitrary(1), rowsArbitrary(0), fc.boolean(), (current, prior, compareResultAccounts) => {
        const input: ReconciliationInput = {
          rows: current.map(({ account, amount }) => ({
            account,
            name: "",
            mapping: {},
            opening: amount,
            stated: { opening: amount },
          })),
          priorRows: prior.map(({ account, amount }) => ({ account, name: "", mapping: {}, closing: amount })),
          compareResultAccounts,
          priorLabel: "prior",
        };
        const compared = (id: string) =>
          accountClassOf(id) === "balance-sheet" || (compareResultAccounts && accountClassOf(id) === "result");
        const issues = reconcileOpeningWithPriorClosing(input);
        const sum = issues.reduce((total, issue) => total + issue.amount!, 0n);
        const openings = current.filter((row) => compared(row.account)).reduce((t, row) => t + row.amount, 0n);
        const closings = prior.filter((row) => compared(row.account)).reduce((t, row) => t + row.amount, 0n);
        expect(sum).toBe(openings - closings);
        const priorOf = new Map(prior.map((row) => [row.account, row.amount]));
        const currentOf = new Map(current.map((row) => [row.account, row.amount]));
        const carriesOver = ids.filter(compared).every((id) => (currentOf.get(id) ?? 0n) === (priorOf.get(id) ?? 0n));
        expect(issues.length === 0).toBe(carriesOver);
        expect(issues.every((issue) => issue.amount !== 0n && compared(issue.account!))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
