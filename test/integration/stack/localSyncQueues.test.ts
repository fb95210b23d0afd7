import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqsSchema } from "@aws-lambda-powertools/parser/schemas/sqs";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../../lib/local/localClients.ts";
import { startLocalHttpServer, type RunningLocalHttpServer } from "../../../lib/local/stack/localHttpServer.ts";
import { createLocalSyncQueues, type LocalSyncQueues } from "../../../lib/local/stack/localSyncQueues.ts";
import { SqsSyncDispatcher } from "../../../lib/store/SqsSyncDispatcher.ts";

/**
 * The local stack's sync queues, spoken to by the AWS SDK's own SQS client through SqsSyncDispatcher (as the API's sync
 * route, `saldo sync`, the schedule's fan-out and the sweeper send in the cloud): a message reaches the sync worker's
 * handler as the SQS event Lambda's event source sends (validated here with the same Powertools schema the worker
 * uses), with its receive count; a message the worker names in `batchItemFailures` is received again, and after the
 * last receive goes to the dead letters.
 */

let server: RunningLocalHttpServer;
let queues: LocalSyncQueues;
const events: unknown[] = [];
const deadLetters: unknown[] = [];
let failIds = new Set<string>();
const ref = { tenantId: "t1", clientId: "nordvik", engagementId: "2025", importId: "01JSYNC" };

beforeAll(async () => {
  server = await startLocalHttpServer({ port: 0 });
  queues = createLocalSyncQueues({
    httpUrl: server.url,
    region: LOCAL_REGION,
    worker: async (event) => {
      events.push(event);
      const records = SqsSchema.parse(event).Records;
      return {
        batchItemFailures: records
          .filter((record) => failIds.has(JSON.parse(record.body).importId))
          .map((record) => ({ itemIdentifier: record.messageId })),
      };
    },
    onDeadLetter: (message) => deadLetters.push(message),
    redeliveryDelayMs: 10,
  });
  server.addRoute(queues.route);
});
afterAll(async () => {
  await server.stop();
});

const clientConfig = () => ({ endpoint: queues.endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } });

describe("the local stack's sync queues", () => {
  it("deliver what SqsSyncDispatcher sends to the worker handler as an SQS event, on the system's queue", async () => {
    events.length = 0;
    await new SqsSyncDispatcher({ queueUrls: queues.urls, clientConfig: clientConfig() }).dispatch({
      ...ref,
      system: "tripletex",
    });
    await queues.queues.idle();
    expect(events).toHaveLength(1);
    const record = SqsSchema.parse(events[0]).Records[0]!;
    expect(JSON.parse(record.body)).toEqual({ ...ref, system: "tripletex" });
    expect(record.attributes.ApproximateReceiveCount).toBe("1");
    expect(record.eventSourceARN).toMatch(/:saldo-local-sync-tripletex$/);
  });

  it("deliver a message the worker failed again, with a higher receive count, and dead-letter it after the last", async () => {
    events.length = 0;
    failIds = new Set(["01JCRASH"]);
    await new SqsSyncDispatcher({ queueUrls: queues.urls, clientConfig: clientConfig() }).dispatch({
      ...ref,
      importId: "01JCRASH",
      system: "poweroffice-go",
    });
    await queues.queues.idle();
    const counts = events.map((event) => SqsSchema.parse(event).Records[0]!.attributes.ApproximateReceiveCount);
    expect(counts).toEqual(["1", "2", "3"]);
    expect(deadLetters).toEqual([expect.objectContaining({ queue: "poweroffice-go", receives: 3 })]);
  });

  it("answers a queue it does not have as SQS does, so the dispatcher fails with SYNC_DISPATCH_FAILED", async () => {
    const sqs = new SQSClient({ ...clientConfig(), maxAttempts: 1 });
    try {
      await expect(
        sqs.send(new SendMessageCommand({ QueueUrl: `${queues.endpoint}/000000000000/nope`, MessageBody: "{}" })),
      ).rejects.toMatchObject({ name: "QueueDoesNotExist" });
    } finally {
      sqs.destroy();
    }
    await expect(
      new SqsSyncDispatcher({
        queueUrls: { tripletex: `${queues.endpoint}/000000000000/nope` },
        clientConfig: { ...clientConfig(), maxAttempts: 1 },
      }).dispatch({ ...ref, system: "tripletex" }),
    ).rejects.toMatchObject({ code: "SYNC_DISPATCH_FAILED" });
  });
});
