import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import { startDynamoDbLocal } from "../../lib/local/dynamoDbLocal.ts";
import { ensureBucket } from "../../lib/local/ensureBucket.ts";
import { ensureTable } from "../../lib/local/ensureTable.ts";
import { createDocumentClient, createLocalDynamoDbClient, createLocalS3Client } from "../../lib/local/localClients.ts";
import type { S3EventNotification } from "../../lib/store/s3EventNotification.ts";
import { startS3Emulator } from "../../lib/local/s3rverEmulator.ts";

/** Receives every object-created event of the test's S3 emulator, e.g. the ingest handler under test. */
export type ObjectCreatedHandler = (event: S3EventNotification) => void | Promise<void>;

/** Emulators started for one test file, with real AWS SDK clients pointed at them. */
export interface TestEmulators {
  /** Path-style, checksum-flags-set client for the S3 emulator (see lib/local/localClients.ts). */
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  /** Created empty before the tests run. */
  readonly bucketName: string;
  /** Created from TABLE_SPEC (with TTL on) before the tests run. */
  readonly tableName: string;
  /** Every object-created event delivered so far, in delivery order. */
  readonly s3Events: readonly S3EventNotification[];
  /** Startup times in milliseconds, for the curious: DynamoDB Local's JVM dominates. */
  readonly startupMs: { dynamoDbLocal: number; s3: number; total: number };
  /** Routes object-created events to `handler` from now on (undefined: only record them in `s3Events`). */
  setObjectCreatedHandler(handler: ObjectCreatedHandler | undefined): void;
  /** Resolves once every object-created event delivered so far has been handled. */
  waitForS3Events(): Promise<void>;
  /** Stops both emulators, closes the clients and deletes the emulators' temporary folder. */
  stop(): Promise<void>;
}

/** Options of {@link startTestEmulators}. */
export interface TestEmulatorOptions {
  bucketName?: string;
  tableName?: string;
  onObjectCreated?: ObjectCreatedHandler;
}

/**
 * Starts DynamoDB Local (in memory) and s3rver (in a fresh temporary folder) on random 127.0.0.1 ports, creates the
 * table and the bucket, and returns SDK clients for them.
 *
 * One set per test file, not a vitest globalSetup: the S3 emulator calls back into the process that started it, and
 * the handler under test lives in the test file's worker, which a globalSetup (main process) cannot call. The price
 * is one DynamoDB Local JVM start (~2–4 s on 2 cores) per integration test file; each file also gets clean state.
 */
export async function startTestEmulators(options: TestEmulatorOptions = {}): Promise<TestEmulators> {
  const startedAt = performance.now();
  const bucketName = options.bucketName ?? "saldo-uploads-test";
  const tableName = options.tableName ?? "saldo-test";
  const dataDir = await mkdtemp(join(tmpdir(), "saldo-emulators-"));
  const s3Events: S3EventNotification[] = [];
  let handler = options.onObjectCreated;

  const [dynamoResult, s3Result] = await Promise.allSettled([
    startDynamoDbLocal({ port: 0 }),
    (async () => {
      const s3StartedAt = performance.now();
      const emulator = await startS3Emulator({
        port: 0,
        dataDir: join(dataDir, "s3"),
        onObjectCreated: async (event) => {
          s3Events.push(event);
          await handler?.(event);
        },
      });
      return { emulator, startupMs: Math.round(performance.now() - s3StartedAt) };
    })(),
  ]);
  if (dynamoResult.status === "rejected" || s3Result.status === "rejected") {
    if (dynamoResult.status === "fulfilled") await dynamoResult.value.stop();
    if (s3Result.status === "fulfilled") await s3Result.value.emulator.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw dynamoResult.status === "rejected" ? dynamoResult.reason : (s3Result as PromiseRejectedResult).reason;
  }
  const dynamoDbLocal = dynamoResult.value;
  const s3Emulator = s3Result.value.emulator;

  const s3 = createLocalS3Client(s3Emulator.endpoint);
  const dynamo = createLocalDynamoDbClient(dynamoDbLocal.endpoint);
  const documents = createDocumentClient(dynamo);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      s3.destroy();
      documents.destroy();
      dynamo.destroy();
      await Promise.allSettled([s3Emulator.stop(), dynamoDbLocal.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await Promise.all([ensureBucket(s3, bucketName), ensureTable(dynamo, { tableName })]);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    s3,
    dynamo,
    documents,
    s3Endpoint: s3Emulator.endpoint,
    dynamoEndpoint: dynamoDbLocal.endpoint,
    bucketName,
    tableName,
    s3Events,
    startupMs: {
      dynamoDbLocal: dynamoDbLocal.startupMs,
      s3: s3Result.value.startupMs,
      total: Math.round(performance.now() - startedAt),
    },
    setObjectCreatedHandler: (next) => {
      handler = next;
    },
    waitForS3Events: () => s3Emulator.waitForDeliveries(),
    stop,
  };
}

/**
 * Starts the emulators in `beforeAll` and stops them in `afterAll` of the calling test file (or `describe`), and
 * returns a getter for them (valid inside tests and later hooks).
 *
 * @example
 * const emulators = useTestEmulators();
 * it("stores the object", async () => { await emulators().s3.send(…); });
 */
export function useTestEmulators(options: TestEmulatorOptions = {}): () => TestEmulators {
  let emulators: TestEmulators | undefined;
  beforeAll(async () => {
    emulators = await startTestEmulators(options);
  }, 180_000);
  afterAll(async () => {
    await emulators?.stop();
  }, 60_000);
  return () => {
    if (emulators === undefined) throw new Error("The emulators are not running: call emulators() inside a test");
    return emulators;
  };
}
