import { SendMessageCommand, SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import type { QueuedSync, SyncDispatcher, SyncEvent } from "../imports/syncFromApi.ts";
import type { IntegrationSystem } from "../secrets/types.ts";
import { SyncDispatchFailedError } from "./errors.ts";

/**
 * Hands a queued sync to its accounting system's sync queue (SQS, in the cloud): one queue per system, whose worker
 * (functions/sync/worker.ts) runs at most as many syncs at once as keep that system under its rate limit across every
 * client and tenant (infra/config.ts SYNC_QUEUES). The manual sync (`POST …/sync`), the schedule's fan-out and the
 * sweeper's re-dispatch all go this way, so every sync in the cloud shares that limit. The message body is the
 * {@link SyncEvent}; a repeated delivery is a duplicate of the same sync (its claim), never a second sync.
 */
export class SqsSyncDispatcher implements SyncDispatcher {
  private readonly client: SQSClient;

  constructor(
    private readonly options: {
      /** The queue URL of each system this deployment syncs. */
      queueUrls: Partial<Record<IntegrationSystem, string>>;
      client?: SQSClient;
      clientConfig?: SQSClientConfig;
    },
  ) {
    this.client = options.client ?? new SQSClient(options.clientConfig ?? {});
  }

  async dispatch(sync: QueuedSync): Promise<void> {
    const context = { importId: sync.importId, engagementId: sync.engagementId, system: sync.system };
    const queueUrl = sync.system === undefined ? undefined : this.options.queueUrls[sync.system];
    if (queueUrl === undefined) {
      throw new SyncDispatchFailedError(
        `could not hand sync ${sync.importId} over: no sync queue for ${sync.system ?? "an unknown system"}`,
        { context },
      );
    }
    const event: SyncEvent = {
      tenantId: sync.tenantId,
      clientId: sync.clientId,
      engagementId: sync.engagementId,
      importId: sync.importId,
      system: sync.system,
    };
    try {
      const sent = await this.client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }),
      );
      if (sent.MessageId === undefined) throw new Error("SendMessage answered without a message id");
    } catch (error) {
      throw new SyncDispatchFailedError(
        `could not hand sync ${sync.importId} to the ${sync.system} sync queue: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, context },
      );
    }
  }
}
