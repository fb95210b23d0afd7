import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDynamoDbLocal } from "../../../lib/local/dynamoDbLocal.ts";
import { ensureBucket } from "../../../lib/local/ensureBucket.ts";
import { ensureTable } from "../../../lib/local/ensureTable.ts";
import {
  createDocumentClient,
  createLocalDynamoDbClient,
  createLocalS3Client,
} from "../../../lib/local/localClients.ts";
import { startS3Emulator } from "../../../lib/local/s3rverEmulator.ts";

// What `npm start` relies on: data kept in a folder across restarts of the emulators (SALDO_DATA_DIR).
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "saldo-persistence-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });

describe("DynamoDB Local with a data folder", () => {
  it("keeps the table and its items across a restart", { timeout: 120_000 }, async () => {
    const folder = join(dataDir, "dynamodb");
    const first = await startDynamoDbLocal({ dataDir: folder });
    const firstDynamo = createLocalDynamoDbClient(first.endpoint);
    const firstClient = createDocumentClient(firstDynamo);
    try {
      expect(await ensureTable(firstDynamo, { tableName: "saldo-local" })).toEqual({ created: true });
      await firstClient.send(
        new PutCommand({ TableName: "saldo-local", Item: { pk: "T#t1", sk: "TENANT", name: "Revisor AS" } }),
      );
    } finally {
      firstClient.destroy();
      firstDynamo.destroy();
      await first.stop();
    }
    expect(await refusesConnections(first.port)).toBe(true);

    const second = await startDynamoDbLocal({ dataDir: folder });
    const secondDynamo = createLocalDynamoDbClient(second.endpoint);
    const secondClient = createDocumentClient(secondDynamo);
    try {
      expect(await ensureTable(secondDynamo, { tableName: "saldo-local" })).toEqual({ created: false });
      const { Item } = await secondClient.send(
        new GetCommand({ TableName: "saldo-local", Key: { pk: "T#t1", sk: "TENANT" } }),
      );
      expect(Item?.name).toBe("Revisor AS");
    } finally {
      secondClient.destroy();
      secondDynamo.destroy();
      await second.stop();
    }
  });
});

describe("S3 emulator with a data folder", () => {
  it("keeps the bucket and its objects across a restart", async () => {
    const folder = join(dataDir, "s3");
    const first = await startS3Emulator({ dataDir: folder });
    const firstClient = createLocalS3Client(first.endpoint);
    try {
      expect(await ensureBucket(firstClient, "saldo-uploads")).toEqual({ created: true });
      await firstClient.send(
        new PutObjectCommand({ Bucket: "saldo-uploads", Key: "uploads/a/b/c/tb.csv", Body: "1920;10,00\n" }),
      );
    } finally {
      firstClient.destroy();
      await first.stop();
    }
    expect(await refusesConnections(first.port)).toBe(true);

    const second = await startS3Emulator({ dataDir: folder });
    const secondClient = createLocalS3Client(second.endpoint);
    try {
      expect(await ensureBucket(secondClient, "saldo-uploads")).toEqual({ created: false });
      const object = await secondClient.send(
        new GetObjectCommand({ Bucket: "saldo-uploads", Key: "uploads/a/b/c/tb.csv" }),
      );
      expect(await object.Body?.transformToString()).toBe("1920;10,00\n");
    } finally {
      secondClient.destroy();
      await second.stop();
    }
  });
});
