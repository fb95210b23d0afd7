import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClient, deleteClient } from "../../../lib/engagements/manageClients.ts";
import {
  deleteIntegrationKey,
  getIntegrationKeyStatus,
  putIntegrationKey,
  useIntegrationKey,
} from "../../../lib/engagements/manageIntegrationKeys.ts";
import { EncryptedFileKeyVault } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";
import { createInMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { isConnected, movementSourceOf } from "../../../lib/engagements/sourcePlan.ts";

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "saldo-key-use-"));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A Tripletex client created through the use case, with its key stored (in a key vault in `directory`). */
async function tripletexClientWithKey(now?: () => Date) {
  const stores = createInMemoryStores();
  const deps = { ...stores, keys: new EncryptedFileKeyVault({ directory }), ...(now === undefined ? {} : { now }) };
  const client = await createClient(deps, {
    tenantId: "t",
    orgNumber: "923609016",
    name: "A",
    accountingSystem: "tripletex",
  });
  const ref = { tenantId: "t", clientId: client.clientId, system: "tripletex" as const };
  await putIntegrationKey(deps, ref, new Secret({ employeeToken: "abcd-1234-efgh-5678" }));
  return { stores, deps, ref };
}

describe("integration keys: lastUsedAt", () => {
  it("is absent until a connector reads the key through useIntegrationKey, then says when", async () => {
    let clock = new Date("2026-03-01T10:00:00.000Z");
    const { deps, ref } = await tripletexClientWithKey(() => clock);
    expect((await getIntegrationKeyStatus(deps, ref)).lastUsedAt).toBeUndefined();

    clock = new Date("2026-03-02T04:15:00.000Z");
    expect((await useIntegrationKey(deps, ref)).reveal()).toEqual({ employeeToken: "abcd-1234-efgh-5678" });
    expect(await getIntegrationKeyStatus(deps, ref)).toMatchObject({
      set: true,
      masked: "••••5678",
      lastUsedAt: "2026-03-02T04:15:00.000Z",
    });
  });

  it("hands out no key of a deleted client", async () => {
    const { deps, ref } = await tripletexClientWithKey();
    await deleteClient(deps, ref);
    await expect(useIntegrationKey(deps, ref)).rejects.toMatchObject({ code: "CLIENT_NOT_FOUND" });
  });
});

describe("deleting an integration key", () => {
  it("clears the client's connection, so the default plan reads files again", async () => {
    const { stores, deps, ref } = await tripletexClientWithKey();
    await stores.engagementStore.recordIntegration(ref, "tripletex", {
      companyId: "42",
      connection: { status: "ok", checkedAt: "2026-03-01T10:00:00.000Z" },
    });
    expect(isConnected(await stores.engagementStore.getClient(ref))).toBe(true);

    expect(await deleteIntegrationKey(deps, ref)).toBe(true);
    const after = await stores.engagementStore.getClient(ref);
    expect(isConnected(after)).toBe(false);
    expect(after?.integrations?.tripletex).toBeUndefined();
    expect(movementSourceOf(undefined, {}, isConnected(after))).toBe("file");
    expect((await getIntegrationKeyStatus(deps, ref)).set).toBe(false);
    // Deleting again: no key, nothing to forget.
    expect(await deleteIntegrationKey(deps, ref)).toBe(false);
  });
});
