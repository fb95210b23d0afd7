import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveSourcePlan, type ResolvedSourcePlan } from "../../../lib/engagements/sourcePlan.ts";
import type { Engagement, SourcePlanChoice } from "../../../lib/engagements/types.ts";
import type { TrialBalanceRow } from "../../../lib/ledger/summarizeLedger.ts";
import {
  composeTrialBalance,
  type EngagementSourceFigures,
  type PriorClosingOrigin,
  type SourceRun,
} from "../../../lib/reconcile/composeTrialBalance.ts";

const fy2025: Engagement = {
  tenantId: "t1",
  clientId: "c1",
  engagementId: "fy2025",
  kind: "year-end",
  fiscalYear: 2025,
  periodStart: "2025-01-01",
  periodEnd: "2025-12-31",
  createdAt: "2025-01-01T00:00:00.000Z",
};
const fy2024: Engagement = {
  ...fy2025,
  engagementId: "fy2024",
  fiscalYear: 2024,
  periodStart: "2024-01-01",
  periodEnd: "2024-12-31",
};

/** A row: opening, movement (posted as debit/credit when `posted`), closing = opening + movement unless given. */
function row(
  account: string,
  opening: bigint | null,
  movement: bigint,
  options: { posted?: boolean; closing?: bigint } = {},
): TrialBalanceRow {
  const closing = options.closing ?? (opening ?? 0n) + movement;
  return {
    account,
    name: `konto ${account}`,
    mapping: {},
    opening,
    movement,
    closing,
    stated: { ...(opening !== null ? { opening } : {}), closing },
    posted: options.posted
      ? { debit: movement > 0n ? movement : 0n, credit: movement < 0n ? -movement : 0n, lines: 1 }
      : { debit: 0n, credit: 0n, lines: 0 },
    inChart: true,
  };
}

const apiRun = (importId: string): SourceRun => ({
  importId,
  source: { type: "api", system: "tripletex" },
  format: "tripletex",
  counts: { transactions: 3 },
});
const fileRun = (importId: string, period?: { start: string; end: string }, role?: "opening"): SourceRun => ({
  importId,
  ...(role ? { role } : {}),
  source: { type: "file", fileName: `${importId}.xml` },
  format: "saft",
  ...(period ? { header: { period } } : {}),
  counts: { transactions: 0 },
});

/** A prior closing as its movement import (an API sync) states it. */
const statedOrigin = (importId: string): PriorClosingOrigin => ({
  closing: "stated",
  movement: { kind: "api", importId, system: "tripletex", format: "tripletex" },
  imports: [importId],
});

function plan(choice: SourcePlanChoice, facts = { hasPriorClosing: true, connected: true }): ResolvedSourcePlan {
  return resolveSourcePlan({ sourcePlan: choice }, facts);
}

describe("composeTrialBalance", () => {
  // The API's 2025 opening misses last year's result on 2050 (the wrong-IB company); its postings are right.
  const api2025 = [
    row("1920", 1_000_00n, 500_00n, { posted: true }),
    row("2050", -600_00n, 0n, { posted: true }),
    row("3000", 0n, -500_00n, { posted: true }),
  ];
  const prior2024 = [
    row("1920", 0n, 1_000_00n),
    row("2050", 0n, -1_000_00n),
    row("3000", 0n, -400_00n),
    row("8800", 0n, 400_00n),
  ];

  it("opens from the prior closing on balance-sheet accounts and at 0 on result accounts, with the API's movement", () => {
    const sources: EngagementSourceFigures = {
      engagement: fy2025,
      plan: plan({}),
      slots: { api: { run: apiRun("A"), rows: api2025 } },
      prior: { engagement: fy2024, run: apiRun("P"), rows: prior2024, origin: statedOrigin("P") },
    };
    const composed = composeTrialBalance(sources);
    expect(
      composed.accounts.map((account) => [account.account, account.opening, account.movement, account.closing]),
    ).toEqual([
      ["1920", 1_000_00n, 500_00n, 1_500_00n],
      ["2050", -1_000_00n, 0n, -1_000_00n],
      ["3000", 0n, -500_00n, -500_00n],
      ["8800", 0n, 0n, 0n],
    ]);
    expect(composed.totals).toEqual({ opening: 0n, movement: 0n, closing: 0n });
    expect(composed.accounts[1]!.statedClosing).toBe(-600_00n);
    expect(composed.sources).toEqual({
      opening: {
        kind: "prior",
        importId: "P",
        engagementId: "fy2024",
        system: "tripletex",
        format: "tripletex",
        column: "closing",
        priorClosing: statedOrigin("P"),
      },
      movement: { kind: "api", importId: "A", system: "tripletex", format: "tripletex" },
      closing: "computed",
    });
    expect(composed.accounts[0]!.sources).toEqual(composed.sources);
    expect(composed.missing).toEqual([]);
  });

  it("opens from last year's trial balance uploaded with the opening role: its closing, results at 0", () => {
    const lastYear = [row("1920", 0n, 1_000_00n), row("2050", 0n, -600_00n), row("3000", 0n, -400_00n)];
    const composed = composeTrialBalance({
      engagement: fy2025,
      plan: plan({ opening: "file" }),
      slots: {
        api: { run: apiRun("A"), rows: api2025 },
        opening: { run: fileRun("O", { start: "2024-01-01", end: "2024-12-31" }, "opening"), rows: lastYear },
      },
      prior: null,
    });
    expect(composed.accounts.find((account) => account.account === "1920")?.opening).toBe(1_000_00n);
    expect(composed.accounts.find((account) => account.account === "3000")?.opening).toBe(0n);
    expect(composed.sources.opening).toEqual({ kind: "file", importId: "O", format: "saft", column: "closing" });
  });

  it("opens from a SAF-T file of this year uploaded with the opening role: its opening balances", () => {
    const thisYear = [row("1920", 1_000_00n, 77n), row("2050", -1_000_00n, 0n)];
    const composed = composeTrialBalance({
      engagement: fy2025,
      plan: plan({ opening: "file" }),
      slots: {
        api: { run: apiRun("A"), rows: api2025 },
        opening: { run: fileRun("O", { start: "2025-01-01", end: "2025-12-31" }, "opening"), rows: thisYear },
      },
      prior: null,
    });
    expect(composed.accounts.map((account) => [account.account, account.opening, account.movement])).toEqual([
      ["1920", 1_000_00n, 500_00n],
      ["2050", -1_000_00n, 0n],
      ["3000", 0n, -500_00n],
    ]);
    expect(composed.sources.opening).toMatchObject({ kind: "file", importId: "O", column: "opening" });
  });

  it("says which part is missing when the plan names a source the engagement has no import for", () => {
    const composed = composeTrialBalance({
      engagement: fy2025,
      plan: plan({ opening: "file", movement: "file" }),
      slots: { api: { run: apiRun("A"), rows: api2025 } },
      prior: null,
    });
    expect(composed.missing).toEqual(["opening", "movement"]);
    expect(composed.accounts).toEqual([]);
    expect(composed.sources.movement).toEqual({ kind: "file", missing: true });
  });

  it("opens at 0 with the `none` plan, and uses a file's stated movement when it has no transactions", () => {
    const file = [row("1920", 5_00n, 10_00n), row("2400", -5_00n, -10_00n)];
    const composed = composeTrialBalance({
      engagement: fy2025,
      plan: plan({ opening: "none", movement: "file" }),
      slots: { file: { run: fileRun("F"), rows: file } },
      prior: null,
    });
    expect(
      composed.accounts.map((account) => [account.opening, account.movement, account.closing, account.statedClosing]),
    ).toEqual([
      [0n, 10_00n, 10_00n, 15_00n],
      [0n, -10_00n, -10_00n, -15_00n],
    ]);
    expect(composed.sources.opening).toEqual({ kind: "none" });
  });

  it("always has closing = opening + movement, and balanced sources give a balanced trial balance", () => {
    const balanced = fc
      .array(
        fc.tuple(
          fc.constantFrom("1500", "1920", "2400", "2050", "3000", "6300"),
          fc.bigInt(-1_000_000_000n, 1_000_000_000n),
        ),
        {
          maxLength: 6,
        },
      )
      .map((pairs) => {
        const sum = pairs.reduce((total, [, amount]) => total + amount, 0n);
        const byAccount = new Map<string, bigint>();
        for (const [account, amount] of [...pairs, ["2999", -sum] as [string, bigint]]) {
          byAccount.set(account, (byAccount.get(account) ?? 0n) + amount);
        }
        return [...byAccount];
      });
    fc.assert(
      fc.property(balanced, balanced, (openings, movements) => {
        const composed = composeTrialBalance({
          engagement: fy2025,
          plan: plan({ opening: "prior" }),
          slots: {
            api: {
              run: apiRun("A"),
              rows: movements.map(([account, amount]) => row(account, 0n, amount, { posted: true })),
            },
          },
          prior: {
            engagement: fy2024,
            run: apiRun("P"),
            rows: openings.map(([account, amount]) => row(account, 0n, amount)),
            origin: statedOrigin("P"),
          },
        });
        for (const account of composed.accounts) expect(account.closing).toBe(account.opening + account.movement);
        // Result accounts open at 0, so the opening is balanced only up to the prior year's result.
        const priorResult = openings
          .filter(([account]) => account.startsWith("3") || account.startsWith("6"))
          .reduce((total, [, amount]) => total + amount, 0n);
        expect(composed.totals.opening).toBe(-priorResult);
        expect(composed.totals.movement).toBe(0n);
      }),
    );
  });
});
