import { describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { InProcessSyncQueue } from "../../../lib/imports/InProcessSyncQueue.ts";
import { refreshDueEngagements } from "../../../lib/imports/refreshDueEngagements.ts";
import { runQueuedSyncs, type SyncMessage } from "../../../lib/imports/runQueuedSyncs.ts";
import { requestSync, type SyncDeps } from "../../../lib/imports/syncFromApi.ts";
import { SYNC_QUEUE_LIMITS } from "../../../lib/imports/syncQueues.ts";
import { DEMO_POWEROFFICE_SUBSCRIPTION_KEY } from "../../../lib/local/fakes/demoPlatformKeys.ts";
import { demoCompanyBooks } from "../../../lib/local/fakes/demoBooks.ts";
import { demoTripletexEmployeeTokens } from "../../../lib/local/fakes/tripletex/demoTripletex.ts";
import type { IntegrationKeyBySystem, IntegrationSystem } from "../../../lib/secrets/types.ts";
import { useSyncFakes } from "../../helpers/syncFakes.ts";

/**
 * The scheduled refresh end to end below the functions: the schedule's index in DynamoDB Local, the round
 * (refreshDueEngagements) queueing syncs through the same use case as a manual sync, the in-process sync queue running
 * them with the worker's code against the fake Tripletex and PowerOffice Go servers over HTTP, and each outcome
 * recorded on its engagement.
 */

const fakes = useSyncFakes({ name: "refresh" });

/** A client of its own in `tenantId`, connected (key stored, connection recorded), with a 2025 engagement. */
async function connectedEngagement<S extends IntegrationSystem>(
  tenantId: string,
  clientId: string,
  system: S,
  key: IntegrationKeyBySystem[S],
  schedule: { refreshDueAt?: string; closedAt?: string; orgNumber?: string } = {},
): Promise<EngagementRef> {
  const [ref] = await fakes().connectClient({
    tenantId,
    clientId,
    system,
    key,
    name: `${clientId} AS`,
    ...(schedule.orgNumber !== undefined ? { orgNumber: schedule.orgNumber } : {}),
    integration: {},
  });
  await fakes().stores.engagementStore.updateEngagementSchedule(ref!, {
    refreshDueAt: schedule.refreshDueAt ?? new Date(Date.now() - 60_000).toISOString(),
    ...(schedule.closedAt !== undefined ? { closedAt: schedule.closedAt } : {}),
  });
  return ref!;
}

const engagementOf = async (ref: EngagementRef) => (await fakes().stores.engagementStore.getEngagement(ref))!;

describe("a refresh round with failing clients", () => {
  it("refreshes the due engagements each on its own, records every outcome, and leaves the closed and the not-due alone", async () => {
    const tripletex = await fakes().startTripletex();
    const powerOffice = await fakes().startPowerOffice();
    // PowerOffice Go is down for this round: every request answers 503.
    powerOffice.inject({ path: /.*/, fault: { kind: "status", status: 503 }, times: Infinity });
    const deps = fakes().syncDeps({
      tripletex: fakes().tripletexConnector(tripletex),
      "poweroffice-go": fakes().powerOfficeConnector(powerOffice),
    });
    const tenantId = `refresh-${Date.now()}`;
    const ok = await connectedEngagement(tenantId, "nordvik", "tripletex", { employeeToken: "demo-tripletex-ok" });
    const invalid = await connectedEngagement(tenantId, "feilnokkel", "tripletex", { employeeToken: "not-a-token" });
    const down = await connectedEngagement(tenantId, "fjordlys", "poweroffice-go", {
      clientKey: "demo-poweroffice-ok",
    });
    const closed = await connectedEngagement(
      tenantId,
      "avsluttet",
      "tripletex",
      { employeeToken: "demo-tripletex-ok" },
      { closedAt: "2026-02-01T00:00:00.000Z" },
    );
    const later = new Date(Date.now() + 24 * 3600_000).toISOString();
    const notDue = await connectedEngagement(
      tenantId,
      "senere",
      "tripletex",
      { employeeToken: "demo-tripletex-ok" },
      { refreshDueAt: later },
    );

    const queue = new InProcessSyncQueue((messages) => runQueuedSyncs(deps, messages), { redeliveryDelayMs: 10 });
    const started = new Date();
    const report = await refreshDueEngagements({ ...deps, syncs: queue }, { tenantId });
    expect(report.due).toBe(4);
    expect(report.queued.map((entry) => entry.ref.clientId).sort()).toEqual(["feilnokkel", "fjordlys", "nordvik"]);
    expect(report.skipped).toEqual([{ ref: closed, reason: "not-scheduled" }]);
    expect(report.failed).toEqual([]);
    await queue.idle();

    const good = await engagementOf(ok);
    expect(good.activeImportId).toBe(report.queued.find((entry) => entry.ref.clientId === "nordvik")!.importId);
    expect(good.refresh).toMatchObject({ lastOutcome: "succeeded", lastTrigger: "schedule" });
    expect(good.refresh?.lastError).toBeUndefined();
    expect(Date.parse(good.refresh!.dataAsOf!)).toBeGreaterThanOrEqual(started.getTime() - 1000);
    expect(good.refreshDueAt! > started.toISOString()).toBe(true);

    const refused = await engagementOf(invalid);
    expect(refused.refresh).toMatchObject({ lastOutcome: "failed", lastError: { code: "CONNECTOR_INVALID_KEY" } });
    expect(refused.refresh?.dataAsOf).toBeUndefined();
    expect(refused.activeImportId).toBeUndefined();
    // Still in the schedule: a key can be fixed, and the next round tries again after one interval.
    expect(refused.refreshDueAt! > started.toISOString()).toBe(true);

    const unavailable = await engagementOf(down);
    expect(unavailable.refresh).toMatchObject({ lastOutcome: "failed", lastError: { code: "CONNECTOR_UNAVAILABLE" } });

    const closedAfter = await engagementOf(closed);
    expect(closedAfter.refresh).toBeUndefined();
    expect(closedAfter.refreshDueAt).toBeUndefined();
    expect(await engagementOf(notDue)).toMatchObject({ refreshDueAt: later });
    expect((await engagementOf(notDue)).refresh).toBeUndefined();

    // Nothing is due any more: the next round queues nothing.
    const again = await refreshDueEngagements({ ...deps, syncs: queue }, { tenantId });
    expect(again).toMatchObject({ due: 0, queued: [] });
  }, 240_000);
});

describe("PowerOffice Go's rate limit under concurrent workers", () => {
  it(`two workers (the queue's maximum concurrency) with ${SYNC_QUEUE_LIMITS["poweroffice-go"].requestsPerSecondPerWorker} requests/s each never exceed 10 requests/s on the subscription key`, async () => {
    const powerOffice = await fakes().startPowerOffice();
    const limits = SYNC_QUEUE_LIMITS["poweroffice-go"];
    // Each worker is its own process in the cloud: its own connector, limiter and share of the budget.
    const workers: SyncDeps[] = Array.from({ length: limits.maxConcurrency }, () =>
      fakes().syncDeps({
        "poweroffice-go": fakes().powerOfficeConnector(powerOffice, {
          requestsPerSecond: limits.requestsPerSecondPerWorker,
        }),
      }),
    );
    const messages: SyncMessage[] = [];
    for (let index = 0; index < 4; index++) {
      // A tenant each: the four are the same demo company (Fjordlys Elektro AS), whose number is unique per tenant.
      const ref = await connectedEngagement(
        `rate-${Date.now()}-${index}`,
        "fjordlys",
        "poweroffice-go",
        { clientKey: "demo-poweroffice-ok" },
        { orgNumber: "912345688" },
      );
      const queued = await requestSync(workers[0]!, ref, { kind: "schedule", by: "test" });
      messages.push({
        id: queued.importId,
        body: JSON.stringify({ ...ref, importId: queued.importId, system: "poweroffice-go" }),
        receiveCount: 1,
      });
    }
    const pending = [...messages];
    await Promise.all(
      workers.map(async (worker) => {
        for (let message = pending.shift(); message !== undefined; message = pending.shift()) {
          expect(await runQueuedSyncs(worker, [message])).toEqual([]);
        }
      }),
    );

    for (const message of messages) {
      const { tenantId: t, clientId, engagementId, importId } = JSON.parse(message.body);
      expect(
        (await fakes().stores.importStore.getImport({ tenantId: t, clientId, engagementId, importId }))?.status,
      ).toBe("succeeded");
    }
    const accepted = powerOffice.api.acceptedAt.get(DEMO_POWEROFFICE_SUBSCRIPTION_KEY) ?? [];
    expect(accepted.length).toBeGreaterThan(40);
    // None throttled: the fake answers 429 to any request over 10 in a sliding second (two workers at 10/s each get
    // them), so the requests it accepted are all there were; and the most it accepted in any one-second window.
    let most = 0;
    for (let start = 0; start < accepted.length; start++) {
      let end = start;
      while (end < accepted.length && accepted[end]! < accepted[start]! + 1000) end++;
      most = Math.max(most, end - start);
    }
    expect(most).toBeLessThanOrEqual(10);
    expect(powerOffice.api.throttled.get(DEMO_POWEROFFICE_SUBSCRIPTION_KEY) ?? 0).toBe(0);
    // Four demo years at 10 requests/s take ~10 s on an idle machine; the shared machine may be much slower.
  }, 240_000);
});

describe("Tripletex's budget per token under concurrent workers", () => {
  it(`${SYNC_QUEUE_LIMITS.tripletex.maxConcurrency} workers syncing clients that share one accountant token stay within its budget: no 429, bounded in flight`, async () => {
    const limits = SYNC_QUEUE_LIMITS.tripletex;
    // The fake refuses (429) the 11th request of a token within its one-second period: saldo's budget per token is
    // 10 per second (TRIPLETEX_TOKEN_RATE_LIMIT), of which the workers together take maxConcurrency × their share.
    const tripletex = await fakes().startTripletex({
      employeeTokens: demoTripletexEmployeeTokens(),
      rateLimit: { limit: 10, periodSeconds: 1 },
    });
    // Each worker is its own process in the cloud: its own connector, limiter and share of the token's budget.
    const workers: SyncDeps[] = Array.from({ length: limits.maxConcurrency }, () =>
      fakes().syncDeps({
        tripletex: fakes().tripletexConnector(tripletex, { requestsPerSecond: limits.requestsPerSecondPerWorker }),
      }),
    );
    const companies = ["nordvik", "skarvik"] as const;
    const messages: SyncMessage[] = [];
    for (let index = 0; index < limits.maxConcurrency; index++) {
      // A tenant each (a company's number is unique per tenant), every client bound to a company of the same token.
      const slug = companies[index % companies.length]!;
      const ref = await connectedEngagement(`tt-rate-${Date.now()}-${index}`, slug, "tripletex", {
        employeeToken: "demo-tripletex-accountant",
      });
      await fakes().stores.engagementStore.recordIntegration(
        { tenantId: ref.tenantId, clientId: ref.clientId },
        "tripletex",
        { companyId: demoCompanyBooks(slug).company.id },
      );
      const queued = await requestSync(workers[0]!, ref, { kind: "schedule", by: "test" });
      messages.push({
        id: queued.importId,
        body: JSON.stringify({ ...ref, importId: queued.importId, system: "tripletex" }),
        receiveCount: 1,
      });
    }
    // Every worker takes a message at the same time, as SQS's event source would with a full queue.
    await Promise.all(
      workers.map(async (worker, index) => expect(await runQueuedSyncs(worker, [messages[index]!])).toEqual([])),
    );

    for (const message of messages) {
      const { tenantId: t, clientId, engagementId, importId } = JSON.parse(message.body);
      const run = await fakes().stores.importStore.getImport({ tenantId: t, clientId, engagementId, importId });
      // No 429 reached an outcome: every sync imported (none failed CONNECTOR_RATE_LIMITED).
      expect(run?.status).toBe("succeeded");
      expect(run?.failure).toBeUndefined();
    }
    // The fake answered no 429 to the shared token, and never had more requests in flight than there are workers.
    expect(tripletex.api.throttled.get("demo-tripletex-accountant") ?? 0).toBe(0);
    expect(tripletex.server.requests).toBeGreaterThan(limits.maxConcurrency * 5);
    expect(tripletex.server.peakInFlight).toBeLessThanOrEqual(limits.maxConcurrency);
  }, 300_000);
});
