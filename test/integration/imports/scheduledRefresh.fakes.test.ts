import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KeyedRateLimiter } from "../../../lib/connectors/http/index.ts";
import { PowerOfficeGoConnector } from "../../../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import { TripletexConnector } from "../../../lib/connectors/tripletex/TripletexConnector.ts";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { InProcessSyncQueue } from "../../../lib/imports/InProcessSyncQueue.ts";
import { refreshDueEngagements } from "../../../lib/imports/refreshDueEngagements.ts";
import { runQueuedSyncs, type SyncMessage } from "../../../lib/imports/runQueuedSyncs.ts";
import { requestSync, type SyncDeps } from "../../../lib/imports/syncFromApi.ts";
import { SYNC_QUEUE_LIMITS } from "../../../lib/imports/syncQueues.ts";
import {
  DEMO_POWEROFFICE_APPLICATION_KEY,
  DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
  DEMO_TRIPLETEX_CONSUMER_TOKEN,
} from "../../../lib/local/fakes/demoPlatformKeys.ts";
import { FakePowerOfficeGoServer } from "../../../lib/local/fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { demoPowerOfficeClients } from "../../../lib/local/fakes/powerofficeGo/powerOfficeDemoClients.ts";
import { demoCompanyBooks } from "../../../lib/local/fakes/demoBooks.ts";
import { demoTripletexEmployeeTokens } from "../../../lib/local/fakes/tripletex/demoTripletex.ts";
import { FakeTripletexServer } from "../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { localDynamoDbClientConfig } from "../../../lib/local/stack/startLocalStack.ts";
import { EncryptedFileKeyVault } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem } from "../../../lib/secrets/types.ts";
import { createDynamoStores, type DynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { useTestEmulators } from "../../helpers/emulators.ts";

/**
 * The scheduled refresh end to end below the functions: the schedule's index in DynamoDB Local, the round
 * (refreshDueEngagements) queueing syncs through the same use case as a manual sync, the in-process sync queue running
 * them with the worker's code against the fake Tripletex and PowerOffice Go servers over HTTP, and each outcome
 * recorded on its engagement.
 */

const emulators = useTestEmulators();
const fastHttp = { timeoutMs: 1_500, retry: { baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 5_000 } };

let stores: DynamoStores;
let keys: EncryptedFileKeyVault;
let vaultDir: string;
let tripletex: FakeTripletexServer | undefined;
let powerOffice: FakePowerOfficeGoServer | undefined;

beforeAll(async () => {
  stores = createDynamoStores({
    tableName: emulators().tableName,
    clientConfig: localDynamoDbClientConfig(emulators().dynamoEndpoint),
  });
  vaultDir = await mkdtemp(join(tmpdir(), "saldo-refresh-"));
  keys = new EncryptedFileKeyVault({ directory: vaultDir, masterKey: new Uint8Array(32).fill(3) });
});
afterAll(async () => {
  stores?.close();
  await rm(vaultDir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all([tripletex?.close(), powerOffice?.close()]);
  tripletex = undefined;
  powerOffice = undefined;
});

function powerOfficeConnector(server: FakePowerOfficeGoServer, requestsPerSecond?: number) {
  return new PowerOfficeGoConnector({
    applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
    subscriptionKey: DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
    baseUrl: server.url,
    // Its own limiter: one per worker process, as each Lambda has its own.
    limiter: new KeyedRateLimiter(),
    ...(requestsPerSecond !== undefined ? { rateLimit: { requests: requestsPerSecond, perMs: 1000 } } : {}),
    timeoutMs: fastHttp.timeoutMs,
    retry: fastHttp.retry,
  });
}

/** A client of its own in `tenantId`, connected (key stored, connection recorded), with a 2025 engagement. */
async function connectedEngagement<S extends IntegrationSystem>(
  tenantId: string,
  clientId: string,
  system: S,
  key: IntegrationKeyBySystem[S],
  schedule: { refreshDueAt?: string; closedAt?: string; orgNumber?: string } = {},
): Promise<EngagementRef> {
  const ref = { tenantId, clientId, engagementId: "2025" };
  const now = new Date().toISOString();
  await stores.engagementStore.createClient({
    tenantId,
    clientId,
    name: `${clientId} AS`,
    ...(schedule.orgNumber !== undefined ? { orgNumber: schedule.orgNumber } : {}),
    accountingSystem: system,
    createdAt: now,
    updatedAt: now,
  });
  await stores.engagementStore.createEngagement({
    ...ref,
    kind: "year-end",
    fiscalYear: 2025,
    periodStart: "2025-01-01",
    periodEnd: "2025-12-31",
    createdAt: now,
  });
  await keys.put({ tenantId, clientId, system }, key);
  await stores.engagementStore.recordIntegration({ tenantId, clientId }, system, {});
  await stores.engagementStore.updateEngagementSchedule(ref, {
    refreshDueAt: schedule.refreshDueAt ?? new Date(Date.now() - 60_000).toISOString(),
    ...(schedule.closedAt !== undefined ? { closedAt: schedule.closedAt } : {}),
  });
  return ref;
}

const engagementOf = async (ref: EngagementRef) => (await stores.engagementStore.getEngagement(ref))!;

describe("a refresh round with failing clients", () => {
  it("refreshes the due engagements each on its own, records every outcome, and leaves the closed and the not-due alone", async () => {
    tripletex = await FakeTripletexServer.start({ employeeTokens: demoTripletexEmployeeTokens() });
    powerOffice = await FakePowerOfficeGoServer.start({
      applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
      subscriptionKeys: [DEMO_POWEROFFICE_SUBSCRIPTION_KEY],
      clients: demoPowerOfficeClients(),
    });
    // PowerOffice Go is down for this round: every request answers 503.
    powerOffice.inject({ path: /.*/, fault: { kind: "status", status: 503 }, times: Infinity });
    const deps: SyncDeps = {
      ...stores,
      keys,
      connectors: {
        tripletex: new TripletexConnector({
          baseUrl: tripletex.url,
          consumerToken: new Secret(DEMO_TRIPLETEX_CONSUMER_TOKEN),
          http: fastHttp,
        }),
        "poweroffice-go": powerOfficeConnector(powerOffice),
      },
      retentionSeconds: 3600,
      heartbeatSeconds: 0.5,
    };
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
    powerOffice = await FakePowerOfficeGoServer.start({
      applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
      subscriptionKeys: [DEMO_POWEROFFICE_SUBSCRIPTION_KEY],
      clients: demoPowerOfficeClients(),
    });
    const limits = SYNC_QUEUE_LIMITS["poweroffice-go"];
    // Each worker is its own process in the cloud: its own connector, limiter and share of the budget.
    const workers: SyncDeps[] = Array.from({ length: limits.maxConcurrency }, () => ({
      ...stores,
      keys,
      connectors: { "poweroffice-go": powerOfficeConnector(powerOffice!, limits.requestsPerSecondPerWorker) },
      retentionSeconds: 3600,
      heartbeatSeconds: 0.5,
    }));
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
      expect((await stores.importStore.getImport({ tenantId: t, clientId, engagementId, importId }))?.status).toBe(
        "succeeded",
      );
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
    tripletex = await FakeTripletexServer.start({
      employeeTokens: demoTripletexEmployeeTokens(),
      rateLimit: { limit: 10, periodSeconds: 1 },
    });
    // Each worker is its own process in the cloud: its own connector, limiter and share of the token's budget.
    const workers: SyncDeps[] = Array.from({ length: limits.maxConcurrency }, () => ({
      ...stores,
      keys,
      connectors: {
        tripletex: new TripletexConnector({
          baseUrl: tripletex!.url,
          consumerToken: new Secret(DEMO_TRIPLETEX_CONSUMER_TOKEN),
          limiter: new KeyedRateLimiter(),
          rateLimit: { requests: limits.requestsPerSecondPerWorker, perMs: 1000 },
          http: fastHttp,
        }),
      },
      retentionSeconds: 3600,
      heartbeatSeconds: 0.5,
    }));
    const companies = ["nordvik", "skarvik"] as const;
    const messages: SyncMessage[] = [];
    for (let index = 0; index < limits.maxConcurrency; index++) {
      // A tenant each (a company's number is unique per tenant), every client bound to a company of the same token.
      const slug = companies[index % companies.length]!;
      const ref = await connectedEngagement(`tt-rate-${Date.now()}-${index}`, slug, "tripletex", {
        employeeToken: "demo-tripletex-accountant",
      });
      await stores.engagementStore.recordIntegration({ tenantId: ref.tenantId, clientId: ref.clientId }, "tripletex", {
        companyId: demoCompanyBooks(slug).company.id,
      });
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
      const run = await stores.importStore.getImport({ tenantId: t, clientId, engagementId, importId });
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
