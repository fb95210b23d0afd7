import { LambdaClient, type LambdaClientConfig } from "@aws-sdk/client-lambda";
import type { QueuedSync, SyncDispatcher, SyncEvent } from "../imports/syncFromApi.ts";
import { SyncDispatchFailedError } from "./errors.ts";
import { invokeAsync } from "./invokeAsync.ts";

/**
 * Hands a queued sync to the sync function in the cloud: an asynchronous `Invoke` (InvocationType `Event`) with the
 * import's reference, so the API answers 202 at once and the sync runs in its own function with its own timeout.
 * Lambda's retries apply; a repeated delivery is a duplicate of the same sync (its claim), never a second sync.
 */
export class LambdaSyncDispatcher implements SyncDispatcher {
  private readonly client: LambdaClient;

  constructor(
    private readonly options: { functionName: string; client?: LambdaClient; clientConfig?: LambdaClientConfig },
  ) {
    this.client = options.client ?? new LambdaClient(options.clientConfig ?? {});
  }

  async dispatch(ref: QueuedSync): Promise<void> {
    const event: SyncEvent = {
      tenantId: ref.tenantId,
      clientId: ref.clientId,
      engagementId: ref.engagementId,
      importId: ref.importId,
      ...(ref.system !== undefined ? { system: ref.system } : {}),
    };
    try {
      await invokeAsync(this.client, this.options.functionName, event);
    } catch (error) {
      throw new SyncDispatchFailedError(
        `could not hand sync ${ref.importId} to ${this.options.functionName}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, context: { importId: ref.importId, engagementId: ref.engagementId } },
      );
    }
  }
}
