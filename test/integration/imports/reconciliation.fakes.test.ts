import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PowerOfficeGoConnector } from "../../../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import { TripletexConnector } from "../../../lib/connectors/tripletex/TripletexConnector.ts";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { getEngagementReconciliation } from "../../../lib/imports/engagementReconciliation.ts";
import { readEngagementSources } from "../../../lib/imports/engagementSources.ts";
import { syncFromApi, type SyncDeps } from "../../../lib/imports/syncFromApi.ts";
import { demoCompanyBooks, type DemoCompanySlug } from "../../../lib/local/fakes/demoBooks.ts";
import {
  DEMO_POWEROFFICE_APPLICATION_KEY,
  DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
  DEMO_TRIPLETEX_CONSUMER_TOKEN,
} from "../../../lib/local/fakes/demoPlatformKeys.ts";
import { FakePowerOfficeGoServer } from "../../../lib/local/fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { demoPowerOfficeClients } from "../../../lib/local/fakes/powerofficeGo/powerOfficeDemoClients.ts";
import { demoTripletexEmployeeTokens } from "../../../lib/local/fakes/tripletex/demoTripletex.ts";
import { FakeTripletexServer } from "../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { localDynamoDbClientConfig } from "../../../lib/local/stack/startLocalStack.ts";
import { formatOre } from "../../../lib/money/ore.ts";
import { accountClassOf } from "../../../lib/reconcile/accountClass.ts";
import { composeTrialBalance } from "../../../lib/reconcile/composeTrialBalance.ts";
import { EncryptedFileKeyVault } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem } from "../../../lib/secrets/types.ts";
import { createDynamoStores, type DynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { useTestEmulators } from "../../helpers/emulators.ts";

/**
 * Issue #10 "Done when": syncing fiscal years 2024 and 2025 of the demo companies from the fake Tripletex and
 * PowerOffice Go servers (real HTTP on loopback) into the real store (DynamoDB Local). The 2025 trial balance opens
 * with 2024's closing on the balance sheet and at 0 on the income statement, and the reconciliation — computed after
 * each sync and stored — says `reconciled`; for the wrong-IB company the default plan carries the right opening over
 * by itself and the reconciliation names each account where the API's opening differs, with the amount and the hint.
 * Every figure is checked against the fakes' books.
 */

const emulators = useTestEmulators();
const trigger = { kind: "cli" as const, by: "test" };
const fastHttp = { timeoutMs: 5_000, retry: { baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 5_000 } };

let stores: DynamoStores;
let keys: EncryptedFileKeyVault;
let vaultDir: string;
let tenants = 0;
let tripletex: FakeTripletexServer | undefined;
let powerOffice: FakePowerOfficeGoServer | undefined;

beforeAll(async () => {
  stores = createDynamoStores({
    tableName: emulators().tableName,
    clientConfig: localDynamoDbClientConfig(emulators().dynamoEndpoint),
  });
  vaultDir = await mkdtemp(join(tmpdir(), "saldo-reconcile-fakes-"));
  keys = new EncryptedFileKeyVault({ directory: vaultDir, masterKey: new Uint8Array(32).fill(7) });
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

async function connectors(system: IntegrationSystem): Promise<SyncDeps["connectors"]> {
  if (system === "tripletex") {
    tripletex = await FakeTripletexServer.start({ employeeTokens: demoTripletexEmployeeTokens() });
    return {
      tripletex: new TripletexConnector({
        baseUrl: tripletex.url,
        consumerToken: new Secret(DEMO_TRIPLETEX_CONSUMER_TOKEN),
        http: fastHttp,
      }),
    };
  }
  powerOffice = await FakePowerOfficeGoServer.start({
    applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
    subscriptionKeys: [DEMO_POWEROFFICE_SUBSCRIPTION_KEY],
    clients: demoPowerOfficeClients(),
  });
  return {
    "poweroffice-go": new PowerOfficeGoConnector({
      applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
      subscriptionKey: DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
      baseUrl: powerOffice.url,
      timeoutMs: fastHttp.timeoutMs,
      retry: fastHttp.retry,
    }),
  };
}

/** A connected client (own tenant) with year-end engagements 2024 and 2025. */
async function connectedClient<S extends IntegrationSystem>(
  system: S,
  key: IntegrationKeyBySystem[S],
): Promise<{ fy2024: EngagementRef; fy2025: EngagementRef }> {
  tenants++;
  const client = { tenantId: `reconcile-${tenants}`, clientId: "client" };
  const now = new Date().toISOString();
  await stores.engagementStore.createClient({
    ...client,
    name: "Klient AS",
    accountingSystem: system,
    createdAt: now,
    updatedAt: now,
  });
  for (const year of [2024, 2025]) {
    await stores.engagementStore.createEngagement({
      ...client,
      engagementId: String(year),
      kind: "year-end",
      fiscalYear: year,
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
      createdAt: now,
    });
  }
  await keys.put({ ...client, system }, key);
  return { fy2024: { ...client, engagementId: "2024" }, fy2025: { ...client, engagementId: "2025" } };
}

/** The books' closing of 2024 per account (balance-sheet accounts carry over; result accounts open 2025 at 0). */
function expectedOpening2025(slug: DemoCompanySlug): Map<string, bigint> {
  const closing = demoCompanyBooks(slug).balancesAt("2024-12-31");
  const opening = new Map<string, bigint>();
  for (const [account, amount] of closing) {
    opening.set(account, accountClassOf(account) === "balance-sheet" ? amount : 0n);
  }
  return opening;
}

async function syncYears(system: IntegrationSystem, key: IntegrationKeyBySystem[IntegrationSystem], order: number[]) {
  const deps: SyncDeps = {
    ...stores,
    keys,
    connectors: await connectors(system),
    retentionSeconds: 3600,
    heartbeatSeconds: 0.5,
  };
  const refs = await connectedClient(system, key);
  const outcomes: Record<number, string> = {};
  for (const year of order) {
    const result = await syncFromApi(deps, { ref: year === 2024 ? refs.fy2024 : refs.fy2025, trigger });
    outcomes[year] = result.outcome;
  }
  return { refs, outcomes };
}

describe("reconciliation of the demo companies across fiscal years 2024 and 2025", () => {
  it.each([
    ["demo-poweroffice-ok", "poweroffice-go", "fjordlys", { clientKey: "demo-poweroffice-ok" }],
    ["demo-tripletex-ok", "tripletex", "nordvik", { employeeToken: "demo-tripletex-ok" }],
  ] as const)(
    "%s: 2025 opens with the 2024 closing (classes 1–2) and at 0 (3–8), and is reconciled",
    async (_key, system, slug, key) => {
      const { refs, outcomes } = await syncYears(system, key, [2024, 2025]);
      expect(outcomes).toEqual({ 2024: "imported", 2025: "imported" });

      const composed = composeTrialBalance(await readEngagementSources(stores, refs.fy2025));
      expect(composed.plan).toMatchObject({ opening: "prior", movement: "api" });
      const expected = expectedOpening2025(slug);
      const opened = new Map(composed.accounts.map((account) => [account.account, account.opening]));
      for (const [account, amount] of expected) expect([account, opened.get(account) ?? 0n]).toEqual([account, amount]);
      expect(composed.totals.opening).toBe(0n);

      const stored = await stores.importStore.getReconciliation(refs.fy2025);
      expect(stored).toMatchObject({ status: "reconciled", count: 0, total: "0.00", differences: [] });
      const read = await getEngagementReconciliation(stores, refs.fy2025);
      expect(read).toMatchObject({ status: "reconciled", computedAt: stored!.computedAt });
    },
  );

  it("demo-tripletex-wrong-ib: the default plan carries the right opening over, and the reconciliation names the API's wrong IB on equity with the amount and the hint", async () => {
    const { refs, outcomes } = await syncYears("tripletex", { employeeToken: "demo-tripletex-wrong-ib" }, [2024, 2025]);
    expect(outcomes).toEqual({ 2024: "imported", 2025: "imported" });

    const composed = composeTrialBalance(await readEngagementSources(stores, refs.fy2025));
    const expected = expectedOpening2025("havbris");
    for (const account of composed.accounts)
      expect([account.account, account.opening]).toEqual([account.account, expected.get(account.account) ?? 0n]);

    // What the fake's API misreports: the books' adjustments in force on 2025-01-01.
    const adjustments = demoCompanyBooks("havbris").reportedOpeningAdjustments.filter((a) => a.from <= "2025-01-01");
    expect(adjustments.length).toBeGreaterThan(0);
    const reconciliation = await getEngagementReconciliation(stores, refs.fy2025);
    expect(reconciliation.status).toBe("differences");
    const apiOpening = reconciliation.differences.filter((d) => d.code === "OPENING_API_DIFFERS");
    expect(apiOpening.map((d) => [d.account, d.amount, d.hint])).toEqual(
      adjustments.map((a) => [a.account, formatOre(a.amount), "RESULT_NOT_MOVED_TO_EQUITY"]),
    );
    for (const difference of apiOpening) {
      expect(difference.sources.map((source) => source.kind)).toEqual(["api", "prior"]);
      expect(difference.sources[1]!.engagementId).toBe("2024");
    }
    // Nothing else: the API's own figures are consistent with its postings, and the composed ones balance.
    expect(reconciliation.differences.map((d) => d.code)).toEqual(apiOpening.map(() => "OPENING_API_DIFFERS"));
    expect(reconciliation.total).toBe(
      formatOre(adjustments.reduce((sum, a) => sum + (a.amount < 0n ? -a.amount : a.amount), 0n)),
    );
  });

  it("a prior year synced after the year is reconciles the year after it again", async () => {
    const { refs } = await syncYears("tripletex", { employeeToken: "demo-tripletex-ok" }, [2025]);
    // 2025 alone: the plan takes the opening from the API (no prior closing yet); nothing to compare it with.
    const before = await stores.importStore.getReconciliation(refs.fy2025);
    expect(before).toMatchObject({ status: "reconciled" });
    const deps: SyncDeps = {
      ...stores,
      keys,
      connectors: await connectorsFor(),
      retentionSeconds: 3600,
      heartbeatSeconds: 0.5,
    };
    expect((await syncFromApi(deps, { ref: refs.fy2024, trigger })).outcome).toBe("imported");
    const after = await stores.importStore.getReconciliation(refs.fy2025);
    expect(after!.computedAt > before!.computedAt).toBe(true);
    expect(after!.basis).not.toBe(before!.basis);
    expect(after).toMatchObject({ status: "reconciled" });
  });
});

/** The Tripletex connector of the server the test already started. */
async function connectorsFor(): Promise<SyncDeps["connectors"]> {
  return {
    tripletex: new TripletexConnector({
      baseUrl: tripletex!.url,
      consumerToken: new Secret(DEMO_TRIPLETEX_CONSUMER_TOKEN),
      http: fastHttp,
    }),
  };
}
