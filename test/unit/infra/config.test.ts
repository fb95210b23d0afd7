import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  API_CONFIG,
  INGEST_CONFIG,
  PROTECTED_STAGES,
  REFRESH_CONFIG,
  STORAGE_CONFIG,
  SWEEPER_CONFIG,
  CONNECTION_CHECK_CONFIG,
  SYNC_QUEUE_CONFIG,
  SYNC_QUEUES,
  SYNC_WORKER_CONFIG,
} from "../../../infra/config.ts";
import { POWEROFFICE_GO_RATE_LIMIT } from "../../../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import { REFRESH_ROUND_MINUTES } from "../../../lib/engagements/refreshSchedule.ts";
import { CONNECTION_CHECK_LIMITS, SYNC_MAX_RECEIVES, SYNC_QUEUE_LIMITS } from "../../../lib/imports/syncQueues.ts";
import { TRIPLETEX_TOKEN_RATE_LIMIT } from "../../../lib/connectors/tripletex/TripletexConnector.ts";
import { IMPORT_LIFECYCLE_DEFAULTS } from "../../../lib/imports/importFile.ts";
import { TABLE_SPEC, toCreateTableInput, toTimeToLiveInput } from "../../../lib/store/tableSpec.ts";

// infra/ cannot import lib/ (STYLE.md §1), so it repeats the table's names; these tests keep both in step.
describe("the table in infra/ and in lib/store/tableSpec.ts", () => {
  it("uses the same partition and sort key", () => {
    expect(STORAGE_CONFIG.table.partitionKey).toBe(TABLE_SPEC.partitionKey.name);
    expect(STORAGE_CONFIG.table.sortKey).toBe(TABLE_SPEC.sortKey.name);
  });

  it("declares the same global secondary indexes, projecting all attributes", () => {
    expect(
      STORAGE_CONFIG.table.globalIndexes.map((index) => ({
        name: index.name,
        partitionKey: index.partitionKey,
        sortKey: index.sortKey,
        projection: index.projection.toUpperCase(),
      })),
    ).toEqual(
      TABLE_SPEC.globalSecondaryIndexes.map((index) => ({
        name: index.name,
        partitionKey: index.partitionKey.name,
        sortKey: index.sortKey.name,
        projection: index.projection,
      })),
    );
  });

  it("uses string keys only, as sst.aws.Dynamo's fields are declared in infra/storage.ts", () => {
    const keyTypes = [
      TABLE_SPEC.partitionKey,
      TABLE_SPEC.sortKey,
      ...TABLE_SPEC.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ].map((key) => key.type);

    expect(new Set(keyTypes)).toEqual(new Set(["S"]));
  });

  it("expires items on the same TTL attribute", () => {
    expect(STORAGE_CONFIG.table.ttlAttribute).toBe("expiresAt");
    expect(TABLE_SPEC.ttlAttribute).toBe("expiresAt");
  });

  it("has point-in-time recovery on in both", () => {
    expect(STORAGE_CONFIG.table.pointInTimeRecovery).toBe(true);
    expect(TABLE_SPEC.pointInTimeRecovery).toBe(true);
  });
});

describe("the uploads bucket's lifecycle (infra/storage.ts)", () => {
  const storageSource = readFileSync(resolve(import.meta.dirname, "..", "..", "..", "infra", "storage.ts"), "utf8");

  it("aborts every abandoned multipart upload in the bucket, after a while longer than any upload's presigned URLs", () => {
    const aborting = STORAGE_CONFIG.uploadsLifecycleRules.filter(
      (rule) => rule.status === "Enabled" && rule.abortIncompleteMultipartUpload !== undefined,
    );
    expect(aborting).toHaveLength(1);
    const [rule] = aborting;
    // An empty filter is the whole bucket: uploads/ and anything a client starts elsewhere.
    expect(rule!.filter).toEqual({});
    const days = rule!.abortIncompleteMultipartUpload.daysAfterInitiation;
    expect(Number.isInteger(days)).toBe(true);
    expect(days).toBeGreaterThanOrEqual(1);
    expect(days * 86_400).toBeGreaterThan(API_CONFIG.uploadUrlSeconds);
    expect(days).toBeLessThanOrEqual(7);
  });

  it("gives the bucket exactly these rules", () => {
    expect(storageSource).toMatch(
      /new aws\.s3\.BucketLifecycleConfiguration\("UploadsLifecycle", \{\s*bucket: uploadsBucket\.name,\s*rules: STORAGE_CONFIG\.uploadsLifecycleRules\b/,
    );
    expect(storageSource.match(/BucketLifecycleConfiguration\(/g)).toHaveLength(1);
  });
});

describe("toCreateTableInput", () => {
  it("defines each key attribute once, on-demand, with gsi1 projecting all", () => {
    expect(toCreateTableInput("saldo-test")).toEqual({
      TableName: "saldo-test",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
        { AttributeName: "gsi1pk", AttributeType: "S" },
        { AttributeName: "gsi1sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "gsi1",
          KeySchema: [
            { AttributeName: "gsi1pk", KeyType: "HASH" },
            { AttributeName: "gsi1sk", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    });
  });

  it("leaves out GlobalSecondaryIndexes for a spec without indexes (DynamoDB rejects an empty list)", () => {
    expect(toCreateTableInput("plain", { ...TABLE_SPEC, globalSecondaryIndexes: [] })).not.toHaveProperty(
      "GlobalSecondaryIndexes",
    );
  });

  it("enables TTL on expiresAt", () => {
    expect(toTimeToLiveInput("saldo-test")).toEqual({
      TableName: "saldo-test",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
  });
});

describe("the ingest function's sizing", () => {
  it("runs for Lambda's maximum of 15 minutes", () => {
    expect(INGEST_CONFIG.timeoutSeconds).toBe(900);
  });

  it("has at least one full vCPU (1769 MB) and stays within Lambda's 10240 MB", () => {
    expect(INGEST_CONFIG.memoryMb).toBeGreaterThanOrEqual(1769);
    expect(INGEST_CONFIG.memoryMb).toBeLessThanOrEqual(10_240);
  });

  it("stages nothing to /tmp (zips are inflated as they stream), so ephemeral storage stays at Lambda's minimum", () => {
    expect(INGEST_CONFIG.ephemeralStorageMb).toBe(512);
  });

  it("runs on Node.js 22 and points at the S3 ingest handler", () => {
    expect(INGEST_CONFIG.runtime).toBe("nodejs22.x");
    expect(INGEST_CONFIG.handler).toBe("functions/s3/ingest.handler");
  });

  it("is triggered by every ObjectCreated event under uploads/ only", () => {
    expect(INGEST_CONFIG.events).toEqual(["s3:ObjectCreated:*"]);
    expect(INGEST_CONFIG.filterPrefix).toBe("uploads/");
    expect(STORAGE_CONFIG.rejectedPrefix.startsWith(INGEST_CONFIG.filterPrefix)).toBe(false);
  });

  it("retries failed asynchronous events at most twice, then keeps them 14 days in the dead-letter queue", () => {
    expect(INGEST_CONFIG.asyncRetries).toBeGreaterThanOrEqual(0);
    expect(INGEST_CONFIG.asyncRetries).toBeLessThanOrEqual(2);
    expect(INGEST_CONFIG.deadLetterRetentionSeconds).toBe(1_209_600);
  });
});

// The functions' grants: see permissions.test.ts (every action granted is used by the function's code).

it("protects the production stage", () => {
  expect(PROTECTED_STAGES).toContain("production");
});

describe("the import sweeper", () => {
  it("points at a handler that exists, on the ingest function's runtime", () => {
    const [module, exportName] = SWEEPER_CONFIG.handler.split(".");
    expect(existsSync(resolve(import.meta.dirname, "..", "..", "..", `${module}.ts`))).toBe(true);
    expect(exportName).toBe("handler");
    expect(SWEEPER_CONFIG.runtime).toBe(INGEST_CONFIG.runtime);
  });

  it("runs often enough that a dead attempt is noticed within minutes, and is done before the next run", () => {
    const minutes = Number(/^rate\((\d+) minutes?\)$/.exec(SWEEPER_CONFIG.schedule)?.[1]);
    expect(minutes).toBeGreaterThanOrEqual(1);
    expect(minutes * 60 + IMPORT_LIFECYCLE_DEFAULTS.leaseSeconds).toBeLessThanOrEqual(15 * 60);
    expect(SWEEPER_CONFIG.timeoutSeconds).toBeLessThanOrEqual(minutes * 60);
  });

  it("is granted the table's index the store's sweep queries", () => {
    expect(STORAGE_CONFIG.table.globalIndexes.map((index) => index.name)).toContain(SWEEPER_CONFIG.sweepIndex);
  });
});

describe("the sync queues in infra/ and in lib/imports/syncQueues.ts", () => {
  it("run each system's syncs with the same concurrency and rate-limit share", () => {
    for (const system of ["poweroffice-go", "tripletex"] as const) {
      expect(SYNC_QUEUES[system].maxConcurrency).toBe(SYNC_QUEUE_LIMITS[system].maxConcurrency);
      expect(SYNC_QUEUES[system].requestsPerSecondPerWorker).toBe(SYNC_QUEUE_LIMITS[system].requestsPerSecondPerWorker);
    }
    expect(CONNECTION_CHECK_CONFIG.reservedConcurrency).toBe(CONNECTION_CHECK_LIMITS.concurrency);
    expect(CONNECTION_CHECK_CONFIG.requestsPerSecond).toEqual(CONNECTION_CHECK_LIMITS.requestsPerSecond);
    expect(SYNC_QUEUE_CONFIG.maxReceiveCount).toBe(SYNC_MAX_RECEIVES);
  });

  it("keeps every system's workers and connection-checking routes together within its budget", () => {
    const budgets = {
      "poweroffice-go": POWEROFFICE_GO_RATE_LIMIT.requests / (POWEROFFICE_GO_RATE_LIMIT.perMs / 1000),
      tripletex: TRIPLETEX_TOKEN_RATE_LIMIT.requests / (TRIPLETEX_TOKEN_RATE_LIMIT.perMs / 1000),
    };
    for (const system of ["poweroffice-go", "tripletex"] as const) {
      const { maxConcurrency, requestsPerSecondPerWorker } = SYNC_QUEUES[system];
      const routes = CONNECTION_CHECK_CONFIG.reservedConcurrency * CONNECTION_CHECK_CONFIG.requestsPerSecond[system];
      expect(maxConcurrency * requestsPerSecondPerWorker + routes).toBeLessThanOrEqual(budgets[system]);
    }
    const { maxConcurrency } = SYNC_QUEUES["poweroffice-go"];
    // SQS event sources take a maximum concurrency of 2 to 1000.
    expect(maxConcurrency).toBeGreaterThanOrEqual(2);
  });

  it("never delivers a message again while its sync may still run, and gives the schedule hourly rounds", () => {
    expect(SYNC_QUEUE_CONFIG.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * SYNC_WORKER_CONFIG.timeoutSeconds);
    expect(REFRESH_CONFIG.schedule).toBe(`rate(${REFRESH_ROUND_MINUTES} minutes)`);
  });
});
