import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import type { DeadLetterMessage } from "../../../lib/local/stack/invokeLikeLambda.ts";
import { decodeS3EventKey, type S3EventNotification } from "../../../lib/store/s3EventNotification.ts";
import { useTestStack } from "./localStackFixture.ts";

// A handler that fails like the real one does when DynamoDB is unreachable (StoreUnavailableError is rethrown so
// that Lambda retries): every attempt is recorded.
const attempts: { key: string; requestId: string }[] = [];
const local = useTestStack({
  retryDelaysMs: [10, 10],
  loadIngestHandler: async () => async (event, context) => {
    const notification = event as S3EventNotification;
    attempts.push({ key: decodeS3EventKey(notification.Records[0]!.s3.object.key), requestId: context.awsRequestId });
    throw Object.assign(new Error("DynamoDB is unreachable"), { code: "STORE_UNAVAILABLE" });
  },
});

describe("an upload whose handler keeps failing", () => {
  it("is tried three times with the same event, then written to the dead-letter folder with the error", async () => {
    const { stack, s3 } = local();
    const key = "uploads/firm/client/engagement/tb.csv";
    await s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: key, Body: "1920;100,00\n" }));
    await stack.waitForDeliveries();

    expect(attempts.map((attempt) => attempt.key)).toEqual([key, key, key]);
    expect(new Set(attempts.map((attempt) => attempt.requestId)).size).toBe(1);
    expect(stack.deliveries).toEqual([expect.objectContaining({ outcome: "dead-lettered", attempts: 3 })]);

    const files = await readdir(stack.deadLetterDir);
    expect(files).toHaveLength(1);
    const message = JSON.parse(await readFile(join(stack.deadLetterDir, files[0]!), "utf8")) as DeadLetterMessage;
    expect(message).toMatchObject({
      errorCode: "STORE_UNAVAILABLE",
      errorMessage: "DynamoDB is unreachable",
      attempts: 3,
    });
    const record = (message.event as S3EventNotification).Records[0]!;
    expect(record).toMatchObject({
      eventSource: "aws:s3",
      eventName: "ObjectCreated:Put",
      s3: { bucket: { name: stack.bucketName }, object: { size: 12 } },
    });
    expect(decodeS3EventKey(record.s3.object.key)).toBe(key);
  });
});
