/** A push parser: takes chunks, leaves the records it completes in {@link out}. */
export interface ChunkConsumer<T> {
  /** Records completed so far, read from index 0 on; the stream empties the array once it has handed them out. */
  readonly out: T[];
  /** Parses the next chunk (throws on a structural error; records completed before it are in `out`). */
  write(chunk: Uint8Array): void;
  /** Ends the input (throws when it ends too early). */
  end(): void;
  /**
   * For a parser that leaves part of the work of {@link write} and {@link end} to be done on demand: completes more
   * records from the input given so far (a few at a time, so that few are alive at once), and returns whether it
   * did anything; false once that input is used up. Throws like {@link write}.
   */
  pull?(): boolean;
}

const DONE: IteratorResult<never, void> = Object.freeze({ done: true, value: undefined });

/**
 * The record stream of a push parser, as an async generator in behaviour (lazy start, one record per `next()`,
 * calls served in order, `return()` closes the input, an error ends the stream) but written by hand: an
 * `async function*` that re-yields a parser's records costs a few microtask turns per record, which is a share of
 * the whole parse worth saving on a file of a million lines (the SIE reader measured 14%). Here a record that is
 * ready is handed out as a resolved promise, and the input is only awaited when the parser needs more of it.
 *
 * `open` runs at the first `next()`: it reads what it must to choose the parser (a zip or XML, say) and returns the
 * chunks to feed it. Records completed before a structural error are handed out before the error is thrown, so
 * what precedes an error does not depend on how the input was chunked.
 *
 * A consumer that can take records in batches calls {@link nextBatch} (through {@link recordBatches}) instead of
 * `next()`: one promise per batch of ready records instead of one per record. The `for await` step per record measured about
 * 15% of a SIE parse of two-row vouchers (issue #8).
 */
export class ChunkRecordStream<T> implements AsyncGenerator<T, void, undefined> {
  private consumer: ChunkConsumer<T> | undefined;
  private input: AsyncIterator<Uint8Array> | undefined;
  private index = 0;
  private inputEnded = false;
  private finished = false;
  private failure: { error: unknown } | undefined;
  /** The last call still waiting for input; later calls queue behind it. */
  private tail: Promise<unknown> | undefined;

  constructor(
    private readonly open: () => Promise<{ chunks: AsyncIterable<Uint8Array>; consumer: ChunkConsumer<T> }>,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, void>> {
    return this.inOrder(this.nextNow);
  }

  /**
   * Every record that is ready, as one array (never empty), reading input until there is one; `undefined` at the
   * end. Mixes with {@link next}: calls are served in order, and each record is handed out once.
   */
  nextBatch(): Promise<T[] | undefined> {
    return this.inOrder(this.batchNow);
  }

  /** Runs `now` at once, or after the call still waiting for input: calls are served in the order they were made. */
  private inOrder<R>(now: () => R | Promise<R>): Promise<R> {
    const result = this.tail === undefined ? now() : this.tail.then(now);
    if (result instanceof Promise) {
      this.tail = result;
      const settle = () => {
        if (this.tail === result) this.tail = undefined;
      };
      result.then(settle, settle);
      return result;
    }
    return Promise.resolve(result);
  }

  async return(): Promise<IteratorResult<T, void>> {
    await this.close();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T, void>> {
    await this.close();
    throw error;
  }

  /** A record at once when one is ready, else a promise that reads more input first. */
  private readonly nextNow = (): IteratorResult<T, void> | Promise<IteratorResult<T, void>> => {
    const result = this.step();
    if (result !== undefined) return result;
    if (this.failure !== undefined) return this.fail();
    return this.readMore(this.step);
  };

  /** The ready records at once when there are any, else a promise that reads more input first. */
  private readonly batchNow = (): T[] | undefined | Promise<T[] | undefined> => {
    const batch = this.takeBatch();
    if (batch !== undefined) return batch ?? undefined;
    if (this.failure !== undefined) return this.fail();
    return this.readMore(this.takeBatch).then((taken) => taken ?? undefined);
  };

  /** The next ready record, `DONE` at the end, or `undefined` when input must be read (or a failure thrown) first. */
  private readonly step = (): IteratorResult<T, void> | undefined => {
    for (;;) {
      const consumer = this.consumer;
      if (this.finished) return DONE;
      if (consumer === undefined) return undefined;
      const out = consumer.out;
      if (this.index < out.length) return { done: false, value: out[this.index++]! };
      if (out.length !== 0) {
        out.length = 0;
        this.index = 0;
      }
      if (this.failure !== undefined) return undefined;
      if (consumer.pull !== undefined && this.pull(consumer)) continue;
      if (!this.inputEnded) return undefined;
      this.finished = true;
      return DONE;
    }
  };

  /** The ready records (a new array), `null` at the end, or `undefined` when input must be read (or a failure thrown) first. */
  private readonly takeBatch = (): T[] | null | undefined => {
    for (;;) {
      const consumer = this.consumer;
      if (this.finished) return null;
      if (consumer === undefined) return undefined;
      const out = consumer.out;
      if (this.index < out.length) {
        const batch = out.slice(this.index);
        out.length = 0;
        this.index = 0;
        return batch;
      }
      if (out.length !== 0) {
        out.length = 0;
        this.index = 0;
      }
      if (this.failure !== undefined) return undefined;
      if (consumer.pull !== undefined && this.pull(consumer)) continue;
      if (!this.inputEnded) return undefined;
      this.finished = true;
      return null;
    }
  };

  /** The consumer's {@link ChunkConsumer.pull}; a failure is kept to be thrown after the records before it. */
  private pull(consumer: ChunkConsumer<T>): boolean {
    try {
      return consumer.pull!();
    } catch (error) {
      this.failure = { error };
      return true;
    }
  }

  /** Feeds input until `take` has something (records, or the end); a failure is thrown once the records before it are taken. */
  private async readMore<R>(take: () => R | undefined): Promise<R> {
    try {
      if (this.consumer === undefined) {
        const { chunks, consumer } = await this.open();
        this.input = chunks[Symbol.asyncIterator]();
        this.consumer = consumer;
      }
      const input = this.input!;
      const consumer = this.consumer;
      for (;;) {
        const chunk = await input.next();
        try {
          if (chunk.done) {
            this.inputEnded = true;
            consumer.end();
          } else {
            consumer.write(chunk.value);
          }
        } catch (error) {
          // Records completed before the error go out first (see step); then the error.
          this.failure = { error };
        }
        const result = take();
        if (result !== undefined) return result;
        if (this.failure !== undefined) return await this.fail();
      }
    } catch (error) {
      this.failure ??= { error };
      return await this.fail();
    }
  }

  private async fail(): Promise<never> {
    const { error } = this.failure!;
    await this.close();
    throw error;
  }

  private async close(): Promise<void> {
    if (this.finished && this.inputEnded) return;
    this.finished = true;
    const input = this.input;
    this.input = undefined;
    if (this.consumer) {
      this.consumer.out.length = 0;
      this.index = 0;
    }
    if (!this.inputEnded) {
      this.inputEnded = true;
      await input?.return?.();
    }
  }
}
