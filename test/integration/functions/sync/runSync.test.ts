import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../../../../functions/sync/runSync.ts";
import { readEnv } from "../../../../functions/shared/environment.ts";
import type { FunctionConfig } from "../../../../lib/config/functionConfig.ts";
import { createConnectorRegistry } from "../../../../lib/connectors/registry.ts";
import { requestSync, type SyncDeps } from "../../../../lib/imports/syncFromApi.ts";
import { demoCompanyBooks } from "../../../../lib/local/fakes/demoBooks.ts";
import { FakeTripletexServer } from "../../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { localConnectorsConfig } from "../../../../lib/local/stack/localFunctionConfig.ts";
import { EncryptedFileKeyVault } from "../../../../lib/secrets/EncryptedFileKeyVault.ts";
import { createDynamoStores, type DynamoStores } from "../../../../lib/store/createDynamoStores.ts";
import { startTestEmulators, type TestEmulators } from "../../../helpers/emulators.ts";
import { lambdaContext } from "../../../helpers/lambdaContext.ts";

/**
 * The sync function as Lambda invokes it (its `createHandler` with a configuration, an event and a context), against
 * DynamoDB Local and the fake Tripletex: a queued sync runs to its end, a repeated delivery is a duplicate, a known
 * failure is recorded and returned while an unexpected one is rethrown (Lambda's asynchronous retries take it), an
 * event naming no queued sync is dropped, and a malformed event is refused at the boundary.
 */

let emulators: TestEmulators;
let tripletex: FakeTripletexServer;
let stores: DynamoStores;
let vaultDirectory: string;
let deps: SyncDeps;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const ref = { tenantId: "firm-sync", clientId: "nordvik", engagementId: "ye-2025" };

beforeAll(async () => {
  [emulators, tripletex] = await Promise.all([startTestEmulators(), FakeTripletexServer.start()]);
  vaultDirectory = await mkdtemp(join(tmpdir(), "saldo-sync-fn-"));
  Object.assign(process.env, {
    AWS_REGION: "eu-north-1",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  // The cloud's configuration from the environment, with the local stack's key vault and connectors (the fakes).
  const config: FunctionConfig = {
    ...readEnv({ SALDO_TABLE_NAME: emulators.tableName, SALDO_DYNAMODB_ENDPOINT: emulators.dynamoEndpoint }),
    keyVault: { kind: "encrypted-file", directory: vaultDirectory },
    connectors: localConnectorsConfig({ tripletexBaseUrl: tripletex.url }),
  };
  handler = createHandler(config) as unknown as typeof handler;
  stores = createDynamoStores({ tableName: emulators.tableName, client: emulators.dynamo });
  deps = {
    ...stores,
    keys: new EncryptedFileKeyVault({ directory: vaultDirectory }),
    connectors: createConnectorRegistry(config.connectors!),
    retentionSeconds: config.retentionSeconds,
  };
  const company = demoCompanyBooks("nordvik").company;
  const now = new Date().toISOString();
  await stores.engagementStore.createClient({
    tenantId: ref.tenantId,
    clientId: ref.clientId,
    name: company.name,
    orgNumber: company.orgNumber,
    accountingSystem: "tripletex",
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
  await deps.keys.put(
    { tenantId: ref.tenantId, clientId: ref.clientId, system: "tripletex" },
    {
      employeeToken: "demo-tripletex-ok",
    },
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([emulators?.stop(), tripletex?.close()]);
  await rm(vaultDirectory, { recursive: true, force: true });
});

/** Another client of the firm on Tripletex, with a 2025 engagement and `key` stored. */
async function connectedClient(clientId: string, key: { employeeToken: string }) {
  const other = { ...ref, clientId };
  const now = new Date().toISOString();
  await stores.engagementStore.createClient({
    tenantId: other.tenantId,
    clientId,
    name: `Klient ${clientId}`,
    accountingSystem: "tripletex",
    createdAt: now,
    updatedAt: now,
  });
  await stores.engagementStore.createEngagement({
    ...other,
    kind: "year-end",
    fiscalYear: 2025,
    periodStart: "2025-01-01",
    periodEnd: "2025-12-31",
    createdAt: now,
  });
  await deps.keys.put({ tenantId: other.tenantId, clientId, system: "tripletex" }, key);
  return other;
}

describe("the sync function", () => {
  it("runs a queued sync to its end, and answers a repeated delivery as a duplicate", async () => {
    const queued = await requestSync(deps, ref, { kind: "http", by: "test" });
    const event = { ...ref, importId: queued.importId };
    await expect(handler(event, lambdaContext("saldo-sync"))).resolves.toEqual({
      outcome: "imported",
      status: "succeeded",
    });
    const run = await stores.importStore.getImport(event);
    expect(run).toMatchObject({ status: "succeeded", source: { type: "api", system: "tripletex" } });
    expect((await stores.engagementStore.getEngagement(ref))?.activeImportId).toBe(queued.importId);

    await expect(handler(event, lambdaContext("saldo-sync"))).resolves.toMatchObject({ outcome: "duplicate" });
  });

  it("drops an event that names no queued sync (retrying it cannot help)", async () => {
    await expect(
      handler({ ...ref, importId: "01JNOSUCHIMPORT00000000000" }, lambdaContext("saldo-sync")),
    ).resolves.toEqual({ outcome: "not-queued" });
  });

  it("records a known failure (the key is no longer accepted) and returns: nothing for Lambda to retry", async () => {
    const other = await connectedClient("revoked", { employeeToken: "revoked-token" });
    const queued = await requestSync(deps, other, { kind: "http", by: "test" });
    const event = { ...other, importId: queued.importId };
    await expect(handler(event, lambdaContext("saldo-sync"))).resolves.toEqual({
      outcome: "failed",
      status: "failed",
    });
    expect(await stores.importStore.getImport(event)).toMatchObject({
      status: "failed",
      failure: { code: "CONNECTOR_INVALID_KEY" },
    });
  });

  it("rethrows an unexpected failure (an unreadable key file) after releasing the sync, so that Lambda retries it", async () => {
    const keysDirectory = join(vaultDirectory, "keys");
    const before = new Set(await readdir(keysDirectory));
    const other = await connectedClient("corrupt", { employeeToken: "demo-tripletex-ok" });
    const added = (await readdir(keysDirectory)).filter((file) => !before.has(file));
    expect(added).toHaveLength(1);
    const queued = await requestSync(deps, other, { kind: "http", by: "test" });
    await writeFile(join(keysDirectory, added[0]!), "not a key file");
    const event = { ...other, importId: queued.importId };
    await expect(handler(event, lambdaContext("saldo-sync"))).rejects.toMatchObject({ code: "KEY_VAULT_CORRUPT" });
    // Released for the retry (queued again, with why), not failed: the previous version (none here) stays.
    expect(await stores.importStore.getImport(event)).toMatchObject({ status: "queued" });
    expect((await stores.engagementStore.getEngagement(other))?.activeImportId).toBeUndefined();
  });

  it("refuses a malformed event at its boundary", async () => {
    await expect(handler({ ...ref }, lambdaContext("saldo-sync"))).rejects.toThrow();
    await expect(handler({ ...ref, importId: "x", extra: 1 }, lambdaContext("saldo-sync"))).rejects.toThrow();
  });
});
