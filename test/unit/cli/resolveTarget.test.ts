import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveTarget } from "../../../lib/cli/resolveTarget.ts";
import { writeStackFile, type StackFile } from "../../../lib/local/stack/stackFile.ts";

/** Where `saldo connect` and `saldo sync` find the key vault, the connectors and the sync function. */

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "saldo-target-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const stackFile = (extra: Partial<StackFile> = {}): StackFile => ({
  version: 1,
  pid: process.pid,
  startedAt: "2026-12-04T19:00:00.000Z",
  dataDir,
  region: "eu-north-1",
  s3: { endpoint: "http://127.0.0.1:4569", bucket: "saldo-uploads-local", forcePathStyle: true },
  dynamodb: { endpoint: "http://127.0.0.1:8000", table: "saldo-local" },
  http: { url: "http://127.0.0.1:3000" },
  deadLetterDir: join(dataDir, "dead-letters"),
  ...extra,
});

describe("resolveTarget: the integrations of the target", () => {
  it("on the local stack: its file vault, its fakes, its SQS endpoint for the sync queues and its Lambda endpoint", async () => {
    await writeStackFile(
      dataDir,
      stackFile({
        connectors: { tripletex: "http://127.0.0.1:4580/v2", "poweroffice-go": "http://127.0.0.1:4581" },
        lambda: { endpoint: "http://127.0.0.1:3000", refreshFunctionName: "saldo-local-refresh" },
        syncQueues: {
          endpoint: "http://127.0.0.1:3000/sqs",
          urls: {
            tripletex: "http://127.0.0.1:3000/sqs/000000000000/saldo-local-sync-tripletex",
            "poweroffice-go": "http://127.0.0.1:3000/sqs/000000000000/saldo-local-sync-poweroffice-go",
          },
        },
      }),
    );
    const target = await resolveTarget({ SALDO_DATA_DIR: dataDir });
    expect(target.integrations).toEqual({
      keyVault: { kind: "encrypted-file", directory: join(dataDir, "secrets") },
      connectors: { fakes: { tripletex: "http://127.0.0.1:4580/v2", "poweroffice-go": "http://127.0.0.1:4581" } },
      syncQueues: {
        urls: {
          tripletex: "http://127.0.0.1:3000/sqs/000000000000/saldo-local-sync-tripletex",
          "poweroffice-go": "http://127.0.0.1:3000/sqs/000000000000/saldo-local-sync-poweroffice-go",
        },
        clientConfig: { endpoint: "http://127.0.0.1:3000/sqs", region: "eu-north-1", credentials: expect.any(Object) },
      },
      refreshFunction: {
        name: "saldo-local-refresh",
        clientConfig: { endpoint: "http://127.0.0.1:3000", region: "eu-north-1", credentials: expect.any(Object) },
      },
    });
  });

  it("on a stack from before the connectors: says to restart it", async () => {
    await writeStackFile(dataDir, stackFile());
    const { integrations } = await resolveTarget({ SALDO_DATA_DIR: dataDir });
    expect(integrations.connectors).toMatch(/restart it/);
    expect(integrations.syncQueues).toMatch(/restart it/);
  });

  it("in AWS: Secrets Manager, the vendors' APIs with the platform-keys secret, the deployed sync queues", async () => {
    const aws = { SALDO_TABLE_NAME: "saldo-prod", SALDO_BUCKET_NAME: "saldo-prod-uploads" };
    const { integrations } = await resolveTarget({
      ...aws,
      SALDO_SECRET_PREFIX: "saldo/prod",
      SALDO_PLATFORM_KEYS_SECRET: "saldo/prod/platform-keys",
      SALDO_SYNC_QUEUE_TRIPLETEX_URL: "https://sqs.eu-north-1.amazonaws.com/123456789012/saldo-prod-SyncTripletex",
      SALDO_REFRESH_FUNCTION_NAME: "saldo-prod-refresh",
    });
    expect(integrations).toEqual({
      keyVault: { kind: "secrets-manager", prefix: "saldo/prod" },
      connectors: {
        config: {
          tripletex: { baseUrl: "https://tripletex.no/v2" },
          "poweroffice-go": { baseUrl: "https://goapi.poweroffice.net" },
          platformKeys: { source: "secrets-manager", secretId: "saldo/prod/platform-keys" },
        },
      },
      syncQueues: {
        urls: { tripletex: "https://sqs.eu-north-1.amazonaws.com/123456789012/saldo-prod-SyncTripletex" },
        clientConfig: {},
      },
      refreshFunction: { name: "saldo-prod-refresh", clientConfig: {} },
    });
    const missing = (await resolveTarget(aws)).integrations;
    expect(missing.keyVault).toMatch(/set SALDO_SECRET_PREFIX/);
    expect(missing.connectors).toMatch(/set SALDO_PLATFORM_KEYS_SECRET/);
    expect(missing.refreshFunction).toMatch(/set SALDO_REFRESH_FUNCTION_NAME/);
    expect(missing.syncQueues).toMatch(/set SALDO_SYNC_QUEUE_TRIPLETEX_URL/);
  });
});
