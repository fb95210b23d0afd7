import { createHash, randomBytes } from "node:crypto";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { Readable } from "node:stream";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import type { S3Event } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { ensureBucket } from "../../../lib/local/ensureBucket.ts";
import { ensureTable } from "../../../lib/local/ensureTable.ts";
import { decodeS3EventKey } from "../../../lib/store/s3EventNotification.ts";
import { useTestEmulators } from "../../helpers/emulators.ts";

const emulators = useTestEmulators();

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

async function download(bucket: string, key: string): Promise<Buffer> {
  const response = await emulators().s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

/** The events delivered for `key` (decoded), once every pending delivery has run. */
async function eventsFor(key: string) {
  await emulators().waitForS3Events();
  return emulators().s3Events.filter((event) => decodeS3EventKey(event.Records[0]!.s3.object.key) === key);
}

describe("S3 emulator", () => {
  it("returns a streamed 5 MiB upload byte for byte", async () => {
    const { bucketName } = emulators();
    const bytes = randomBytes(5 * 1024 * 1024 + 123);
    const key = "uploads/t1/c1/e1/large.bin";
    // A stream body with a known length: the SDK sends it as is, no buffering (and no aws-chunked encoding,
    // thanks to requestChecksumCalculation: "WHEN_REQUIRED").
    const chunks = Array.from({ length: 81 }, (_, index) => bytes.subarray(index * 65_536, (index + 1) * 65_536));
    await emulators().s3.send(
      new PutObjectCommand({ Bucket: bucketName, Key: key, Body: Readable.from(chunks), ContentLength: bytes.length }),
    );

    const downloaded = await download(bucketName, key);

    expect(downloaded.length).toBe(bytes.length);
    expect(md5(downloaded)).toBe(md5(bytes));
    expect(downloaded.equals(bytes)).toBe(true);
  });

  it("delivers an ObjectCreated:Put event in the real S3 shape, key URL-encoded as S3 does", async () => {
    const { bucketName } = emulators();
    const key = "uploads/tenant 1/client-ø/engagement-2024/Saldobalanse 2024 æøå ÆØÅ (v2).csv";
    const body = Buffer.from("konto;navn;ib;ub\n1920;Bank;1000,00;2500,50\n", "utf8");
    await emulators().s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: body }));

    const [event, ...others] = await eventsFor(key);

    expect(others).toHaveLength(0);
    // Type-level check: the local event is what a Lambda handler typed with @types/aws-lambda receives.
    const lambdaEvent: S3Event = event!;
    expect(lambdaEvent.Records).toHaveLength(1);
    const record = lambdaEvent.Records[0]!;
    expect(record).toMatchObject({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "eu-north-1",
      eventName: "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: bucketName, arn: `arn:aws:s3:::${bucketName}` },
        object: {
          // Computed with Python's urllib.parse.quote_plus(key, safe="/").
          key: "uploads/tenant+1/client-%C3%B8/engagement-2024/Saldobalanse+2024+%C3%A6%C3%B8%C3%A5+%C3%86%C3%98%C3%85+%28v2%29.csv",
          size: 43,
          eTag: "aee320745d4909ad97d7d87e9be95c0f",
        },
      },
    });
    expect(record.s3.object.versionId).toBeUndefined();
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{16}$/);
    expect(new Date(record.eventTime).toISOString()).toBe(record.eventTime);
    expect(record.responseElements["x-amz-request-id"]).toMatch(/^[0-9A-F]{16}$/);
    expect(record.userIdentity.principalId).toMatch(/^AWS:[0-9A-F]{21}$/);
    expect(decodeS3EventKey(record.s3.object.key)).toBe(key);
  });

  it("gives a later upload of the same key a greater sequencer", async () => {
    const { bucketName } = emulators();
    const key = "uploads/t1/c1/e1/twice.csv";
    await emulators().s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: "first" }));
    await emulators().s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: "second" }));

    const [first, second] = (await eventsFor(key)).map((event) => event.Records[0]!.s3.object);

    expect(first!.eTag).toBe(md5(Buffer.from("first")));
    expect(second!.eTag).toBe(md5(Buffer.from("second")));
    expect(BigInt(`0x${second!.sequencer}`)).toBeGreaterThan(BigInt(`0x${first!.sequencer}`));
  });

  it("names a copy ObjectCreated:Copy and fills in the eTag s3rver leaves out", async () => {
    const { bucketName } = emulators();
    const source = "uploads/t1/c1/e1/source.csv";
    const target = "rejected/t1/c1/e1/source.csv";
    await emulators().s3.send(new PutObjectCommand({ Bucket: bucketName, Key: source, Body: "1920;Bank;100,00\n" }));
    await emulators().s3.send(
      new CopyObjectCommand({ Bucket: bucketName, Key: target, CopySource: `${bucketName}/${source}` }),
    );

    const [event] = await eventsFor(target);

    expect(event!.Records[0]).toMatchObject({
      eventName: "ObjectCreated:Copy",
      s3: { object: { size: 17, eTag: md5(Buffer.from("1920;Bank;100,00\n")) } },
    });
  });

  it("names a completed multipart upload ObjectCreated:CompleteMultipartUpload", async () => {
    const { bucketName, s3 } = emulators();
    const key = "uploads/t1/c1/e1/multipart.xml";
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucketName, Key: key }));
    const uploaded = [];
    for (const [index, part] of parts.entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket: bucketName, Key: key, UploadId, PartNumber: index + 1, Body: part }),
      );
      uploaded.push({ ETag, PartNumber: index + 1 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucketName,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );

    const [event] = await eventsFor(key);

    expect(event!.Records[0]!.eventName).toBe("ObjectCreated:CompleteMultipartUpload");
    expect(event!.Records[0]!.s3.object.size).toBe(5 * 1024 * 1024 + 1000);
    expect((await download(bucketName, key)).equals(Buffer.concat(parts))).toBe(true);
  });

  it("keeps the upload successful when the object-created handler throws", async () => {
    const { bucketName } = emulators();
    const key = "uploads/t1/c1/e1/handler-fails.csv";
    const failures: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void failures.push(args);
    emulators().setObjectCreatedHandler(() => {
      throw new Error("handler failed on purpose");
    });
    try {
      await emulators().s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: "x" }));
      await emulators().waitForS3Events();
    } finally {
      emulators().setObjectCreatedHandler(undefined);
      console.error = original;
    }

    expect(failures).toHaveLength(1);
    expect((await download(bucketName, key)).toString()).toBe("x");
  });

  it("leaves an existing bucket alone when ensured again", async () => {
    const { bucketName, s3 } = emulators();

    expect(await ensureBucket(s3, bucketName)).toEqual({ created: false });
    expect(await ensureBucket(s3, "saldo-second-bucket")).toEqual({ created: true });
  });
});

describe("DynamoDB Local", () => {
  it("creates the table from TABLE_SPEC with gsi1 projecting all attributes", async () => {
    const { dynamo, tableName } = emulators();

    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));

    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.Projection?.ProjectionType])).toEqual([
      ["gsi1", "ALL"],
    ]);
  });

  it("has TTL enabled on expiresAt", async () => {
    const { dynamo, tableName } = emulators();

    const { TimeToLiveDescription } = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: tableName }));

    expect(TimeToLiveDescription).toEqual({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
  });

  // Transactions on saldo's own key shapes (claim, activation, client writes) are exercised by the store contract
  // against DynamoDB Local (test/integration/store/DynamoStores.test.ts), not here.

  it("leaves an existing table alone when ensured again", async () => {
    const { dynamo, tableName } = emulators();

    expect(await ensureTable(dynamo, { tableName })).toEqual({ created: false });
  });

  it("refuses a table of the same name with other keys", async () => {
    const { dynamo } = emulators();
    await ensureTable(dynamo, {
      tableName: "saldo-old-layout",
      spec: {
        partitionKey: { name: "id", type: "S" },
        sortKey: { name: "sk", type: "S" },
        globalSecondaryIndexes: [],
        ttlAttribute: "expiresAt",
        billingMode: "PAY_PER_REQUEST",
        pointInTimeRecovery: true,
      },
    });

    await expect(ensureTable(dynamo, { tableName: "saldo-old-layout" })).rejects.toMatchObject({
      code: "TABLE_SCHEMA_MISMATCH",
    });
  });

  it("does not implement point-in-time recovery (infra/ enables it on the real table)", async () => {
    const { dynamo, tableName } = emulators();

    const failure = await dynamo
      .send(new DescribeContinuousBackupsCommand({ TableName: tableName }))
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: "UnknownOperationException" });
  });
});

describe("network exposure", () => {
  const externalAddress = Object.values(networkInterfaces())
    .flat()
    .find((info) => info !== undefined && info.family === "IPv4" && !info.internal)?.address;

  it.skipIf(externalAddress === undefined)("serves both emulators on 127.0.0.1 only", async () => {
    const reachable = (host: string, port: number) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host, port });
        socket.once("connect", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      });
    const ports = [new URL(emulators().s3Endpoint).port, new URL(emulators().dynamoEndpoint).port].map(Number);

    for (const port of ports) {
      expect(await reachable("127.0.0.1", port)).toBe(true);
      expect(await reachable(externalAddress!, port)).toBe(false);
    }
  });
});
