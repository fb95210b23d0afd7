import { LambdaClient, type LambdaClientConfig } from "@aws-sdk/client-lambda";
import type { ImportRedelivery, UploadRedelivery } from "../imports/sweepImports.ts";
import { RedeliveryFailedError } from "./errors.ts";
import { invokeAsync } from "./invokeAsync.ts";
import { redeliveryEventOf } from "./s3EventNotification.ts";

/**
 * Re-delivers an upload's event to the ingest function in the cloud: an asynchronous `Invoke` (InvocationType
 * `Event`, as S3 itself invokes it) with an S3 event notification carrying the upload's bucket, key, version, ETag,
 * size and sequencer — the facts importFile's claim identifies the import by, so the ingest function takes the
 * re-queued import over (same import id) instead of starting another. Lambda's own retries and dead-letter queue
 * then apply to it as to any upload.
 */
export class LambdaIngestRedelivery implements ImportRedelivery {
  private readonly client: LambdaClient;

  constructor(
    private readonly options: { functionName: string; client?: LambdaClient; clientConfig?: LambdaClientConfig },
  ) {
    this.client = options.client ?? new LambdaClient(options.clientConfig ?? {});
  }

  async redeliver(upload: UploadRedelivery): Promise<void> {
    const event = redeliveryEventOf(upload);
    try {
      await invokeAsync(this.client, this.options.functionName, event);
    } catch (error) {
      throw new RedeliveryFailedError(
        `could not re-deliver s3://${upload.bucket}/${upload.key} to ${this.options.functionName}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, context: { bucket: upload.bucket, key: upload.key } },
      );
    }
  }
}
