import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../../../../functions/sync/worker.ts";
import { createHandler as createDeadLettersHandler } from "../../../../functions/sync/deadLetters.ts";
import { readEnv } from "../../../../functions/shared/environment.ts";
import type { FunctionConfig } from "../../../../lib/config/functionConfig.ts";
import { createConnectorRegistry } from "../../../../lib/connectors/registry.ts";
import { requestSync, type SyncDeps } from "../../../../lib/imports/syncFromApi.ts";
import { demoCompanyBooks } from "../../../../lib/local/fakes/demoBooks.ts";
import { seedClient } from "../../../../lib/local/seedClient.ts";
import { FakeTripletexServer } from "../../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { localConnectorsConfig } from "../../../../lib/local/stack/localFunctionConfig.ts";
import { EncryptedFileKeyVault } from "../../../../lib/secrets/EncryptedFileKeyVault.ts";
import { createDynamoStores, type DynamoStores } from "../../../../lib/store/createDynamoStores.ts";
import { startTestEmulators, type TestEmulators } from "../../../helpers/emulators.ts";
import { lambdaContext } from "../../../helpers/lambdaContext.ts";

/**
 * The sync worker as Lambda invokes it from its SQS event source (its `createHandler` with a configuration, an SQS
 * event and a context), against DynamoDB Local and the fake Tripletex: a queued sync runs to its end, a repeated
 * delivery is a duplicate, a known failure is recorded and done while an unexpected one is named in
 * `batchItemFailures` (SQS delivers it again), a message naming no queued sync is dropped, and a malformed event is
 * refused at the boundary.
 */

/** An SQS event of one message, as Lambda's event source mapping sends it. */
function sqsEvent(body: unknown, receiveCount = 1, messageId = "m1") {
  const text = JSON.stringify(body);
  return {
    Records: [
      {
        messageId,
        receiptHandle: "r",
        body: text,
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          ApproximateFirstReceiveTimestamp: "1767225600000",
          SenderId: "AIDA",
          SentTimestamp: "1767225600000",
        },
        messageAttributes: {},
        md5OfBody: "0",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:eu-north-1:123456789012:SyncTripletex",
        awsRegion: "eu-north-1",
      },
    ],
  };
}

let emulators: TestEmulators;
let tripletex: FakeTripletexServer;
let stores: DynamoStores;
let vaultDirectory: string;
let deps: SyncDeps;
let config: FunctionConfig;
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
  config = {
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
  await seedClient(
    stores,
    { ...ref, name: company.name, orgNumber: company.orgNumber, accountingSystem: "tripletex" },
    [{ engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 }],
  );
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
  await seedClient(stores, { ...other, name: `Klient ${clientId}`, accountingSystem: "tripletex" }, [
    { engagementId: other.engagementId, kind: "year-end", fiscalYear: 2025 },
  ]);
  await deps.keys.put({ tenantId: other.tenantId, clientId, system: "tripletex" }, key);
  return other;
}

const done = { batchItemFailures: [] };
const context = () => lambdaContext("saldo-sync-worker");

describe("the sync worker", () => {
  it("runs a queued sync to its end, and answers a repeated delivery as a duplicate", async () => {
    const queued = await requestSync(deps, ref, { kind: "http", by: "test" });
    const event = { ...ref, importId: queued.importId };
    await expect(handler(sqsEvent({ ...event, system: "tripletex" }), context())).resolves.toEqual(done);
    const run = await stores.importStore.getImport(event);
    expect(run).toMatchObject({ status: "succeeded", source: { type: "api", system: "tripletex" } });
    expect((await stores.engagementStore.getEngagement(ref))?.activeImportId).toBe(queued.importId);
    expect((await stores.engagementStore.getEngagement(ref))?.refresh).toMatchObject({
      lastOutcome: "succeeded",
      lastTrigger: "http",
    });

    await expect(handler(sqsEvent(event, 2), context())).resolves.toEqual(done);
    expect(await stores.importStore.getImport(event)).toMatchObject({ status: "succeeded" });
  });

  it("drops a message that names no queued sync (retrying it cannot help)", async () => {
    await expect(handler(sqsEvent({ ...ref, importId: "01JNOSUCHIMPORT00000000000" }), context())).resolves.toEqual(
      done,
    );
  });

  it("records a known failure (the key is no longer accepted) and deletes the message: nothing for SQS to retry", async () => {
    const other = await connectedClient("revoked", { employeeToken: "revoked-token" });
    const queued = await requestSync(deps, other, { kind: "http", by: "test" });
    const event = { ...other, importId: queued.importId };
    await expect(handler(sqsEvent(event), context())).resolves.toEqual(done);
    expect(await stores.importStore.getImport(event)).toMatchObject({
      status: "failed",
      failure: { code: "CONNECTOR_INVALID_KEY" },
    });
  });

  it("names an unexpected failure (an unreadable key file) in batchItemFailures after releasing the sync, so that SQS delivers it again", async () => {
    const keysDirectory = join(vaultDirectory, "keys");
    const before = new Set(await readdir(keysDirectory));
    const other = await connectedClient("corrupt", { employeeToken: "demo-tripletex-ok" });
    const added = (await readdir(keysDirectory)).filter((file) => !before.has(file));
    expect(added).toHaveLength(1);
    const queued = await requestSync(deps, other, { kind: "http", by: "test" });
    await writeFile(join(keysDirectory, added[0]!), "not a key file");
    const event = { ...other, importId: queued.importId };
    await expect(handler(sqsEvent(event, 1, "m-corrupt"), context())).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: "m-corrupt" }],
    });
    // Released for the retry (queued again, with why), not failed: the previous version (none here) stays.
    expect(await stores.importStore.getImport(event)).toMatchObject({ status: "queued" });
    expect((await stores.engagementStore.getEngagement(other))?.activeImportId).toBeUndefined();
  });

  it("on the message's last receive, ends a sync that failed unexpectedly and records it on the engagement at once", async () => {
    const keysDirectory = join(vaultDirectory, "keys");
    const before = new Set(await readdir(keysDirectory));
    const other = await connectedClient("corrupt-last", { employeeToken: "demo-tripletex-ok" });
    const added = (await readdir(keysDirectory)).filter((file) => !before.has(file));
    const queued = await requestSync(deps, other, { kind: "schedule", by: "test" });
    await writeFile(join(keysDirectory, added[0]!), "not a key file");
    const event = { ...other, importId: queued.importId };
    // Receives 1 and 2 release it for a retry; the engagement has no outcome yet.
    for (const receive of [1, 2]) {
      await expect(handler(sqsEvent(event, receive, "m-last"), context())).resolves.toEqual({
        batchItemFailures: [{ itemIdentifier: "m-last" }],
      });
      expect(await stores.importStore.getImport(event)).toMatchObject({ status: "queued" });
    }
    expect((await stores.engagementStore.getEngagement(other))?.refresh).toBeUndefined();
    // The last receive: the sync fails and the engagement says so; the message still goes to the dead-letter queue.
    await expect(handler(sqsEvent(event, 3, "m-last"), context())).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: "m-last" }],
    });
    expect(await stores.importStore.getImport(event)).toMatchObject({
      status: "failed",
      failure: { code: "IMPORT_RETRIES_EXHAUSTED", message: expect.stringMatching(/KEY_VAULT_CORRUPT/) },
    });
    expect((await stores.engagementStore.getEngagement(other))?.refresh).toMatchObject({
      lastOutcome: "failed",
      lastImportId: queued.importId,
      lastError: { code: "IMPORT_RETRIES_EXHAUSTED" },
    });
  });

  it("the dead-letter worker ends a sync whose attempts crashed and records the outcome; a second delivery changes nothing", async () => {
    const other = await connectedClient("crashed", { employeeToken: "demo-tripletex-ok" });
    const queued = await requestSync(deps, other, { kind: "http", by: "test" });
    // An attempt claimed it and died (its lease ran out): no code of its own could record anything.
    const claim = await stores.importStore.claimImport(
      { ...queued, startedAt: new Date(Date.now() - 3_600_000).toISOString() },
      { owner: "crashed-attempt", until: new Date(Date.now() - 60_000).toISOString() },
    );
    expect(claim.outcome).toBe("claimed");
    const deadLetters = createDeadLettersHandler(config) as unknown as typeof handler;
    const event = { ...other, importId: queued.importId, system: "tripletex" };
    await expect(deadLetters(sqsEvent(event, 1, "dl-1"), context())).resolves.toEqual(done);
    expect(await stores.importStore.getImport(event)).toMatchObject({
      status: "failed",
      failure: { code: "IMPORT_ATTEMPT_DIED" },
    });
    const refresh = (await stores.engagementStore.getEngagement(other))?.refresh;
    expect(refresh).toMatchObject({ lastOutcome: "failed", lastError: { code: "IMPORT_ATTEMPT_DIED" } });
    await expect(deadLetters(sqsEvent(event, 1, "dl-2"), context())).resolves.toEqual(done);
    expect((await stores.engagementStore.getEngagement(other))?.refresh).toEqual(refresh);
  });

  it("refuses an event that is not SQS's at its boundary, and keeps a message that is no sync for the dead-letter queue", async () => {
    await expect(handler({ ...ref }, context())).rejects.toThrow();
    await expect(handler({ Records: [] }, context())).rejects.toThrow();
    await expect(handler(sqsEvent({ ...ref, importId: "x", extra: 1 }, 1, "m-bad"), context())).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: "m-bad" }],
    });
  });
});
