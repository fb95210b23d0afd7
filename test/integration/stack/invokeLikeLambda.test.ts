import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  invokeAsynchronously,
  type DeadLetterMessage,
  type LocalLambdaContext,
} from "../../../lib/local/stack/invokeLikeLambda.ts";
import { createS3EventNotification } from "../../../lib/store/s3EventNotification.ts";

const fn = { functionName: "saldo-local-ingest", memoryMb: 3008, timeoutSeconds: 900 };
const event = createS3EventNotification({
  bucket: "b",
  key: "uploads/t/c/e/file.xml",
  size: 10,
  eTag: "abc",
  eventName: "ObjectCreated:Put",
});
let deadLetterDir: string;
beforeEach(async () => {
  deadLetterDir = join(await mkdtemp(join(tmpdir(), "saldo-invoke-")), "dead-letters");
});
afterEach(async () => {
  await rm(join(deadLetterDir, ".."), { recursive: true, force: true });
});

describe("invoking the handler like Lambda's asynchronous invocation", () => {
  it("passes the event and a context with the function's name, ARN, memory, request id and remaining time", async () => {
    const seen: { event: unknown; context: LocalLambdaContext }[] = [];
    const result = await invokeAsynchronously(async (e, context) => void seen.push({ event: e, context }), event, fn, {
      deadLetterDir,
    });
    expect(result).toMatchObject({ outcome: "succeeded", attempts: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.event).toBe(event);
    const context = seen[0]!.context;
    expect(context).toMatchObject({
      functionName: "saldo-local-ingest",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:eu-north-1:000000000000:function:saldo-local-ingest",
      memoryLimitInMB: "3008",
      awsRequestId: result.requestId,
      logGroupName: "/aws/lambda/saldo-local-ingest",
    });
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(899_000);
  });

  it("retries a failed invocation twice with the same event and request id, and stops at the first success", async () => {
    const requestIds: string[] = [];
    const result = await invokeAsynchronously(
      async (_e, context) => {
        requestIds.push(context.awsRequestId);
        if (requestIds.length < 3) throw new Error("store unavailable");
      },
      event,
      fn,
      { deadLetterDir, retryDelaysMs: [1, 1] },
    );
    expect(result).toMatchObject({ outcome: "succeeded", attempts: 3 });
    expect(new Set(requestIds).size).toBe(1);
    expect(await readdir(deadLetterDir).catch(() => [])).toEqual([]);
  });

  it("writes the event and the last error to the dead-letter folder after three failed attempts", async () => {
    let attempts = 0;
    const failures: boolean[] = [];
    const result = await invokeAsynchronously(
      async () => {
        attempts++;
        throw Object.assign(new Error(`attempt ${attempts}: table missing`), { code: "STORE_REQUEST_FAILED" });
      },
      event,
      fn,
      { deadLetterDir, retryDelaysMs: [1, 1], onAttemptFailed: ({ willRetry }) => failures.push(willRetry) },
    );
    expect(attempts).toBe(3);
    expect(failures).toEqual([true, true, false]);
    expect(result.outcome).toBe("dead-lettered");
    const files = await readdir(deadLetterDir);
    expect(files).toHaveLength(1);
    const message = JSON.parse(await readFile(join(deadLetterDir, files[0]!), "utf8")) as DeadLetterMessage;
    expect(message).toMatchObject({
      requestId: result.requestId,
      errorCode: "STORE_REQUEST_FAILED",
      errorMessage: "attempt 3: table missing",
      functionName: "saldo-local-ingest",
      attempts: 3,
      event: JSON.parse(JSON.stringify(event)),
    });
  });
});
