/*
 * The engagement's trial balance composed from its source plan (issue #10): the opening balances (IB) from the
 * plan's opening source, the movement from the plan's movement source, the closing balance (UB) computed as opening +
 * movement — and, per account and per column, which source and import each figure came from. Pure: the figures are
 * read by `readEngagementSources` (lib/imports/engagementSources.ts).
 */
import type { ResolvedSourcePlan } from "../engagements/sourcePlan.ts";
import type { Engagement, OpeningSource, SourceSlot } from "../engagements/types.ts";
import type { TrialBalanceRow } from "../ledger/summarizeLedger.ts";
import type { AccountMapping, SourceFormat } from "../ledger/types.ts";
import type { Ore } from "../money/ore.ts";
import type { IntegrationSystem } from "../secrets/types.ts";
import { accountClassOf } from "./accountClass.ts";
import { carriesResultAccounts, dayBefore } from "./priorClosing.ts";

/** What an import used as a source is (structurally, an ImportRun of lib/imports: this module sits below it). */
export interface SourceRun {
  importId: string;
  role?: "figures" | "opening" | undefined;
  source: { type: "file"; fileName: string } | { type: "api"; system: IntegrationSystem };
  format?: SourceFormat | undefined;
  header?: { period?: { start: string; end: string } | undefined } | undefined;
  counts?: { transactions: number } | undefined;
}

/** One active import and its stored trial-balance rows. */
export interface SourceFigures<Run extends SourceRun = SourceRun> {
  run: Run;
  rows: readonly TrialBalanceRow[];
}

/** One account of the prior engagement's closing. */
export type PriorClosingRow = Pick<TrialBalanceRow, "account" | "name" | "mapping" | "closing">;

/**
 * How the prior engagement's closing was made: `composed` — its own opening (by its plan) + its movement, as saldo
 * shows its trial balance; `stated` — as its movement import states it (the chain was longer than
 * {@link MAX_CHAIN_DEPTH} engagements, so the composition stopped there).
 */
export interface PriorClosingOrigin {
  closing: "composed" | "stated";
  /** The prior engagement's opening source (absent for `stated`). */
  opening?: FigureSource;
  /** The prior engagement's movement source. */
  movement: FigureSource;
  /** Every import the closing came from, along the chain (the prior's movement import first). */
  imports: string[];
  /**
   * Where the chain reached its bound ({@link MAX_CHAIN_DEPTH}): the engagement further back whose closing was taken
   * as its movement import states it, instead of composed from its own prior.
   */
  statedAt?: { engagementId: string; importId: string };
}

/**
 * The prior engagement's closing: its composed trial balance's closing (README "Source plans"), and its movement
 * import (`run`: the import whose transactions it shows).
 */
export interface PriorFigures<Run extends SourceRun = SourceRun> {
  engagement: Engagement;
  run: Run;
  rows: readonly PriorClosingRow[];
  origin: PriorClosingOrigin;
}

/**
 * How many engagements back the prior closing is composed (2025 ← 2024 ← 2023 …): beyond it, the engagement at the
 * bound contributes its movement import's stated closing (`origin.closing: "stated"`).
 */
export const MAX_CHAIN_DEPTH = 10;

/** Everything the engagement's figures are composed from (read by `readEngagementSources`). */
export interface EngagementSourceFigures<Run extends SourceRun = SourceRun> {
  engagement: Engagement;
  plan: ResolvedSourcePlan;
  /** The active import of each slot that has one. */
  slots: Partial<Record<SourceSlot, SourceFigures<Run>>>;
  /** The prior engagement's closing; null when there is no prior engagement or it has no figures. */
  prior: PriorFigures<Run> | null;
}

/** Where one column's figures came from. */
export interface FigureSource {
  kind: OpeningSource;
  /** The import the figures are from (absent for `none`, and for a part whose source has no import: `missing`). */
  importId?: string;
  /** `prior`: the prior engagement. */
  engagementId?: string;
  /** `api`: the accounting system. */
  system?: IntegrationSystem;
  /** The import's format (`saft`, `sie`, `csv`, `tripletex`, `poweroffice-go`). */
  format?: SourceFormat;
  /** For an opening from a file: `opening` (the file's opening balances) or `closing` (last year's closing). */
  column?: "opening" | "closing";
  /** True when the plan names a source the engagement has no figures from (yet): the part counts as 0. */
  missing?: true;
  /** `prior`: how the prior engagement's closing was made, and from which imports. */
  priorClosing?: PriorClosingOrigin;
}

/** One account of the composed trial balance. */
export interface ComposedAccount {
  account: string;
  name: string;
  /** The account's mapping to the standard chart (NS 4102), from the first source that has the account. */
  mapping: AccountMapping;
  opening: Ore;
  movement: Ore;
  /** opening + movement. */
  closing: Ore;
  /** The closing balance the movement source states for the account; null when it has none (or no import). */
  statedClosing: Ore | null;
  sources: { opening: FigureSource; movement: FigureSource; closing: "computed" };
}

/** The composed trial balance. */
export interface ComposedTrialBalance {
  plan: ResolvedSourcePlan;
  accounts: ComposedAccount[];
  totals: { opening: Ore; movement: Ore; closing: Ore };
  /** The column sources (every account's are these). */
  sources: { opening: FigureSource; movement: FigureSource; closing: "computed" };
  /** The parts of the plan that have no figures yet. */
  missing: Array<"opening" | "movement">;
}

/**
 * Composes the engagement's trial balance from its sources and plan. Per account:
 * - opening, by the plan's `opening`: `prior` — the prior engagement's closing on balance-sheet accounts (classes
 *   1–2, and accounts outside classes 3–8), and on result accounts (3–8) 0 across a fiscal-year boundary (else the
 *   prior closing; see `carriesResultAccounts`); `file` — the opening-role import's figures (its closing when its
 *   period ends before this engagement starts or it states no period: last year's trial balance, carried over by the
 *   same rule; else its opening), or else the file import's opening; `api` — the API import's opening; `none` — 0;
 * - movement, from the plan's movement import: Σ its posted lines when it has transactions, else the movement it
 *   states (else its closing − its opening, else its closing − the composed opening);
 * - closing = opening + movement; `statedClosing` is the closing the movement import states.
 * An account in either source is listed; accounts are ordered by number.
 */
export function composeTrialBalance<Run extends SourceRun>(
  sources: EngagementSourceFigures<Run>,
): ComposedTrialBalance {
  const { plan, slots } = sources;
  const movementFigures = slots[plan.movement];
  const movementSource: FigureSource =
    movementFigures === undefined
      ? { kind: plan.movement, missing: true }
      : sourceOf(plan.movement, movementFigures.run);

  const opening = openingOf(sources, movementFigures?.rows ?? []);
  const accounts = new Map<string, ComposedAccount>();
  const account = (row: Pick<TrialBalanceRow, "account" | "name" | "mapping">): ComposedAccount => {
    let entry = accounts.get(row.account);
    if (entry === undefined) {
      entry = {
        account: row.account,
        name: row.name,
        mapping: row.mapping,
        opening: 0n,
        movement: 0n,
        closing: 0n,
        statedClosing: null,
        sources: { opening: opening.source, movement: movementSource, closing: "computed" },
      };
      accounts.set(row.account, entry);
    } else if (entry.name === "" && row.name !== "") entry.name = row.name;
    return entry;
  };
  for (const [row, amount] of opening.rows) account(row).opening = amount;
  const transactions = (movementFigures?.run.counts?.transactions ?? 0) > 0;
  for (const row of movementFigures?.rows ?? []) {
    const entry = account(row);
    entry.name = row.name || entry.name;
    entry.movement =
      transactions || row.posted.lines > 0
        ? row.posted.debit - row.posted.credit
        : (row.movement ?? (row.opening !== null ? row.closing - row.opening : row.closing - entry.opening));
    entry.statedClosing = row.stated.closing ?? row.closing;
  }
  const list = [...accounts.values()].sort((a, b) => compareAccounts(a.account, b.account));
  const totals = { opening: 0n, movement: 0n, closing: 0n };
  for (const entry of list) {
    entry.closing = entry.opening + entry.movement;
    totals.opening += entry.opening;
    totals.movement += entry.movement;
    totals.closing += entry.closing;
  }
  const missing: ComposedTrialBalance["missing"] = [];
  if (opening.source.missing) missing.push("opening");
  if (movementSource.missing) missing.push("movement");
  return {
    plan,
    accounts: list,
    totals,
    sources: { opening: opening.source, movement: movementSource, closing: "computed" },
    missing,
  };
}

/** The opening balances by the plan, with the source they came from. */
function openingOf<Run extends SourceRun>(
  sources: EngagementSourceFigures<Run>,
  movementRows: readonly TrialBalanceRow[],
): { source: FigureSource; rows: Array<[Pick<TrialBalanceRow, "account" | "name" | "mapping">, Ore]> } {
  const { plan, slots, prior, engagement } = sources;
  switch (plan.opening) {
    case "none":
      return { source: { kind: "none" }, rows: [] };
    case "prior": {
      if (prior === null) return { source: { kind: "prior", missing: true }, rows: [] };
      const carryResults = carriesResultAccounts(engagement, prior.engagement, movementRows);
      return {
        source: {
          ...sourceOf("prior", prior.run),
          engagementId: prior.engagement.engagementId,
          column: "closing",
          priorClosing: prior.origin,
        },
        rows: carriedOver(prior.rows, carryResults),
      };
    }
    case "file": {
      const openingImport = slots.opening;
      if (openingImport !== undefined) {
        const period = openingImport.run.header?.period;
        const lastYears = period === undefined || period.end <= dayBefore(engagement.periodStart);
        if (lastYears) {
          // Last year's trial balance: its closing carries over as the prior engagement's would.
          const carryResults =
            period !== undefined && period.end === dayBefore(engagement.periodStart)
              ? !isYearBoundary(engagement, period)
              : false;
          return {
            source: { ...sourceOf("file", openingImport.run), column: "closing" },
            rows: carriedOver(openingImport.rows, carryResults),
          };
        }
        return {
          source: { ...sourceOf("file", openingImport.run), column: "opening" },
          rows: openingImport.rows.map((row) => [row, row.opening ?? 0n]),
        };
      }
      const fileImport = slots.file;
      if (fileImport === undefined) return { source: { kind: "file", missing: true }, rows: [] };
      return {
        source: { ...sourceOf("file", fileImport.run), column: "opening" },
        rows: fileImport.rows.map((row) => [row, row.opening ?? 0n]),
      };
    }
    case "api": {
      const apiImport = slots.api;
      if (apiImport === undefined) return { source: { kind: "api", missing: true }, rows: [] };
      return {
        source: { ...sourceOf("api", apiImport.run), column: "opening" },
        rows: apiImport.rows.map((row) => [row, row.opening ?? 0n]),
      };
    }
  }
}

/** Closing balances carried over as opening balances: result accounts (3–8) at 0 unless `carryResults`. */
function carriedOver(rows: readonly PriorClosingRow[], carryResults: boolean): Array<[PriorClosingRow, Ore]> {
  return rows.map((row) => [
    row,
    !carryResults && accountClassOf(row.account, row.mapping.standardAccountId) === "result" ? 0n : row.closing,
  ]);
}

/** Whether a file's period and the engagement are separated by a fiscal-year boundary (see carriesResultAccounts). */
function isYearBoundary(engagement: Engagement, period: { start: string; end: string }): boolean {
  return (
    engagement.kind === "year-end" ||
    engagement.periodStart.endsWith("-01-01") ||
    (period.start.endsWith("-01-01") && period.end.endsWith("-12-31"))
  );
}

function sourceOf(kind: OpeningSource, run: SourceRun): FigureSource {
  return {
    kind,
    importId: run.importId,
    ...(run.source.type === "api" ? { system: run.source.system } : {}),
    ...(run.format !== undefined ? { format: run.format } : {}),
  };
}

const compareAccounts = new Intl.Collator("en", { numeric: true }).compare;

/**
 * The composed trial balance's closing as the next engagement's prior closing (`origin.closing: "composed"`): per
 * account the computed closing (opening + movement), with the sources it came from. `run` is the engagement's
 * movement import.
 */
export function composedClosingOf<Run extends SourceRun>(
  engagement: Engagement,
  composed: ComposedTrialBalance,
  run: Run,
): PriorFigures<Run> {
  const { opening, movement } = composed.sources;
  const { priorClosing: openingOrigin, ...openingSource } = opening;
  const imports = [movement.importId, opening.importId, ...(openingOrigin?.imports ?? [])].filter(
    (importId): importId is string => importId !== undefined,
  );
  const statedAt =
    openingOrigin?.statedAt ??
    (openingOrigin?.closing === "stated" && opening.engagementId !== undefined && opening.importId !== undefined
      ? { engagementId: opening.engagementId, importId: opening.importId }
      : undefined);
  return {
    engagement,
    run,
    rows: composed.accounts.map(({ account, name, mapping, closing }) => ({ account, name, mapping, closing })),
    origin: {
      closing: "composed",
      opening: openingSource,
      movement,
      imports: [...new Set(imports)],
      ...(statedAt !== undefined ? { statedAt } : {}),
    },
  };
}

/**
 * An engagement's closing as its movement import states it (`origin.closing: "stated"`): where the chain of prior
 * closings stops composing ({@link MAX_CHAIN_DEPTH}).
 */
export function statedClosingOf<Run extends SourceRun>(
  engagement: Engagement,
  movement: SourceFigures<Run>,
): PriorFigures<Run> {
  return {
    engagement,
    run: movement.run,
    rows: movement.rows,
    origin: {
      closing: "stated",
      movement: sourceOf(movement.run.source.type, movement.run),
      imports: [movement.run.importId],
    },
  };
}
