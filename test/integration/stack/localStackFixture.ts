import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { createLocalS3Client } from "../../../lib/local/localClients.ts";
import {
  localDynamoDbClientConfig,
  startLocalStack,
  type LocalStackOptions,
  type RunningLocalStack,
} from "../../../lib/local/stack/startLocalStack.ts";
import { createDynamoStores, type DynamoStores } from "../../../lib/store/createDynamoStores.ts";

/** A local stack for one test file, on random ports with a temporary data folder, with clients pointed at it. */
export interface TestStack {
  stack: RunningLocalStack;
  dataDir: string;
  stores: DynamoStores;
  s3: S3Client;
  /** Creates a client and an engagement (period 2025-01-01 – 2025-03-31, as the demo sample) to upload into. */
  createEngagement(ref: EngagementRef): Promise<void>;
  /** Stops the stack and closes the clients; the data folder stays (restart tests start again on it). */
  stop(): Promise<void>;
}

/** Starts the stack (ports 0, short retry pauses, quiet handler logs); `dataDir` defaults to a fresh temp folder. */
export async function startTestStack(options: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  // The handler's Powertools logger reads its level when its module is evaluated, i.e. during startLocalStack.
  process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "saldo-stack-")));
  const stack = await startLocalStack({
    dynamoDbPort: 0,
    s3Port: 0,
    httpPort: 0,
    retryDelaysMs: [20, 40],
    ...options,
    dataDir,
  });
  const stores = createDynamoStores({
    tableName: stack.tableName,
    clientConfig: localDynamoDbClientConfig(stack.dynamoDbEndpoint),
  });
  const s3 = createLocalS3Client(stack.s3Endpoint);
  return {
    stack,
    dataDir,
    stores,
    s3,
    async createEngagement(ref) {
      const now = new Date().toISOString();
      await stores.engagementStore.createClient({
        tenantId: ref.tenantId,
        clientId: ref.clientId,
        name: "Fjellbekk Snekkeri AS",
        accountingSystem: "other",
        createdAt: now,
        updatedAt: now,
      });
      // Stored as is: tests give one client several engagements of one period (createEngagement refuses them).
      await stores.engagementStore.putEngagement({
        ...ref,
        kind: "period-end",
        fiscalYear: 2025,
        periodStart: "2025-01-01",
        periodEnd: "2025-03-31",
        createdAt: now,
      });
    },
    async stop() {
      s3.destroy();
      stores.close();
      await stack.stop();
    },
  };
}

/** One stack for the calling test file: started in beforeAll, stopped (and its data folder removed) in afterAll. */
export function useTestStack(options: Partial<LocalStackOptions> = {}): () => TestStack {
  let running: TestStack | undefined;
  beforeAll(async () => {
    running = await startTestStack(options);
  }, 180_000);
  afterAll(async () => {
    await running?.stop();
    if (running) await rm(running.dataDir, { recursive: true, force: true });
  }, 60_000);
  return () => {
    if (!running) throw new Error("the local stack is not running: call it inside a test");
    return running;
  };
}
