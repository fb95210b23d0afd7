import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StoreError, StoreItemTooLargeError, StoreUnavailableError, translateSdkError } from "../errors.ts";
import type { Item } from "./itemCodec.ts";
import { itemSize } from "./itemSize.ts";
import { backoffDelay, type RetryPolicy } from "./retry.ts";

/** BatchWriteItem takes at most 25 put requests per call (DynamoDB API Reference). */
export const MAX_BATCH_ITEMS = 25;
/** DynamoDB's item size limit, 400 KB (names and values; see itemSize). */
export const MAX_ITEM_BYTES = 400 * 1024;
/** …and at most 16 MB per call; stay well below it (chunk items are ≤ ~300 KB, so this rarely splits a batch). */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** Options of {@link BatchWriter}. */
export interface BatchWriterOptions {
  documents: DynamoDBDocumentClient;
  tableName: string;
  /** Batch requests in flight at once; `put` waits (backpressure) while this many are. */
  concurrency: number;
  retry: RetryPolicy;
}

/** What a batch writer did, for statistics and tests. */
export interface BatchWriterStatistics {
  /** Items DynamoDB accepted. */
  items: number;
  /** Their size as DynamoDB counts it (see itemSize). */
  bytes: number;
  /** BatchWriteItem calls made, retries included. */
  requests: number;
  /** Calls that were retries (of unprocessed items). */
  retries: number;
}

/**
 * Puts items through BatchWriteItem, 25 at a time, with at most `concurrency` calls in flight. `put` resolves as soon
 * as the item is queued, but waits while the writer is saturated, so a producer (the parser) slows down to the pace
 * DynamoDB accepts and memory stays flat however large the import.
 *
 * A call's `UnprocessedItems` (DynamoDB sheds load per item; the call itself succeeded, so the SDK does not retry
 * it) are sent again with exponential backoff and full jitter, up to `retry.maxAttempts` attempts per batch; after
 * that the writer fails with StoreUnavailableError, which the next `put`/`flush` throws. A failed call (throttling,
 * a 5xx) was already retried by the SDK as its client is configured; what still fails ends the writer.
 */
export class BatchWriter {
  readonly statistics: BatchWriterStatistics = { items: 0, bytes: 0, requests: 0, retries: 0 };
  private pending: { item: Item; size: number }[] = [];
  private pendingBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: StoreError | undefined;

  constructor(private readonly options: BatchWriterOptions) {}

  /** Queues one item; waits while `concurrency` batches are in flight. Throws the failure of an earlier batch. */
  async put(item: Item): Promise<void> {
    this.throwIfFailed();
    const size = itemSize(item);
    if (size > MAX_ITEM_BYTES) {
      // Refused here, naming the item, rather than by BatchWriteItem for the whole batch without saying which.
      throw new StoreItemTooLargeError(
        `The item ${String(item.pk)} / ${String(item.sk)} is ${size} bytes, over DynamoDB's 400 KB item limit`,
        { context: { pk: item.pk, sk: item.sk, bytes: size } },
      );
    }
    if (this.pending.length > 0 && this.pendingBytes + size > MAX_BATCH_BYTES) await this.dispatch();
    this.pending.push({ item, size });
    this.pendingBytes += size;
    if (this.pending.length >= MAX_BATCH_ITEMS) await this.dispatch();
  }

  /** Sends what is queued and waits for every batch in flight; throws the first failure. */
  async flush(): Promise<void> {
    await this.dispatch();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.throwIfFailed();
  }

  /** Drops what is queued and waits for the batches in flight, ignoring failures (for abort). */
  async settle(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private async dispatch(): Promise<void> {
    if (this.pending.length === 0) return;
    while (this.inFlight.size >= this.options.concurrency) await Promise.race([...this.inFlight]);
    this.throwIfFailed();
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const request: Promise<void> = this.write(batch)
      .catch((error: unknown) => {
        this.failure ??= translateSdkError(error, "BatchWriteItem", { tableName: this.options.tableName });
      })
      .finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  private async write(batch: { item: Item; size: number }[]): Promise<void> {
    const { documents, tableName, retry } = this.options;
    let requests = batch.map(({ item }) => ({ PutRequest: { Item: item } }));
    for (let attempt = 1; ; attempt++) {
      this.statistics.requests++;
      let unprocessed: typeof requests;
      try {
        const output = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        unprocessed = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      } catch (error) {
        throw translateSdkError(error, "BatchWriteItem", { tableName });
      }
      if (unprocessed.length === 0) {
        this.statistics.items += batch.length;
        this.statistics.bytes += batch.reduce((sum, { size }) => sum + size, 0);
        return;
      }
      if (attempt >= retry.maxAttempts) {
        throw new StoreUnavailableError(
          `DynamoDB BatchWriteItem gave up after ${attempt} attempts (${unprocessed.length} items still unprocessed)`,
          { context: { operation: "BatchWriteItem", tableName, attempts: attempt, unprocessed: unprocessed.length } },
        );
      }
      this.statistics.retries++;
      await retry.sleep(backoffDelay(retry, attempt - 1));
      requests = unprocessed;
    }
  }
}
