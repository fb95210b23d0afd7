import { createHash, randomUUID } from "node:crypto";
import { InProcessSyncQueue, type DeadSyncMessage } from "../../imports/InProcessSyncQueue.ts";
import type { SyncMessage } from "../../imports/runQueuedSyncs.ts";
import type { IntegrationSystem } from "../../secrets/types.ts";
import { createLambdaContext, type LocalFunctionConfig, type LocalLambdaHandler } from "./invokeLikeLambda.ts";
import { LOCAL_SQS_PATH, localQueueUrl, sqsSendMessageRoute } from "./sqsSendMessageRoute.ts";
import type { LocalHttpRoute } from "./localHttpServer.ts";

/** The sync worker as Lambda names it (infra/config.ts SYNC_WORKER_CONFIG.handler; lib/ may not import infra/). */
export const SYNC_WORKER_HANDLER = "functions/sync/worker.handler";

/** The dead-letter queues' worker (infra/config.ts SYNC_DEAD_LETTERS_CONFIG.handler). */
export const SYNC_DEAD_LETTERS_HANDLER = "functions/sync/deadLetters.handler";

/** The local stack's sync queues, as SQS queues are named per system in the cloud. */
const QUEUE_NAMES: Record<IntegrationSystem, string> = {
  "poweroffice-go": "saldo-local-sync-poweroffice-go",
  tripletex: "saldo-local-sync-tripletex",
};

/** The local stack's sync queues, their SQS endpoint, and the in-process queues behind them. */
export interface LocalSyncQueues {
  /** The SQS endpoint (the functions' and the CLI's SQS client `endpoint`). */
  endpoint: string;
  /** Each system's queue URL (SALDO_SYNC_QUEUE_…_URL in the cloud). */
  urls: Record<IntegrationSystem, string>;
  /** The route that answers SendMessage on the stack's HTTP server. */
  route: LocalHttpRoute;
  /** The queues themselves (the sweeper hands lost syncs to them; `idle()` for tests and shutdown). */
  queues: InProcessSyncQueue;
}

/** The stack's SQS endpoint and its sync queues' URLs, on its HTTP server at `httpUrl`. */
export function localSyncQueueAddresses(httpUrl: string): Pick<LocalSyncQueues, "endpoint" | "urls"> {
  const urls = Object.fromEntries(
    Object.entries(QUEUE_NAMES).map(([system, name]) => [system, localQueueUrl(httpUrl, name)]),
  ) as Record<IntegrationSystem, string>;
  return { endpoint: `${httpUrl}${LOCAL_SQS_PATH}`, urls };
}

/**
 * The sync queues of the local stack, run as SQS runs the cloud's: a message sent to a system's queue URL (by the
 * same SqsSyncDispatcher as in the cloud) is delivered to the sync worker's handler (functions/sync/worker.ts, built
 * with the stack's configuration) as an SQS event of one record, with its receive count; the worker's
 * `batchItemFailures` are delivered again, at most SYNC_MAX_RECEIVES times, then handed to `onDeadLetter` (the cloud's
 * dead-letter queue). Concurrency per system is the cloud's event-source `maximumConcurrency` (SYNC_QUEUE_LIMITS).
 */
export function createLocalSyncQueues(options: {
  httpUrl: string;
  region: string;
  worker: LocalLambdaHandler;
  /** The dead-letter queues' worker: a message given up on is delivered to it, as the cloud's dead-letter queue does. */
  deadLetterWorker?: LocalLambdaHandler;
  log?: (message: string, fields: Record<string, unknown>) => void;
  onDeadLetter?: (message: DeadSyncMessage) => void;
  /** Pause before a failed message is delivered again (SQS: its visibility timeout); default 1 s. */
  redeliveryDelayMs?: number;
}): LocalSyncQueues {
  const { endpoint, urls } = localSyncQueueAddresses(options.httpUrl);
  const fn: LocalFunctionConfig = { functionName: "saldo-local-sync-worker", region: options.region, memoryMb: 1769 };
  const invoke = async (handler: LocalLambdaHandler, messages: SyncMessage[], queue: string): Promise<string[]> => {
    const now = String(Date.now());
    const event = {
      Records: messages.map((message) => ({
        messageId: message.id,
        receiptHandle: randomUUID(),
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          ApproximateFirstReceiveTimestamp: now,
          SenderId: "000000000000",
          SentTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: createHash("md5").update(message.body).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:${options.region}:000000000000:${QUEUE_NAMES[queue as IntegrationSystem] ?? queue}`,
        awsRegion: options.region,
      })),
    };
    const answer = (await handler(event, createLambdaContext(fn))) as {
      batchItemFailures?: { itemIdentifier: string }[];
    };
    return (answer.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
  };
  const deadLetterWorker = options.deadLetterWorker;
  const onDeadLetter = (message: DeadSyncMessage) => {
    options.onDeadLetter?.(message);
    if (deadLetterWorker === undefined) return;
    void invoke(
      deadLetterWorker,
      [{ id: randomUUID(), body: message.body, receiveCount: 1 }],
      `${message.queue}-dead-letters`,
    ).catch((error: unknown) =>
      options.log?.("dead-lettered sync not ended", { reason: error instanceof Error ? error.message : String(error) }),
    );
  };
  const queues = new InProcessSyncQueue((messages, queue) => invoke(options.worker, messages, queue), {
    ...(options.log ? { log: options.log } : {}),
    onDeadLetter,
    ...(options.redeliveryDelayMs !== undefined ? { redeliveryDelayMs: options.redeliveryDelayMs } : {}),
  });
  const systemOfUrl = new Map(Object.entries(urls).map(([system, url]) => [url, system]));
  const route = sqsSendMessageRoute((queueUrl, body) => {
    const system = systemOfUrl.get(queueUrl);
    return system === undefined ? undefined : queues.send(system, body);
  });
  return { endpoint, urls, route, queues };
}
