import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { InProcessSyncQueue } from "../../../lib/imports/InProcessSyncQueue.ts";
import { runQueuedSyncs } from "../../../lib/imports/runQueuedSyncs.ts";
import { seedClient } from "../../../lib/local/seedClient.ts";
import { requestSync, type SyncDeps } from "../../../lib/imports/syncFromApi.ts";
import { EncryptedFileKeyVault } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { ScriptedConnector, smallBooks } from "../../helpers/scriptedConnector.ts";

const ref: EngagementRef = { tenantId: "t1", clientId: "fjellbekk", engagementId: "2025" };
const trigger = { kind: "schedule" as const, by: "test" };
let stores: InMemoryStores;
let vaultDir: string;
let connector: ScriptedConnector;
let deps: SyncDeps;

beforeEach(async () => {
  stores = createInMemoryStores();
  vaultDir = await mkdtemp(join(tmpdir(), "saldo-worker-"));
  const keys = new EncryptedFileKeyVault({ directory: vaultDir, masterKey: new Uint8Array(32).fill(5) });
  connector = new ScriptedConnector(smallBooks());
  let id = 0;
  deps = {
    ...stores,
    keys,
    connectors: { tripletex: connector },
    retentionSeconds: 3600,
    newImportId: () => `SYNC${String(++id).padStart(4, "0")}`,
  };
  await seedClient(
    stores,
    { ...ref, name: "Fjellbekk Snekkeri AS", orgNumber: "923609016", accountingSystem: "tripletex" },
    [{ engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 }],
  );
  await keys.put(
    { tenantId: "t1", clientId: "fjellbekk", system: "tripletex" },
    { employeeToken: "demo-tripletex-ok" },
  );
});
afterEach(async () => {
  await rm(vaultDir, { recursive: true, force: true });
});

const message = (id: string, body: unknown, receiveCount = 1) => ({
  id,
  body: typeof body === "string" ? body : JSON.stringify(body),
  receiveCount,
});

describe("the sync worker's messages (partial batch failures)", () => {
  it("deletes the messages whose sync ended — imported, failed with its code, or a duplicate — and names only the others", async () => {
    const first = await requestSync(deps, ref, trigger);
    const failed = await runQueuedSyncs(deps, [
      message("m1", { ...ref, importId: first.importId, system: "tripletex" }),
      // Not a sync event: kept for the dead-letter queue.
      message("m2", "{not json"),
      message("m3", { tenantId: "t1", clientId: "fjellbekk" }),
      // No such queued sync: dropped.
      message("m4", { ...ref, importId: "NOSUCH" }),
      // A second delivery of the same sync: a duplicate, done.
      message("m5", { ...ref, importId: first.importId }),
    ]);
    expect(failed).toEqual(["m2", "m3"]);
    expect((await stores.importStore.getImport(first))?.status).toBe("succeeded");
    expect((await stores.engagementStore.getEngagement(ref))?.refresh).toMatchObject({
      lastOutcome: "succeeded",
      lastImportId: first.importId,
      lastTrigger: "schedule",
    });

    connector.failWith = { code: "CONNECTOR_INVALID_KEY", status: "invalid-key", message: "401" };
    const second = await requestSync(deps, ref, trigger);
    expect(await runQueuedSyncs(deps, [message("m6", { ...ref, importId: second.importId })])).toEqual([]);
    const engagement = await stores.engagementStore.getEngagement(ref);
    expect(engagement?.refresh).toMatchObject({ lastOutcome: "failed", lastError: { code: "CONNECTOR_INVALID_KEY" } });
    // The figures and their as-of time stay those of the last good sync.
    expect(engagement?.activeImportId).toBe(first.importId);
  });

  it("the in-process queue runs at most the system's concurrency at once", async () => {
    const queue = new InProcessSyncQueue((messages) => runQueuedSyncs(deps, messages), { limits: { tripletex: 1 } });
    connector.hold();
    const queued = await requestSync(deps, ref, trigger);
    await queue.dispatch({ ...queued, system: "tripletex" });
    await queue.dispatch({ ...ref, importId: "SECOND", system: "tripletex" });
    expect(queue.size).toBe(2);
    connector.release();
    await queue.idle();
    expect(queue.size).toBe(0);
    expect((await stores.importStore.getImport(queued))?.status).toBe("succeeded");
  });
});
