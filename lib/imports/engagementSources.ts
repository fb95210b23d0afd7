import { getClient } from "../engagements/manageClients.ts";
import { isConnected, resolveSourcePlan, type SourcePlanFacts } from "../engagements/sourcePlan.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { Client, Engagement, EngagementRef, EngagementSources, SourceSlot } from "../engagements/types.ts";
import { EngagementNotFoundError } from "../engagements/errors.ts";
import {
  composeTrialBalance,
  composedClosingOf,
  MAX_CHAIN_DEPTH,
  statedClosingOf,
  type ComposedTrialBalance,
  type EngagementSourceFigures,
  type PriorFigures,
  type SourceFigures,
} from "../reconcile/composeTrialBalance.ts";
import { priorChainOf } from "../reconcile/priorClosing.ts";
import type { ImportStore, StoredTrialBalanceRow } from "./ports.ts";
import type { ImportRun } from "./types.ts";

/** What readEngagementSources needs (STYLE.md §5). */
export interface EngagementSourcesDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
}

/** The engagement's sources as read: the figures of each slot's import (with its rows), the prior closing, the plan. */
export interface EngagementSourcesRead extends EngagementSourceFigures<ImportRun> {
  client: Client;
  slots: Partial<Record<SourceSlot, { run: ImportRun; rows: StoredTrialBalanceRow[] }>>;
  prior: PriorFigures<ImportRun> | null;
}

/**
 * Reads everything the engagement's figures are composed from (issue #10, source plans): the engagement and its
 * client, the active import of each source slot that has one (run and stored trial-balance rows), the prior
 * engagement's closing ({@link readPriorFigures}: as saldo composes it, along the chain of prior engagements), and
 * the resolved source plan (`resolveSourcePlan`: whether the prior closing exists and the client is connected decide
 * the default). Compose the figures with `composeTrialBalance`.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids)
 */
export async function readEngagementSources(
  deps: EngagementSourcesDeps,
  ref: EngagementRef,
): Promise<EngagementSourcesRead> {
  const [client, engagement, engagements] = await Promise.all([
    getClient(deps, ref),
    deps.engagementStore.getEngagement(ref),
    deps.engagementStore.listEngagements(ref),
  ]);
  if (engagement === undefined) throw new EngagementNotFoundError(ref);
  const connected = isConnected(client);
  const sources = await sourcesOfEngagement(deps, engagement);
  const readSlot = async (slot: SourceSlot) => {
    const active = sources[slot];
    if (active === undefined) return undefined;
    return readImportFigures(deps, { ...ref, importId: active.importId });
  };
  const [file, api, opening, prior] = await Promise.all([
    readSlot("file"),
    readSlot("api"),
    readSlot("opening"),
    readPriorFigures(deps, engagement, engagements, connected),
  ]);
  const slots: EngagementSourcesRead["slots"] = {
    ...(file !== undefined ? { file } : {}),
    ...(api !== undefined ? { api } : {}),
    ...(opening !== undefined ? { opening } : {}),
  };
  const plan = resolveSourcePlan({ ...engagement, sources }, { hasPriorClosing: prior !== null, connected });
  return { engagement: { ...engagement, sources }, client, plan, slots, prior };
}

/**
 * The engagement's slots; an engagement activated before slots existed has its one active import in the slot of
 * its kind.
 */
export async function sourcesOfEngagement(
  deps: EngagementSourcesDeps,
  engagement: Engagement,
): Promise<EngagementSources> {
  if (engagement.sources !== undefined) return engagement.sources;
  if (engagement.activeImportId === undefined) return {};
  const run = await deps.importStore.getImport({ ...engagement, importId: engagement.activeImportId });
  if (run === undefined) return {};
  const slot: SourceSlot = run.role === "opening" ? "opening" : run.source.type;
  return { [slot]: { importId: run.importId, orderKey: engagement.activeOrderKey ?? run.orderKey } };
}

async function readImportFigures(
  deps: EngagementSourcesDeps,
  ref: EngagementRef & { importId: string },
): Promise<(SourceFigures<ImportRun> & { rows: StoredTrialBalanceRow[] }) | undefined> {
  const [run, rows] = await Promise.all([deps.importStore.getImport(ref), deps.importStore.readTrialBalance(ref)]);
  return run === undefined ? undefined : { run, rows };
}

/**
 * The prior engagement's closing as saldo shows it — its trial balance composed by its own plan (opening + movement)
 * — or null when it has none (no prior engagement, or one without an active import).
 *
 * The prior's opening may itself be its prior's closing: the chain (2025 ← 2024 ← 2023 …, {@link priorChainOf}) is
 * composed from its oldest engagement on, at most {@link MAX_CHAIN_DEPTH} engagements back; where it stops short,
 * that engagement's closing is the one its movement import states (`origin.closing: "stated"`). Each engagement of
 * the chain is read once, and only the slots its plan takes figures from; the reads run in parallel.
 */
export async function readPriorFigures(
  deps: EngagementSourcesDeps,
  engagement: Engagement,
  candidates: readonly Engagement[],
  connected: boolean,
): Promise<PriorFigures<ImportRun> | null> {
  const chain = priorChainOf(engagement, candidates, MAX_CHAIN_DEPTH);
  const links = await Promise.all(
    chain.engagements.map((link, index) => {
      const last = index === chain.engagements.length - 1;
      return last && chain.truncated
        ? readStatedLink(deps, link)
        : readComposedLink(deps, link, { hasPriorClosing: !last, connected });
    }),
  );
  // From the oldest engagement on: each one's closing is the next one's prior closing.
  let prior: PriorFigures<ImportRun> | null = null;
  for (const link of links.reverse()) {
    if (link === null) prior = null;
    else if (link.kind === "stated") prior = statedClosingOf(link.engagement, link.movement);
    else {
      const composed: ComposedTrialBalance = composeTrialBalance({ ...link.figures, prior });
      prior = composedClosingOf(link.figures.engagement, composed, link.movement.run);
    }
  }
  return prior;
}

type ChainLink =
  | { kind: "stated"; engagement: Engagement; movement: SourceFigures<ImportRun> }
  | {
      kind: "composed";
      figures: Omit<EngagementSourceFigures<ImportRun>, "prior">;
      movement: SourceFigures<ImportRun>;
    }
  | null;

/** An engagement of the chain whose closing is taken as stated: its movement import (null when it has none). */
async function readStatedLink(deps: EngagementSourcesDeps, engagement: Engagement): Promise<ChainLink> {
  if (engagement.activeImportId === undefined) return null;
  const movement = await readImportFigures(deps, { ...engagement, importId: engagement.activeImportId });
  return movement === undefined ? null : { kind: "stated", engagement, movement };
}

/**
 * An engagement of the chain whose closing is composed: its plan, and the slots the plan takes the movement and the
 * opening from (a prior opening comes from the chain). Null when its movement import cannot be read.
 */
async function readComposedLink(
  deps: EngagementSourcesDeps,
  engagement: Engagement,
  facts: SourcePlanFacts,
): Promise<ChainLink> {
  const sources = await sourcesOfEngagement(deps, engagement);
  const plan = resolveSourcePlan({ ...engagement, sources }, facts);
  const openingSlots: SourceSlot[] =
    plan.opening === "file"
      ? [sources.opening !== undefined ? "opening" : "file"]
      : plan.opening === "api"
        ? ["api"]
        : [];
  const wanted = [...new Set<SourceSlot>([plan.movement, ...openingSlots])];
  const read = await Promise.all(
    wanted.map(async (slot) => {
      const active = sources[slot];
      const figures =
        active === undefined ? undefined : await readImportFigures(deps, { ...engagement, importId: active.importId });
      return [slot, figures] as const;
    }),
  );
  const slots: EngagementSourceFigures<ImportRun>["slots"] = {};
  for (const [slot, figures] of read) if (figures !== undefined) slots[slot] = figures;
  const movement = slots[plan.movement];
  if (movement === undefined) return null;
  return { kind: "composed", figures: { engagement: { ...engagement, sources }, plan, slots }, movement };
}
