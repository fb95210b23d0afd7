import { ChunkRecordStream } from "./ChunkRecordStream.ts";

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A record stream read in batches: the records a parser has ready come as one array (a chunk's for SAF-T, a few
 * dozen for SIE), so the consumer pays one `await` per batch instead of one per record (about 15% of a SIE parse of two-row vouchers,
 * issue #8). A stream of a file parser ({@link ChunkRecordStream}) hands out its batches itself; any other stream
 * (an accounting API's records, a test's generator) comes one record per batch. The records, their order and the
 * errors are the same as with `for await` over `records`; ending the loop early (`break`, a throw) closes `records`.
 *
 * @example
 * for await (const batch of recordBatches(records)) for (const record of batch) summarizer.add(record);
 */
export function recordBatches<T>(records: AsyncIterable<T>): AsyncIterable<readonly T[]> {
  return {
    [Symbol.asyncIterator]: () =>
      records instanceof ChunkRecordStream
        ? new ChunkBatches(records as ChunkRecordStream<T>)
        : new SingleRecordBatches(records[Symbol.asyncIterator]()),
  };
}

class ChunkBatches<T> implements AsyncIterator<readonly T[], undefined> {
  constructor(private readonly records: ChunkRecordStream<T>) {}

  async next(): Promise<IteratorResult<readonly T[], undefined>> {
    const batch = await this.records.nextBatch();
    return batch === undefined ? DONE : { done: false, value: batch };
  }

  async return(): Promise<IteratorResult<readonly T[], undefined>> {
    await this.records.return();
    return DONE;
  }
}

class SingleRecordBatches<T> implements AsyncIterator<readonly T[], undefined> {
  constructor(private readonly records: AsyncIterator<T>) {}

  async next(): Promise<IteratorResult<readonly T[], undefined>> {
    const next = await this.records.next();
    return next.done ? DONE : { done: false, value: [next.value] };
  }

  async return(): Promise<IteratorResult<readonly T[], undefined>> {
    await this.records.return?.();
    return DONE;
  }
}
