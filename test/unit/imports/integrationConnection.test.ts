import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConnectorError } from "../../../lib/connectors/errors.ts";
import type { EngagementStore } from "../../../lib/engagements/ports.ts";
import { storeIntegrationKey } from "../../../lib/imports/integrationConnection.ts";
import type { SyncDeps } from "../../../lib/imports/syncFromApi.ts";
import { EncryptedFileKeyVault } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { faultyStore } from "../../helpers/faultyStore.ts";
import { ScriptedConnector, smallBooks } from "../../helpers/scriptedConnector.ts";

/**
 * Storing a client's key keeps the company bound with the previous key only when the new key reaches it, and reads
 * the client once for that decision (it used to read it three times: itself, the company listing, the key's use).
 */

const client = { tenantId: "t1", clientId: "fjellbekk" };
const ref = { ...client, system: "tripletex" as const };
let stores: InMemoryStores;
let vaultDir: string;
let connector: ScriptedConnector;
let counted: { store: EngagementStore; calls: Partial<Record<keyof EngagementStore, number>> };
let deps: Pick<SyncDeps, "engagementStore" | "keys" | "connectors" | "now">;

beforeEach(async () => {
  const now = () => new Date("2026-01-05T09:00:00.000Z");
  stores = createInMemoryStores({ now });
  vaultDir = await mkdtemp(join(tmpdir(), "saldo-integration-"));
  connector = new ScriptedConnector(smallBooks());
  counted = faultyStore(stores.engagementStore, { getClient: () => undefined });
  deps = {
    engagementStore: counted.store,
    keys: new EncryptedFileKeyVault({ directory: vaultDir, masterKey: new Uint8Array(32).fill(7), now }),
    connectors: { tripletex: connector },
    now,
  };
  await stores.engagementStore.createClient({
    ...client,
    name: "Fjellbekk Snekkeri AS",
    orgNumber: "923609016",
    accountingSystem: "tripletex",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  });
});

afterEach(async () => {
  await rm(vaultDir, { recursive: true, force: true });
});

/** Stores a key and answers how often the client was read meanwhile. */
async function storeKeyCountingReads(): Promise<{ companyId: string | undefined; reads: number }> {
  const before = counted.calls.getClient ?? 0;
  const view = await storeIntegrationKey(deps, ref, new Secret({ employeeToken: "demo-tripletex-ok" }));
  return { companyId: view.companyId, reads: (counted.calls.getClient ?? 0) - before };
}

describe("storeIntegrationKey: the bound company after a new key", () => {
  it("keeps a company the new key reaches, reading the client no more often than for a client without a binding", async () => {
    const unbound = await storeKeyCountingReads();
    expect(unbound.companyId).toBeUndefined();

    await stores.engagementStore.recordIntegration(client, "tripletex", { companyId: "4711" });
    const bound = await storeKeyCountingReads();
    expect(bound.companyId).toBe("4711");
    // The binding was checked against the key's companies: the same reads as without one (one for the decision).
    expect(bound.reads).toBe(unbound.reads);
  });

  it("drops a company the new key does not reach", async () => {
    await stores.engagementStore.recordIntegration(client, "tripletex", { companyId: "9999" });
    const stored = await storeKeyCountingReads();
    expect(stored.companyId).toBeUndefined();
    expect((await stores.engagementStore.getClient(client))?.integrations?.tripletex?.companyId).toBeUndefined();
  });

  it("keeps the binding when the system cannot answer now (rate-limited)", async () => {
    await stores.engagementStore.recordIntegration(client, "tripletex", { companyId: "9999" });
    connector.listCompanies = () =>
      Promise.reject(new ConnectorError("CONNECTOR_RATE_LIMITED", "rate-limited", "slow down"));
    const stored = await storeKeyCountingReads();
    expect(stored.companyId).toBe("9999");
  });
});
