import { describe, expect, it } from "vitest";
import { clientIsScheduled, nextRefreshAfter, refreshDueAt } from "../../../lib/engagements/refreshSchedule.ts";
import type { Client, Engagement } from "../../../lib/engagements/types.ts";

const client: Client = {
  tenantId: "t",
  clientId: "c",
  name: "Klient AS",
  accountingSystem: "tripletex",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  integrations: { tripletex: {} },
};
const engagement: Engagement = {
  tenantId: "t",
  clientId: "c",
  engagementId: "2025",
  kind: "year-end",
  fiscalYear: 2025,
  periodStart: "2025-01-01",
  periodEnd: "2025-12-31",
  createdAt: "2026-01-01T00:00:00.000Z",
};
const at = (iso: string) => new Date(iso);

describe("when the schedule refreshes an engagement next", () => {
  it("nightly: the first 01:00 UTC at least two hours after the last sync", () => {
    expect(nextRefreshAfter("nightly", at("2026-03-10T14:20:00Z"))?.toISOString()).toBe("2026-03-11T01:00:00.000Z");
    expect(nextRefreshAfter("nightly", at("2026-03-10T00:30:00Z"))?.toISOString()).toBe("2026-03-11T01:00:00.000Z");
    expect(nextRefreshAfter("nightly", at("2026-03-10T22:59:59Z"))?.toISOString()).toBe("2026-03-11T01:00:00.000Z");
    expect(nextRefreshAfter("nightly", at("2026-03-10T23:30:00Z"))?.toISOString()).toBe("2026-03-12T01:00:00.000Z");
  });

  it("hourly: 55 minutes on (the next quarter-hourly round an hour later); weekly: a Sunday night; off: never", () => {
    expect(nextRefreshAfter("hourly", at("2026-03-10T14:00:10Z"))?.toISOString()).toBe("2026-03-10T14:55:10.000Z");
    // 2026-03-10 is a Tuesday; the next Sunday is 2026-03-15.
    expect(nextRefreshAfter("weekly", at("2026-03-10T14:00:00Z"))?.toISOString()).toBe("2026-03-15T01:00:00.000Z");
    expect(nextRefreshAfter("weekly", at("2026-03-15T00:30:00Z"))?.toISOString()).toBe("2026-03-22T01:00:00.000Z");
    expect(nextRefreshAfter("off", at("2026-03-10T14:00:00Z"))).toBeUndefined();
  });

  it("only a live, connected client's open engagement whose interval is not off, and not before its period starts", () => {
    const base = at("2026-03-10T14:00:00Z");
    expect(refreshDueAt(client, engagement, base)).toBe("2026-03-11T01:00:00.000Z");
    expect(refreshDueAt(client, { ...engagement, closedAt: "2026-03-01T00:00:00.000Z" }, base)).toBeNull();
    expect(refreshDueAt({ ...client, refresh: { interval: "off" } }, engagement, base)).toBeNull();
    expect(refreshDueAt({ ...client, integrations: {} }, engagement, base)).toBeNull();
    expect(refreshDueAt({ ...client, accountingSystem: "other" }, engagement, base)).toBeNull();
    expect(refreshDueAt({ ...client, deletedAt: "2026-03-01T00:00:00.000Z" }, engagement, base)).toBeNull();
    const future = { ...engagement, engagementId: "2027", fiscalYear: 2027, periodStart: "2027-01-01" };
    expect(refreshDueAt(client, future, base)).toBe("2027-01-01T01:00:00.000Z");
    expect(clientIsScheduled(client)).toBe(true);
  });
});
