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
