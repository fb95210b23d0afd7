import { z } from "zod";
import { reconcileAfterChange, type ReconciliationDeps } from "./engagementReconciliation.ts";
import { getEngagement } from "../engagements/manageEngagements.ts";
import { isConnected, type ResolvedSourcePlan } from "../engagements/sourcePlan.ts";
import {
  MovementSourceSchema,
  OpeningSourceSchema,
  type EngagementRef,
  type EngagementSources,
  type SourcePlanChoice,
} from "../engagements/types.ts";
import { getClient } from "../engagements/manageClients.ts";
import { SourceFormatSchema } from "../ledger/types.ts";
import { composeTrialBalance, type FigureSource } from "../reconcile/composeTrialBalance.ts";
import { IntegrationSystemSchema } from "../secrets/schemas.ts";
import { readEngagementSources, type EngagementSourcesDeps } from "./engagementSources.ts";

/*
 * The engagement's source plan as people and the API see it (issue #10): each part, who chose it, and the import it
 * takes its figures from — `GET|PUT …/engagements/{engagementId}/source-plan` and `saldo source-plan`.
 */

/** The engagement's plan resolved, with the import each part uses. Render it with {@link toSourcePlanJson}. */
export interface SourcePlanView {
  ref: EngagementRef;
  plan: ResolvedSourcePlan;
  /** What the plan explicitly chose (the rest is default). */
  choice: SourcePlanChoice;
  opening: FigureSource;
  movement: FigureSource;
  sources: EngagementSources;
  activeImportId?: string;
}

/**
 * The engagement's source plan: each part as chosen or by default, and the import (or prior engagement) it takes
 * its figures from; a part whose source has no import yet is `missing`.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids)
 */
export async function getSourcePlan(deps: EngagementSourcesDeps, ref: EngagementRef): Promise<SourcePlanView> {
  const sources = await readEngagementSources(deps, ref);
  const composed = composeTrialBalance(sources);
  const { engagement } = sources;
  return {
    ref,
    plan: sources.plan,
    choice: engagement.sourcePlan ?? {},
    opening: composed.sources.opening,
    movement: composed.sources.movement,
    sources: engagement.sources ?? {},
    ...(engagement.activeImportId === undefined ? {} : { activeImportId: engagement.activeImportId }),
  };
}

/**
 * Sets the engagement's source plan: the parts in `choice` are chosen explicitly, the parts left out go back to the
 * default. In the same conditional write the engagement's movement import (`activeImportId`: what readers of the
 * transactions see) becomes the one of the slot the plan's movement names — or none, when that slot has no import
 * yet (the trial balance then says the movement is missing). Every slot keeps its import; nothing is superseded.
 * A plan may name a source that arrives later.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids)
 */
export async function setSourcePlan(
  deps: ReconciliationDeps,
  ref: EngagementRef,
  choice: SourcePlanChoice,
): Promise<SourcePlanView> {
  const [client] = await Promise.all([getClient(deps, ref), getEngagement(deps, ref)]);
  await deps.importStore.changeSourcePlan(ref, choice, { connected: isConnected(client) });
  // The figures follow the plan: reconcile them again (a failure is logged; the change stands).
  await reconcileAfterChange(deps, ref);
  return getSourcePlan(deps, ref);
}

const ChosenBySchema = z.enum(["explicit", "default"]);

/** Where one column's figures come from (without the prior closing's origin). */
const FigureSourceBaseSchema = z.object({
  kind: OpeningSourceSchema,
  /** The import the figures are from; null for `none`, or while the source has no import (`missing`). */
  importId: z.string().nullable(),
  /** `prior`: the prior engagement whose closing the opening carries over. */
  engagementId: z.string().nullable(),
  system: IntegrationSystemSchema.nullable(),
  format: SourceFormatSchema.nullable(),
  /** Which column of that import: `opening`, or `closing` (the prior engagement's, or last year's trial balance). */
  column: z.enum(["opening", "closing"]).nullable(),
  /** True when the plan names a source the engagement has no figures from yet: the column counts as 0. */
  missing: z.boolean(),
});

/** Where one column's figures come from. */
export const FigureSourceSchema = FigureSourceBaseSchema.extend({
  /**
   * `prior`: how the prior engagement's closing was made — `composed`: its opening (`opening`, by its plan) + its
   * movement (`movement`), as saldo shows its trial balance, along the chain of prior engagements; `stated`: as its
   * movement import states it (the chain is longer than 10 engagements; `statedAt` says where it stopped) — and every
   * import it came from. Null for
   * the other kinds.
   */
  priorClosing: z
    .object({
      closing: z.enum(["composed", "stated"]),
      opening: FigureSourceBaseSchema.nullable(),
      movement: FigureSourceBaseSchema,
      imports: z.array(z.string()),
      /** Where the chain reached its bound: the engagement whose closing was taken as its import states it. */
      statedAt: z.object({ engagementId: z.string(), importId: z.string() }).nullable(),
    })
    .nullable(),
});
export type FigureSourceJson = z.infer<typeof FigureSourceSchema>;

/** `GET|PUT …/source-plan` answer. */
export const SourcePlanViewSchema = z.object({
  engagementId: z.string(),
  opening: z.object({ source: OpeningSourceSchema, chosenBy: ChosenBySchema, from: FigureSourceSchema }),
  movement: z.object({ source: MovementSourceSchema, chosenBy: ChosenBySchema, from: FigureSourceSchema }),
  replace: z.object({ value: z.boolean(), chosenBy: ChosenBySchema }),
  /** The closing balance is always opening + movement. */
  closing: z.literal("computed"),
  /** The movement import: the one the transactions come from; null when the movement is missing. */
  activeImportId: z.string().nullable(),
  /** The active import of each slot. */
  imports: z.object({ file: z.string().nullable(), api: z.string().nullable(), opening: z.string().nullable() }),
});
export type SourcePlanJson = z.infer<typeof SourcePlanViewSchema>;

/** Renders one column's source. */
export function toFigureSourceJson(source: FigureSource): FigureSourceJson {
  const origin = source.priorClosing;
  return {
    ...toFigureSourceBaseJson(source),
    priorClosing:
      origin === undefined
        ? null
        : {
            closing: origin.closing,
            opening: origin.opening === undefined ? null : toFigureSourceBaseJson(origin.opening),
            movement: toFigureSourceBaseJson(origin.movement),
            imports: [...origin.imports],
            statedAt: origin.statedAt === undefined ? null : { ...origin.statedAt },
          },
  };
}

function toFigureSourceBaseJson(source: FigureSource): z.infer<typeof FigureSourceBaseSchema> {
  return {
    kind: source.kind,
    importId: source.importId ?? null,
    engagementId: source.engagementId ?? null,
    system: source.system ?? null,
    format: source.format ?? null,
    column: source.column ?? null,
    missing: source.missing === true,
  };
}

/** Renders {@link SourcePlanView} as {@link SourcePlanViewSchema}. */
export function toSourcePlanJson(view: SourcePlanView): SourcePlanJson {
  return {
    engagementId: view.ref.engagementId,
    opening: {
      source: view.plan.opening,
      chosenBy: view.plan.chosenBy.opening,
      from: toFigureSourceJson(view.opening),
    },
    movement: {
      source: view.plan.movement,
      chosenBy: view.plan.chosenBy.movement,
      from: toFigureSourceJson(view.movement),
    },
    replace: { value: view.plan.replace, chosenBy: view.plan.chosenBy.replace },
    closing: "computed",
    activeImportId: view.activeImportId ?? null,
    imports: {
      file: view.sources.file?.importId ?? null,
      api: view.sources.api?.importId ?? null,
      opening: view.sources.opening?.importId ?? null,
    },
  };
}
