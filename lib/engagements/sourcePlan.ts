import type {
  Client,
  Engagement,
  EngagementSources,
  MovementSource,
  SourcePlan,
  SourcePlanChoice,
  SourceSlot,
} from "./types.ts";

/** Who decided a part of the plan: a person (`PUT …/source-plan`, `saldo source-plan`) or the default rule. */
export type ChosenBy = "explicit" | "default";

/** A source plan with every part decided, and who decided each. */
export interface ResolvedSourcePlan extends SourcePlan {
  chosenBy: { opening: ChosenBy; movement: ChosenBy; replace: ChosenBy };
}

/** What the default plan depends on besides the engagement itself (read by the caller; keeps this pure). */
export interface SourcePlanFacts {
  /** The client has a prior engagement (the one ending the day before this one starts) with figures. */
  hasPriorClosing: boolean;
  /** The client is connected: it has an integration recorded for its accounting system (see {@link isConnected}). */
  connected: boolean;
}

/**
 * The engagement's source plan, each part as a person chose it or else by default — the default being what works in
 * practice (issue #10):
 * - opening: `prior` when the client has a prior engagement with figures; else `file` when the engagement has a file
 *   import (an opening-role import or a file import); else `api` when the client is connected or the engagement has
 *   an API import; else `file` (a file is what such a client can give);
 * - movement: `api` when the client is connected, else `file` — but when that slot has no import and the other
 *   slot has one, the other (a connected client's uploaded file is shown until its first sync);
 * - replace: true.
 * Pure.
 */
export function resolveSourcePlan(
  engagement: Pick<Engagement, "sourcePlan" | "sources">,
  facts: SourcePlanFacts,
): ResolvedSourcePlan {
  const choice: SourcePlanChoice = engagement.sourcePlan ?? {};
  const sources: EngagementSources = engagement.sources ?? {};
  const defaultOpening = facts.hasPriorClosing
    ? "prior"
    : sources.opening !== undefined || sources.file !== undefined
      ? "file"
      : facts.connected || sources.api !== undefined
        ? "api"
        : "file";
  return {
    opening: choice.opening ?? defaultOpening,
    movement: movementSourceOf(choice, sources, facts.connected),
    replace: choice.replace ?? true,
    chosenBy: {
      opening: choice.opening === undefined ? "default" : "explicit",
      movement: choice.movement === undefined ? "default" : "explicit",
      replace: choice.replace === undefined ? "default" : "explicit",
    },
  };
}

/**
 * The slot the movement and the transactions come from (see {@link resolveSourcePlan}): the chosen one, or by
 * default `api` when connected, else `file`, falling back to the other slot when the default one is empty. The
 * stores call this when they switch `activeImportId` in the same write as a slot's activation or a plan change.
 */
export function movementSourceOf(
  choice: SourcePlanChoice | undefined,
  sources: EngagementSources | undefined,
  connected: boolean,
): MovementSource {
  if (choice?.movement !== undefined) return choice.movement;
  const preferred: MovementSource = connected ? "api" : "file";
  const other: MovementSource = preferred === "api" ? "file" : "api";
  return sources?.[preferred] === undefined && sources?.[other] !== undefined ? other : preferred;
}

/** Whether the client is connected to its accounting system: an integration is recorded for it (a key was stored). */
export function isConnected(client: Pick<Client, "accountingSystem" | "integrations"> | undefined): boolean {
  if (client === undefined || client.accountingSystem === "other") return false;
  return client.integrations?.[client.accountingSystem] !== undefined;
}

/**
 * The slot an import fills: `opening` for an import uploaded with the opening role, else the kind of its source
 * (`file` or `api`).
 */
export function slotOfImport(run: {
  role?: "figures" | "opening" | undefined;
  source: { type: "file" | "api" };
}): SourceSlot {
  return run.role === "opening" ? "opening" : run.source.type;
}
