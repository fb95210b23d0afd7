import { getEngagement } from "../engagements/manageEngagements.ts";
import { totalsOf } from "../ledger/summarizeLedger.ts";
import type { Ore } from "../money/ore.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ImportStore, StoredTrialBalanceRow } from "./ports.ts";
import type { ImportRef, ImportRun } from "./types.ts";
import { assertHasFigures, requireImport } from "./importGuards.ts";

/** What compareImports needs (STYLE.md §5). */
export interface CompareImportsDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
  /** Decides whether a superseded version is past its retention; default: the system clock. */
  now?: () => Date;
}

/**
 * Opening balance (IB), movement and closing balance (UB) of one account, in øre; opening and movement are null
 * when unknown (a closing-balance file). A difference involving an unknown figure is unknown too.
 */
export interface AccountFigures {
  opening: Ore | null;
  movement: Ore | null;
  closing: Ore;
}

/** One account whose figures differ between the two versions. */
export interface AccountDifference {
  account: string;
  /** The name in the newer figures (`after`), else in `before`. */
  name: string;
  /** The figures in the other version (the `with` import); null when that version has no such account. */
  before: AccountFigures | null;
  /** The figures in this version (the import compared); null when this version has no such account. */
  after: AccountFigures | null;
  /** after − before, a missing side counting as 0 (an unknown figure makes its difference null). */
  difference: AccountFigures;
}

/** Two versions of one engagement's figures, account by account. Render it with `toImportComparisonJson`. */
export interface ImportComparison {
  /** The import compared (`…/imports/{importId}/compare`): its figures are `after`. */
  base: ImportRun;
  /** The import compared with (`?with={otherImportId}`): its figures are `before`. */
  other: ImportRun;
  /** Accounts whose opening, movement or closing differ, or that exist in only one version; ordered by account. */
  accounts: AccountDifference[];
  /** How many accounts are in both versions with equal figures. */
  unchangedAccounts: number;
  totals: { before: AccountFigures; after: AccountFigures; difference: AccountFigures };
}

/**
 * Compares two versions (imports) of the same engagement: which accounts' figures changed, and by how much.
 * "before" is the other import (the `with` of `…/imports/{importId}/compare?with={otherImportId}`), "after" is the
 * import named by `ref`, whichever of the two is older (the roles follow the request, not the upload times):
 * comparing the active version (`ref`) with an earlier one (`with`) reads as "what changed since".
 *
 * Both imports must belong to the caller's tenant, client and engagement: an import of another engagement (or
 * tenant) is not found. Both must have complete figures (succeeded or superseded, within retention).
 *
 * @throws ClientNotFoundError, EngagementNotFoundError, ImportNotFoundError, ImportHasNoFiguresError,
 *   ImportExpiredError
 */
export async function compareImports(
  deps: CompareImportsDeps,
  ref: ImportRef,
  otherImportId: string,
): Promise<ImportComparison> {
  await getEngagement(deps, ref);
  const otherRef: ImportRef = { ...ref, importId: otherImportId };
  const [base, other] = await Promise.all([requireImport(deps, ref), requireImport(deps, otherRef)]);
  const nowSeconds = Math.floor((deps.now ?? (() => new Date()))().getTime() / 1000);
  assertHasFigures(base, nowSeconds);
  assertHasFigures(other, nowSeconds);
  const [afterRows, beforeRows] = await Promise.all([
    deps.importStore.readTrialBalance(ref),
    deps.importStore.readTrialBalance(otherRef),
  ]);
  return { base, other, ...diffTrialBalances(beforeRows, afterRows) };
}

/**
 * The account-by-account difference of two trial balances (pure): every account whose figures differ or that is
 * in one only, ordered by account number, and the totals of both.
 */
export function diffTrialBalances(
  beforeRows: readonly Pick<StoredTrialBalanceRow, "account" | "name" | "opening" | "movement" | "closing">[],
  afterRows: readonly Pick<StoredTrialBalanceRow, "account" | "name" | "opening" | "movement" | "closing">[],
): Pick<ImportComparison, "accounts" | "unchangedAccounts" | "totals"> {
  const before = new Map(beforeRows.map((row) => [row.account, row]));
  const after = new Map(afterRows.map((row) => [row.account, row]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort(compareAccounts);
  const accounts: AccountDifference[] = [];
  let unchangedAccounts = 0;
  for (const id of ids) {
    const was = before.get(id);
    const is = after.get(id);
    const beforeFigures = was ? figuresOf(was) : null;
    const afterFigures = is ? figuresOf(is) : null;
    const difference = subtract(afterFigures ?? ZERO, beforeFigures ?? ZERO);
    if (beforeFigures && afterFigures && sameFigures(beforeFigures, afterFigures)) {
      unchangedAccounts++;
      continue;
    }
    accounts.push({
      account: id,
      name: is?.name || was?.name || "",
      before: beforeFigures,
      after: afterFigures,
      difference,
    });
  }
  const totalBefore = totalsOf(beforeRows);
  const totalAfter = totalsOf(afterRows);
  return {
    accounts,
    unchangedAccounts,
    totals: { before: totalBefore, after: totalAfter, difference: subtract(totalAfter, totalBefore) },
  };
}

const ZERO: AccountFigures = { opening: 0n, movement: 0n, closing: 0n };

const compareAccounts = new Intl.Collator("en", { numeric: true }).compare;

function figuresOf(row: AccountFigures): AccountFigures {
  return { opening: row.opening, movement: row.movement, closing: row.closing };
}

function subtract(a: AccountFigures, b: AccountFigures): AccountFigures {
  const minus = (x: Ore | null, y: Ore | null): Ore | null => (x === null || y === null ? null : x - y);
  return {
    opening: minus(a.opening, b.opening),
    movement: minus(a.movement, b.movement),
    closing: a.closing - b.closing,
  };
}

/** Equal figures, an unknown one equal only to an unknown one. */
function sameFigures(a: AccountFigures, b: AccountFigures): boolean {
  return a.opening === b.opening && a.movement === b.movement && a.closing === b.closing;
}
