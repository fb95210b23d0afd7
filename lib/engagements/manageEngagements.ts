import { ulid } from "ulid";
import type { EngagementStore } from "./ports.ts";
import { IdSchema } from "../ids/ids.ts";
import { EngagementConflictError, EngagementNotFoundError, InvalidEngagementInputError } from "./errors.ts";
import { getClient } from "./manageClients.ts";
import { refreshDueAt } from "./refreshSchedule.ts";
import type { ClientRef, Engagement, EngagementRef } from "./types.ts";

/**
 * What an engagement closes: a fiscal year (year-end, "årsavslutning"; the calendar year, as for almost all
 * Norwegian companies) or any period (period-end, "periodeavslutning", e.g. a quarter). Dates are ISO `YYYY-MM-DD`.
 */
export type NewEngagement =
  { kind: "year-end"; fiscalYear: number } | { kind: "period-end"; periodStart: string; periodEnd: string };

/** Dependencies of the engagement use cases. */
export interface EngagementDeps {
  engagementStore: EngagementStore;
  now?: () => Date;
  /** New engagement ids; default ULIDs. */
  newId?: () => string;
}

/** The period an engagement covers: a year-end engagement covers 1 January – 31 December of its fiscal year. */
export function engagementPeriod(input: NewEngagement): { fiscalYear: number; periodStart: string; periodEnd: string } {
  if (input.kind === "year-end") {
    const year = String(input.fiscalYear).padStart(4, "0");
    return { fiscalYear: input.fiscalYear, periodStart: `${year}-01-01`, periodEnd: `${year}-12-31` };
  }
  return {
    fiscalYear: Number(input.periodStart.slice(0, 4)),
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
  };
}

/**
 * Creates an engagement of the tenant's (live) client with a generated id — or with `ref.engagementId` when the
 * caller names it (`saldo upload` on first use of an id).
 *
 * @throws ClientNotFoundError; InvalidEngagementInputError when the period ends before it starts, a year is outside
 * 1900–2200 or the chosen id is invalid; EngagementConflictError ENGAGEMENT_EXISTS when the client has an
 * engagement of the same kind and period, ID_TAKEN when the chosen id exists.
 */
export async function createEngagement(
  deps: EngagementDeps,
  ref: ClientRef & { engagementId?: string },
  input: NewEngagement,
): Promise<Engagement> {
  if (ref.engagementId !== undefined && !IdSchema.safeParse(ref.engagementId).success) {
    throw new InvalidEngagementInputError(`"${ref.engagementId}" is not a valid engagement id`, {
      field: "engagementId",
    });
  }
  const client = await getClient(deps, ref);
  const period = engagementPeriod(input);
  if (period.fiscalYear < 1900 || period.fiscalYear > 2200 || !Number.isInteger(period.fiscalYear)) {
    throw new InvalidEngagementInputError("the fiscal year must be a year from 1900 to 2200", { field: "fiscalYear" });
  }
  if (period.periodEnd < period.periodStart) {
    throw new InvalidEngagementInputError("the period ends before it starts", { field: "periodEnd" });
  }
  // The store's period marker decides between simultaneous creations; this read covers engagements created before
  // markers existed, which hold none.
  const existing = (await deps.engagementStore.listEngagements(ref)).find(
    (engagement) =>
      engagement.kind === input.kind &&
      engagement.periodStart === period.periodStart &&
      engagement.periodEnd === period.periodEnd,
  );
  if (existing) throw periodTaken(period, existing.engagementId);
  const engagement: Engagement = {
    tenantId: ref.tenantId,
    clientId: ref.clientId,
    engagementId: ref.engagementId ?? (deps.newId ?? ulid)(),
    kind: input.kind,
    ...period,
    createdAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  const written = await deps.engagementStore.createEngagement(engagement);
  if (written.outcome === "id-taken") {
    throw new EngagementConflictError("ID_TAKEN", "an engagement with this id already exists", {
      engagementId: engagement.engagementId,
    });
  }
  if (written.outcome === "period-taken") {
    // Another request created the same period between the check above and this write.
    throw periodTaken(period, written.engagementId);
  }
  // A connected client's new engagement joins the schedule (README "Scheduled refresh").
  const due = refreshDueAt(client, engagement, new Date(engagement.createdAt));
  if (due !== null) {
    await deps.engagementStore.updateEngagementSchedule(engagement, { refreshDueAt: due });
    return { ...engagement, refreshDueAt: due };
  }
  return engagement;
}

/** ENGAGEMENT_EXISTS: the client has an engagement of this kind and period (`engagementId`, when known). */
function periodTaken(period: { periodStart: string; periodEnd: string }, engagementId: string | undefined) {
  return new EngagementConflictError(
    "ENGAGEMENT_EXISTS",
    `${engagementId === undefined ? "an engagement" : `engagement "${engagementId}"`} already closes ${period.periodStart} – ${period.periodEnd}`,
    engagementId === undefined ? {} : { engagementId },
  );
}

/**
 * Closes the engagement (the work on it is done): the schedule no longer refreshes it, and `closedAt` says since when.
 * Closing a closed engagement keeps its first `closedAt`. Its figures stay as they are and a person may still sync it.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError
 */
export async function closeEngagement(
  deps: Pick<EngagementDeps, "engagementStore" | "now">,
  ref: EngagementRef,
): Promise<Engagement> {
  const engagement = await getEngagement(deps, ref);
  if (engagement.closedAt !== undefined) return engagement;
  const closedAt = (deps.now ?? (() => new Date()))().toISOString();
  if (!(await deps.engagementStore.updateEngagementSchedule(ref, { closedAt, refreshDueAt: null }))) {
    throw new EngagementNotFoundError(ref);
  }
  const { refreshDueAt: _due, ...rest } = engagement;
  return { ...rest, closedAt };
}

/**
 * Reopens a closed engagement: the schedule refreshes it again (a connected client's), counting from its last sync.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError
 */
export async function reopenEngagement(
  deps: Pick<EngagementDeps, "engagementStore" | "now">,
  ref: EngagementRef,
): Promise<Engagement> {
  const client = await getClient(deps, ref);
  const engagement = await getEngagement(deps, ref);
  const { closedAt: _closedAt, refreshDueAt: _due, ...open } = engagement;
  const now = (deps.now ?? (() => new Date()))();
  const lastRunAt = open.refresh?.lastRunAt;
  const due = refreshDueAt(client, open, lastRunAt !== undefined ? new Date(lastRunAt) : now);
  if (!(await deps.engagementStore.updateEngagementSchedule(ref, { closedAt: null, refreshDueAt: due }))) {
    throw new EngagementNotFoundError(ref);
  }
  return { ...open, ...(due !== null ? { refreshDueAt: due } : {}) };
}

/**
 * The client's engagements, newest period first.
 *
 * @throws ClientNotFoundError
 */
export async function listEngagements(
  deps: Pick<EngagementDeps, "engagementStore">,
  ref: ClientRef,
): Promise<Engagement[]> {
  await getClient(deps, ref);
  const engagements = await deps.engagementStore.listEngagements(ref);
  return engagements.sort(
    (a, b) => b.periodStart.localeCompare(a.periodStart) || a.engagementId.localeCompare(b.engagementId),
  );
}

/**
 * The engagement, when its client exists for this tenant (and is not deleted) and it exists under that client.
 * Every route below `/clients/{clientId}/engagements/{engagementId}` goes through this check first.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError
 */
export async function getEngagement(
  deps: Pick<EngagementDeps, "engagementStore">,
  ref: EngagementRef,
): Promise<Engagement> {
  const [, engagement] = await Promise.all([getClient(deps, ref), deps.engagementStore.getEngagement(ref)]);
  if (!engagement) throw new EngagementNotFoundError(ref);
  return engagement;
}
