import type { EngagementStore } from "./ports.ts";
import {
  DEFAULT_REFRESH_INTERVAL,
  type Client,
  type ClientRef,
  type Engagement,
  type RefreshInterval,
} from "./types.ts";

/**
 * When the schedule refreshes what (README "Scheduled refresh"). Pure rules, plus the one write that keeps a client's
 * engagements in the schedule's index after a change of the client.
 *
 * An engagement is in the schedule when it is open (not closed), its client is live, has an accounting system saldo
 * reads and has been connected (a key was stored: the client records the connection), and the client's interval is
 * not `off`. Its next refresh is due one interval after its last sync (scheduled or manual) ended — or after it was
 * put in the schedule — and never before its period starts (a future period has no figures yet).
 *
 * Intervals: `hourly` — 55 minutes after the last sync (the schedule runs every 15 minutes, so once an hour); `nightly`
 * (the default) — the first round after 01:00 UTC (02:00 or 03:00 in Norway) that is at least 2 hours after the last
 * sync; `weekly` — the same on Sundays; `off` — never (manual syncs only).
 */

/** How often the schedule's round runs (infra/config.ts REFRESH_CONFIG.schedule; the local timer's default). */
export const REFRESH_ROUND_MINUTES = 15;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The hour (UTC) of the night at which nightly and weekly refreshes fall due. */
const NIGHT_HOUR_UTC = 1;
/** A sync this close before the night's due time makes that night's refresh needless. */
const NIGHT_SLACK = 2 * HOUR;

/** The client's refresh interval (default nightly). */
export function refreshIntervalOf(client: Pick<Client, "refresh">): RefreshInterval {
  return client.refresh?.interval ?? DEFAULT_REFRESH_INTERVAL;
}

/** When a refresh is next due after a sync that ended at `after`; undefined for `off`. */
export function nextRefreshAfter(interval: RefreshInterval, after: Date): Date | undefined {
  switch (interval) {
    case "off":
      return undefined;
    case "hourly":
      return new Date(after.getTime() + 55 * MINUTE);
    case "nightly":
    case "weekly": {
      const day = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), NIGHT_HOUR_UTC));
      let due = day.getTime();
      while (due - after.getTime() < NIGHT_SLACK || (interval === "weekly" && new Date(due).getUTCDay() !== 0)) {
        due += DAY;
      }
      return new Date(due);
    }
  }
}

/** Whether the schedule refreshes the client's engagements at all (live, connected, interval not `off`). */
export function clientIsScheduled(client: Client): boolean {
  if (client.deletedAt !== undefined || client.accountingSystem === "other") return false;
  if (client.integrations?.[client.accountingSystem] === undefined) return false;
  return refreshIntervalOf(client) !== "off";
}

/**
 * The engagement's next refresh (ISO time), or null when the schedule does not refresh it: one interval after `base`
 * (its last sync's end, else now), not before its period starts.
 */
export function refreshDueAt(client: Client, engagement: Engagement, base: Date): string | null {
  if (engagement.closedAt !== undefined || !clientIsScheduled(client)) return null;
  const next = nextRefreshAfter(refreshIntervalOf(client), base);
  if (next === undefined) return null;
  const periodStart = `${engagement.periodStart}T${String(NIGHT_HOUR_UTC).padStart(2, "0")}:00:00.000Z`;
  const due = next.toISOString();
  return due < periodStart ? periodStart : due;
}

/**
 * Puts the client's open engagements into the schedule, or takes them out, after the client changed (its interval,
 * its accounting system, a key stored): each one's next refresh counts from its last sync, else from now.
 */
export async function rescheduleClientEngagements(
  deps: { engagementStore: EngagementStore; now?: () => Date },
  ref: ClientRef,
): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  const client = await deps.engagementStore.getClient(ref);
  if (client === undefined) return;
  const engagements = await deps.engagementStore.listEngagements(ref);
  await Promise.all(
    engagements.map((engagement) => {
      const lastRunAt = engagement.refresh?.lastRunAt;
      const due = refreshDueAt(client, engagement, lastRunAt !== undefined ? new Date(lastRunAt) : now);
      if (due === (engagement.refreshDueAt ?? null)) return Promise.resolve(true);
      return deps.engagementStore.updateEngagementSchedule(engagement, { refreshDueAt: due });
    }),
  );
}
