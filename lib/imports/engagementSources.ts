import { getClient } from "../engagements/manageClients.ts";
import { isConnected, resolveSourcePlan } from "../engagements/sourcePlan.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { Client, Engagement, EngagementRef, EngagementSources, SourceSlot } from "../engagements/types.ts";
import { EngagementNotFoundError } from "../engagements/errors.ts";
import type { EngagementSourceFigures, PriorFigures, SourceFigures } from "../reconcile/composeTrialBalance.ts";
import { findPriorEngagement } from "../reconcile/priorClosing.ts";
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
  prior: (PriorFigures<ImportRun> & { rows: StoredTrialBalanceRow[] }) | null;
}

/**
 * Reads everything the engagement's figures are composed from (issue #10, source plans), in parallel: the
 * engagement and its client, the active import of each source slot that has one (run and stored trial-balance
 * rows), the prior engagement's closing (the engagement ending the day before this one starts, its movement import
 * and rows: {@link findPriorEngagement}), and the resolved source plan (`resolveSourcePlan`: whether the prior
 * closing exists and the client is connected decide the default). Compose the figures with `composeTrialBalance`.
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
    readPriorFigures(deps, engagement, engagements),
  ]);
  const slots: EngagementSourcesRead["slots"] = {
    ...(file !== undefined ? { file } : {}),
    ...(api !== undefined ? { api } : {}),
    ...(opening !== undefined ? { opening } : {}),
  };
  const plan = resolveSourcePlan(
    { ...engagement, sources },
    { hasPriorClosing: prior !== null, connected: isConnected(client) },
  );
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

/** The closing of the prior engagement (its movement import), or null when it has none. */
export async function readPriorFigures(
  deps: EngagementSourcesDeps,
  engagement: Engagement,
  candidates: readonly Engagement[],
): Promise<(PriorFigures<ImportRun> & { rows: StoredTrialBalanceRow[] }) | null> {
  const prior = findPriorEngagement(engagement, candidates);
  if (prior?.activeImportId === undefined) return null;
  const figures = await readImportFigures(deps, { ...prior, importId: prior.activeImportId });
  return figures === undefined ? null : { engagement: prior, ...figures };
}
