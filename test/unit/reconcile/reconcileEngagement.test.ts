import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  reconcileEngagement,
  type ComposedAccountRow,
  type ReconcileInput,
  type SourceAccountRow,
  type SourceImport,
} from "../../../lib/reconcile/reconcileEngagement.ts";

/**
 * A small company's books, 2024 → 2025, in øre. 2024 made a profit of 1 000.00 (3000 −5 000.00, 4000 +4 000.00),
 * moved to equity on 31.12.2024 (8960 +1 000.00 against 2050 −1 000.00).
 */
const PRIOR_CLOSING: Record<string, bigint> = {
  "1920": 600_000n,
  "2050": -400_000n,
  "2400": -200_000n,
  "3000": -500_000n,
  "4000": 400_000n,
  "8960": 100_000n,
};
/** 2025's postings: a sale paid to the bank (1920 +2 000.00, 3000 −2 000.00). */
const MOVEMENT_2025: Record<string, bigint> = { "1920": 200_000n, "3000": -200_000n };

const ENGAGEMENT = {
  engagementId: "fy2025",
  kind: "year-end",
  periodStart: "2025-01-01",
  periodEnd: "2025-12-31",
} as const;

function carriedOpening(account: string): bigint {
  return /^[12]/.test(account) ? (PRIOR_CLOSING[account] ?? 0n) : 0n;
}

const ACCOUNTS = [...new Set([...Object.keys(PRIOR_CLOSING), ...Object.keys(MOVEMENT_2025)])].sort();

function sourceRows(
  openingOf: (account: string) => bigint | undefined,
  options: { transactions?: boolean; statedClosing?: (account: string, computed: bigint) => bigint } = {},
): SourceAccountRow[] {
  return ACCOUNTS.map((account) => {
    const opening = openingOf(account);
    const movement = MOVEMENT_2025[account] ?? 0n;
    const computed = (opening ?? 0n) + movement;
    const closing = options.statedClosing?.(account, computed) ?? computed;
    return {
      account,
      name: `konto ${account}`,
      opening: opening ?? 0n,
      movement,
      closing,
      stated: { ...(opening !== undefined ? { opening } : {}), closing },
      posted:
        options.transactions === false
          ? { debit: 0n, credit: 0n, lines: 0 }
          : { debit: movement > 0n ? movement : 0n, credit: movement < 0n ? -movement : 0n, lines: movement ? 1 : 0 },
    };
  });
}

function composed(openingOf: (account: string) => bigint): ComposedAccountRow[] {
  return ACCOUNTS.map((account) => {
    const opening = openingOf(account);
    const movement = MOVEMENT_2025[account] ?? 0n;
    return { account, name: `konto ${account}`, opening, movement, closing: opening + movement };
  });
}

const API = { kind: "api", importId: "API1", system: "tripletex", format: "tripletex" } as const;
const FILE = { kind: "file", importId: "FILE1", format: "saft" } as const;
const PRIOR = { kind: "prior", importId: "PRIOR1", engagementId: "fy2024" } as const;

function apiImport(openingOf: (account: string) => bigint = carriedOpening): SourceImport {
  return { source: API, rows: sourceRows(openingOf), period: { start: "2025-01-01", end: "2025-12-31" } };
}

function input(overrides: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    engagement: ENGAGEMENT,
    plan: { opening: "prior", movement: "api" },
    rows: composed(carriedOpening),
    openingSource: PRIOR,
    movementSource: API,
    prior: {
      engagementId: "fy2024",
      kind: "year-end",
      source: PRIOR,
      rows: Object.entries(PRIOR_CLOSING).map(([account, closing]) => ({ account, name: `konto ${account}`, closing })),
    },
    carriesResultAccounts: false,
    imports: { api: apiImport() },
    ...overrides,
  };
}

describe("reconcileEngagement", () => {
  it("is reconciled when the opening carries over the prior closing and the API agrees", () => {
    expect(reconcileEngagement(input())).toEqual({ status: "reconciled", differences: [], total: 0n, missing: [] });
  });

  it("names the equity account where the API's opening leaves last year's result out, with the amount and the hint", () => {
    // The API reports 2050 as if the 2024 result (1 000.00) had never been moved to equity.
    const wrong = (account: string) => carriedOpening(account) + (account === "2050" ? 100_000n : 0n);
    const result = reconcileEngagement(input({ imports: { api: apiImport(wrong) } }));
    expect(result.status).toBe("differences");
    expect(result.differences).toMatchObject([
      {
        code: "OPENING_API_DIFFERS",
        account: "2050",
        amount: 100_000n,
        hint: "RESULT_NOT_MOVED_TO_EQUITY",
        sources: [
          { kind: "api", importId: "API1", figure: -300_000n },
          { kind: "prior", engagementId: "fy2024", figure: -400_000n },
        ],
      },
    ]);
    expect(result.total).toBe(100_000n);
  });

  it("with the API's wrong opening as the plan's opening, the difference is against the prior closing and the sums", () => {
    const wrong = (account: string) => carriedOpening(account) + (account === "2050" ? 100_000n : 0n);
    const result = reconcileEngagement(
      input({
        plan: { opening: "api", movement: "api" },
        openingSource: API,
        rows: composed(wrong),
        imports: { api: apiImport(wrong) },
      }),
    );
    expect(result.differences.map((d) => [d.code, d.account, d.amount, d.hint])).toEqual([
      ["OPENING_NOT_BALANCED", undefined, 100_000n, undefined],
      ["OPENING_DIFFERS_FROM_PRIOR_CLOSING", "2050", 100_000n, "RESULT_NOT_MOVED_TO_EQUITY"],
    ]);
    expect(result.total).toBe(200_000n);
  });

  it("is incomplete when the plan's opening source is missing, and says which part", () => {
    const result = reconcileEngagement(input({ prior: null }));
    expect(result.status).toBe("incomplete");
    expect(result.missing).toEqual([{ part: "opening", kind: "prior" }]);
    expect(result.differences[0]).toMatchObject({ code: "SOURCE_MISSING", amount: null });
  });

  it("is incomplete without the movement source", () => {
    const result = reconcileEngagement(input({ rows: [], imports: {} }));
    expect(result).toMatchObject({ status: "incomplete", missing: [{ part: "movement", kind: "api" }] });
  });

  it("shows a prior year whose result was not moved to equity as a difference on equity", () => {
    // 2024 closed without the allocation: 8960 and 2050 unbooked; the result (−1 000.00) stays on 3000/4000.
    const unallocated: Record<string, bigint> = { ...PRIOR_CLOSING, "2050": -300_000n, "8960": 0n };
    const openingOf = (account: string) => (/^[12]/.test(account) ? (unallocated[account] ?? 0n) : 0n);
    const result = reconcileEngagement(
      input({
        rows: composed(openingOf),
        prior: {
          engagementId: "fy2024",
          kind: "year-end",
          source: PRIOR,
          rows: Object.entries(unallocated).map(([account, closing]) => ({ account, name: account, closing })),
        },
        imports: { api: apiImport(openingOf) },
      }),
    );
    expect(result.differences.map((d) => [d.code, d.account, d.amount, d.hint])).toEqual([
      ["OPENING_NOT_BALANCED", "2050", 100_000n, "RESULT_NOT_MOVED_TO_EQUITY"],
    ]);
  });

  it("recognises a file whose exporter zeroed every opening balance", () => {
    const zeroed: SourceImport = { source: FILE, rows: sourceRows(() => 0n) };
    const result = reconcileEngagement(
      input({
        plan: { opening: "file", movement: "file" },
        openingSource: FILE,
        movementSource: FILE,
        rows: composed(() => 0n),
        imports: { file: zeroed },
      }),
    );
    const onPrior = result.differences.filter((d) => d.code === "OPENING_DIFFERS_FROM_PRIOR_CLOSING");
    expect(onPrior.map((d) => [d.account, d.amount, d.hint])).toEqual([
      ["1920", -600_000n, "OPENING_ZEROED_BY_EXPORTER"],
      ["2050", 400_000n, "OPENING_ZEROED_BY_EXPORTER"],
      ["2400", 200_000n, "OPENING_ZEROED_BY_EXPORTER"],
    ]);
  });

  it("flags result accounts that open at a balance across a fiscal-year boundary", () => {
    const openingOf = (account: string) => (account === "3000" ? -500_000n : carriedOpening(account));
    const result = reconcileEngagement(
      input({
        plan: { opening: "api", movement: "api" },
        openingSource: API,
        rows: composed(openingOf),
        imports: { api: apiImport(openingOf) },
      }),
    );
    expect(result.differences.map((d) => [d.code, d.account, d.amount])).toEqual([
      ["OPENING_NOT_BALANCED", undefined, -500_000n],
      ["OPENING_RESULT_NOT_ZERO", "3000", -500_000n],
    ]);
  });

  it("compares a file's opening with the engagement's, and the file's own closing with its transactions", () => {
    const file: SourceImport = {
      source: FILE,
      rows: sourceRows(carriedOpening, {
        statedClosing: (account, computed) => (account === "1920" ? computed - 5_000n : computed),
      }),
      postedAfterPeriodEnd: true,
    };
    file.rows.find((row) => row.account === "2400")!.stated.opening = -150_000n;
    const result = reconcileEngagement(
      input({ plan: { opening: "prior", movement: "file" }, movementSource: FILE, imports: { file } }),
    );
    expect(result.differences.map((d) => [d.code, d.account, d.amount, d.hint])).toEqual([
      ["CLOSING_DIFFERS_FROM_STATED", "1920", 5_000n, "POSTINGS_IN_NEXT_YEAR"],
    ]);
    // The row's opening (as stored) is what the checks read; a stated opening alone is compared when it is the row's.
    const moved: SourceImport = {
      ...file,
      rows: file.rows.map((row) => (row.account === "2400" ? { ...row, opening: -150_000n } : row)),
    };
    const again = reconcileEngagement(
      input({ plan: { opening: "prior", movement: "file" }, movementSource: FILE, imports: { file: moved } }),
    );
    expect(again.differences.map((d) => [d.code, d.account, d.amount])).toContainEqual([
      "OPENING_FILE_DIFFERS",
      "2400",
      50_000n,
    ]);
  });

  it("turns a file's control-total mismatches into differences", () => {
    const file: SourceImport = {
      source: FILE,
      rows: sourceRows(carriedOpening),
      issues: [
        { code: "CONTROL_DEBIT_MISMATCH", amount: 1_000n, message: "the file declares total debit …" },
        { code: "CLOSING_MISMATCH", amount: 1n, message: "not a control total" },
      ],
    };
    const result = reconcileEngagement(
      input({ plan: { opening: "prior", movement: "file" }, movementSource: FILE, imports: { file } }),
    );
    expect(result.differences).toMatchObject([
      { code: "CONTROL_TOTALS_DIFFER", amount: 1_000n, sources: [{ kind: "file", importId: "FILE1", figure: 1_000n }] },
    ]);
  });

  it("compares a source's stated movement with its transaction lines, per account, and its closing with both", () => {
    // The API's trial balance says 1920 moved +2 000.00, but its postings on 1920 sum to +1 500.00 (one is missing).
    const api = apiImport();
    const withStatedMovement: SourceImport = {
      ...api,
      rows: api.rows.map((row) => ({
        ...row,
        stated: { ...row.stated, movement: row.movement! },
        ...(row.account === "1920" ? { posted: { debit: 150_000n, credit: 0n, lines: 1 } } : {}),
      })),
    };
    const result = reconcileEngagement(input({ imports: { api: withStatedMovement } }));
    expect(result.status).toBe("differences");
    expect(result.differences).toMatchObject([
      {
        code: "MOVEMENT_DIFFERS_FROM_TRANSACTIONS",
        account: "1920",
        amount: 50_000n, // stated − Σ transactions
        sources: [
          { kind: "api", importId: "API1", figure: 200_000n },
          { kind: "api", importId: "API1", figure: 150_000n },
        ],
      },
      {
        // opening 6 000.00 + Σ transactions 1 500.00 = 7 500.00 vs the stated closing 8 000.00
        code: "CLOSING_DIFFERS_FROM_STATED",
        account: "1920",
        amount: -50_000n,
        sources: [
          { kind: "api", figure: 750_000n },
          { kind: "api", figure: 800_000n },
        ],
      },
    ]);
    expect(result.differences[0]).not.toHaveProperty("hint");
    expect(result.total).toBe(100_000n);

    // Sign: more posted than stated is a negative difference; with lines dated after the period end, the hint says so.
    const overPosted: SourceImport = {
      ...withStatedMovement,
      postedAfterPeriodEnd: true,
      rows: withStatedMovement.rows.map((row) =>
        row.account === "3000" ? { ...row, posted: { debit: 0n, credit: 230_000n, lines: 2 } } : row,
      ),
    };
    const next = reconcileEngagement(input({ imports: { api: overPosted } }));
    expect(
      next.differences
        .filter((d) => d.code === "MOVEMENT_DIFFERS_FROM_TRANSACTIONS")
        .map((d) => [d.account, d.amount, d.hint]),
    ).toEqual([
      ["1920", 50_000n, "POSTINGS_IN_NEXT_YEAR"],
      ["3000", 30_000n, "POSTINGS_IN_NEXT_YEAR"], // stated −2 000.00 − posted −2 300.00
    ]);
  });

  it("checks the movement of a source that is not the plan's movement source, and not a source without lines", () => {
    const file: SourceImport = {
      source: FILE,
      rows: sourceRows(carriedOpening).map((row) => ({
        ...row,
        stated: { ...row.stated, movement: row.movement! },
        ...(row.account === "3000" ? { posted: { debit: 0n, credit: 190_000n, lines: 3 } } : {}),
      })),
    };
    const result = reconcileEngagement(input({ imports: { api: apiImport(), file } }));
    // Only the movement check: the closing check is the plan's movement source's (the API's), which agrees.
    expect(result.differences.map((d) => [d.code, d.account, d.amount, d.sources.map((s) => s.importId)])).toEqual([
      ["MOVEMENT_DIFFERS_FROM_TRANSACTIONS", "3000", -10_000n, ["FILE1", "FILE1"]],
    ]);
    const noLines: SourceImport = {
      ...file,
      rows: file.rows.map((row) => ({ ...row, posted: { debit: 0n, credit: 0n, lines: 0 } })),
    };
    expect(reconcileEngagement(input({ imports: { api: apiImport(), file: noLines } })).status).toBe("reconciled");
  });

  it("reports a closing that does not sum to zero when the movement does not, beyond the opening's imbalance", () => {
    // The composed movement: 1920 +2 000.00 but 3000 only −1 800.00 — the movement sums to +200.00.
    const rows = composed(carriedOpening).map((row) =>
      row.account === "3000" ? { ...row, movement: -180_000n, closing: -180_000n } : row,
    );
    const result = reconcileEngagement(input({ rows }));
    expect(result.differences).toMatchObject([
      {
        code: "CLOSING_NOT_BALANCED",
        amount: 20_000n, // Σ closing
        sources: [{ kind: "api", importId: "API1", figure: 20_000n }],
      },
    ]);
    expect(result.differences[0]).not.toHaveProperty("account");
    expect(result).toMatchObject({ status: "differences", total: 20_000n });

    // An unbalanced opening alone is OPENING_NOT_BALANCED only; with an unbalanced movement too, the closing's
    // amount is the whole Σ closing (opening −500.00 + movement +200.00 = −300.00).
    const shifted = (account: string) => carriedOpening(account) + (account === "2400" ? -50_000n : 0n);
    const openingOnly = reconcileEngagement(
      input({
        plan: { opening: "api", movement: "api" },
        openingSource: API,
        rows: composed(shifted),
        imports: { api: apiImport(shifted) },
      }),
    );
    expect(openingOnly.differences.filter((d) => d.account === undefined).map((d) => [d.code, d.amount])).toEqual([
      ["OPENING_NOT_BALANCED", -50_000n],
    ]);
    const both = reconcileEngagement(
      input({
        plan: { opening: "api", movement: "api" },
        openingSource: API,
        rows: composed(shifted).map((row) =>
          row.account === "3000" ? { ...row, movement: -180_000n, closing: -180_000n } : row,
        ),
        imports: { api: apiImport(shifted) },
      }),
    );
    expect(both.differences.filter((d) => d.account === undefined).map((d) => [d.code, d.amount])).toEqual([
      ["OPENING_NOT_BALANCED", -50_000n],
      ["CLOSING_NOT_BALANCED", -30_000n],
    ]);
  });

  it("hints that the prior year changed when a balanced opening read after the prior closing differs from it", () => {
    // Someone posted 100.00 to 2024 (1920 against 2400) after the 2024 engagement's figures were read.
    const repostedOpening = (account: string) =>
      carriedOpening(account) + (account === "1920" ? 10_000n : account === "2400" ? -10_000n : 0n);
    const later: SourceImport = { ...apiImport(repostedOpening), readAt: "2026-02-01T08:00:00.000Z" };
    const withPriorReadAt = (api: SourceImport) =>
      input({
        prior: { ...input().prior!, readAt: "2026-01-10T08:00:00.000Z" },
        imports: { api },
      });
    const result = reconcileEngagement(withPriorReadAt(later));
    expect(result.differences.map((d) => [d.code, d.account, d.amount, d.hint])).toEqual([
      ["OPENING_API_DIFFERS", "1920", 10_000n, "POSTED_AFTER_PRIOR_CLOSE"],
      ["OPENING_API_DIFFERS", "2400", -10_000n, "POSTED_AFTER_PRIOR_CLOSE"],
    ]);
    expect(result.differences[0]!.sources).toMatchObject([
      { kind: "api", importId: "API1", figure: 610_000n },
      { kind: "prior", engagementId: "fy2024", figure: 600_000n },
    ]);

    // Read before the prior closing was, or with openings that do not balance: no such hint.
    const earlier = reconcileEngagement(withPriorReadAt({ ...later, readAt: "2026-01-09T08:00:00.000Z" }));
    expect(earlier.differences.map((d) => d.hint)).toEqual([undefined, undefined]);
    const oneSided = (account: string) => carriedOpening(account) + (account === "1920" ? 10_000n : 0n);
    const unbalanced = reconcileEngagement(withPriorReadAt({ ...apiImport(oneSided), readAt: later.readAt! }));
    expect(unbalanced.differences.map((d) => [d.account, d.hint])).toEqual([["1920", undefined]]);
  });

  it("finds exactly the accounts where a source's opening differs, by exactly the difference", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom("1920", "2050", "2400"),
          fc.bigInt({ min: -1_000_000_000n, max: 1_000_000_000n }),
        ),
        (offsets) => {
          const openingOf = (account: string) => carriedOpening(account) + (offsets[account] ?? 0n);
          const api: SourceImport = { source: API, rows: sourceRows(openingOf) };
          const result = reconcileEngagement(input({ imports: { api } }));
          const found = result.differences
            .filter((d) => d.code === "OPENING_API_DIFFERS")
            .map((d) => [d.account, d.amount]);
          const expected = ACCOUNTS.filter((account) => (offsets[account] ?? 0n) !== 0n).map((account) => [
            account,
            offsets[account],
          ]);
          expect(found).toEqual(expected);
          const sum = result.differences.reduce((total, d) => total + (d.amount! < 0n ? -d.amount! : d.amount!), 0n);
          expect(result.total).toBe(sum);
        },
      ),
    );
  });
});
