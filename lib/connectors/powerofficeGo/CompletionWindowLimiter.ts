import { KeyedRateLimiter, type RateLimit, type RateLimiterKeyStats } from "../http/index.ts";

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface KeyState {
  limit?: RateLimit;
  /** Completion times still inside the window, oldest first. */
  ends: number[];
  inFlight: number;
  started: number;
  queue: Waiter[];
  pausedUntil: number;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * A keyed limiter whose window counts from when each request *ended*, not when it started: a request holds one of the
 * key's `requests` slots from its start until `perMs` after its answer was read. The server counts arrivals, which
 * lie between a request's start and its end, so however late a request arrives (a cold connection, a busy event loop,
 * the network), no window of `perMs` on the server can see more than `requests` of them — the guarantee PowerOffice
 * Go's "10 requests per second per subscription key" needs when several clients sync at once. The price is a little
 * throughput (each slot is also busy for one round trip). Same interface as {@link KeyedRateLimiter}, so the connectors'
 * HTTP client takes either.
 */
export class CompletionWindowLimiter extends KeyedRateLimiter {
  readonly #keys = new Map<string, KeyState>();
  readonly #limits = new Map<string, RateLimit>();
  readonly #clock: () => number;

  constructor(options: { now?: () => number } = {}) {
    super(options);
    this.#clock = options.now ?? Date.now;
  }

  override setLimit(key: string, limit: RateLimit | undefined): void {
    if (limit) this.#limits.set(key, limit);
    else this.#limits.delete(key);
    const state = this.#keys.get(key);
    if (state) {
      state.limit = limit;
      this.#pump(state);
    }
  }

  override acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const state = this.#state(key);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, ...(signal ? { signal } : {}) };
      if (signal) {
        waiter.onAbort = () => {
          const index = state.queue.indexOf(waiter);
          if (index >= 0) state.queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      state.queue.push(waiter);
      this.#pump(state);
    });
  }

  override async run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(key, signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  override pauseUntil(key: string, untilEpochMs: number): void {
    const state = this.#state(key);
    if (untilEpochMs <= state.pausedUntil) return;
    state.pausedUntil = untilEpochMs;
    this.#pump(state);
  }

  override stats(key: string): RateLimiterKeyStats {
    const state = this.#keys.get(key);
    if (!state) return { inFlight: 0, queued: 0, started: 0 };
    return {
      inFlight: state.inFlight,
      queued: state.queue.length,
      started: state.started,
      ...(state.pausedUntil > this.#clock() ? { pausedUntil: state.pausedUntil } : {}),
    };
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = { ends: [], inFlight: 0, started: 0, queue: [], pausedUntil: 0, ...(this.#limits.has(key) ? { limit: this.#limits.get(key)! } : {}) };
      this.#keys.set(key, state);
    }
    return state;
  }

  #pump(state: KeyState): void {
    while (state.queue.length > 0) {
      const now = this.#clock();
      const limit = state.limit;
      let readyAt = state.pausedUntil;
      if (limit) {
        while (state.ends.length > 0 && state.ends[0]! + limit.perMs <= now) state.ends.shift();
        const busy = state.inFlight + state.ends.length;
        if (busy >= limit.requests) {
          // Wait for the oldest completion to leave the window (or, all slots in flight, for a release).
          if (state.ends.length === 0) return;
          readyAt = Math.max(readyAt, state.ends[0]! + limit.perMs);
        }
        if (limit.maxConcurrent !== undefined && state.inFlight >= limit.maxConcurrent) return;
      }
      if (readyAt > now) {
        this.#wakeAt(state, readyAt);
        return;
      }
      const waiter = state.queue.shift()!;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
      state.inFlight++;
      state.started++;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        state.inFlight--;
        if (state.limit) state.ends.push(this.#clock());
        this.#pump(state);
      });
    }
  }

  #wakeAt(state: KeyState, at: number): void {
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        this.#pump(state);
      },
      Math.max(1, at - this.#clock()),
    );
  }
}
