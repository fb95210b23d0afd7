/**
 * A client-side limiter that keeps the calls sharing one budget under the API's published cap, keyed by a string the
 * caller chooses: PowerOffice Go counts requests per *subscription key* across every client of every tenant, so all
 * connectors of a process share one limiter and use the subscription key's id as the key; Tripletex counts per token
 * owner. One instance is meant to live for the whole process (create it once at the composition root).
 *
 * Each key has a window limit (at most `requests` in any `perMs` window), an optional cap on requests in flight, and a
 * pause the server can impose (`Retry-After`, or a rate-limit reset when the remaining budget is 0). Waiters are served
 * first come, first served.
 *
 * The window is kept safe whatever the network does: a key has `requests` slots, and a request holds its slot from
 * the moment it starts until `perMs` after its answer arrived (its release). The server receives a request somewhere
 * between its start and its answer, so two requests that use the same slot reach the server at least `perMs` apart,
 * and no window of `perMs` at the server can hold more than `requests` of them — a limit measured from start times
 * alone would be broken by a request that travelled slowly followed by one that travelled fast.
 */
export interface RateLimit {
  /** Requests allowed in any window of `perMs` milliseconds. */
  requests: number;
  perMs: number;
  /** Requests in flight at once (unlimited when absent). */
  maxConcurrent?: number;
}

export interface KeyedRateLimiterOptions {
  /** The limit of a key (e.g. per system). Keys without one are only paced by server pauses and `defaultLimit`. */
  limitFor?: (key: string) => RateLimit | undefined;
  defaultLimit?: RateLimit;
  /** Added to each slot's rest after a release (default 5 ms), for clocks that count whole milliseconds. */
  marginMs?: number;
  now?: () => number;
}

/** What the limiter is doing for one key (for tests and diagnostics). */
export interface RateLimiterKeyStats {
  inFlight: number;
  queued: number;
  /** Requests started through this key since the limiter was created. */
  started: number;
  /** Epoch ms until which the server asked us to pause, if in the future. */
  pausedUntil?: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface KeyState {
  limit?: RateLimit;
  /** When each resting slot is free again (release time + window), for slots released within the last window. */
  resting: number[];
  inFlight: number;
  started: number;
  queue: Waiter[];
  pausedUntil: number;
  timer?: ReturnType<typeof setTimeout>;
  timerAt?: number;
}

export class KeyedRateLimiter {
  readonly #options: KeyedRateLimiterOptions;
  readonly #keys = new Map<string, KeyState>();
  readonly #explicit = new Map<string, RateLimit>();
  readonly #now: () => number;
  readonly #marginMs: number;

  constructor(options: KeyedRateLimiterOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.marginMs ?? 5;
  }

  /** Sets (or, with `undefined`, removes) the limit of one key; applies to requests not yet started. */
  setLimit(key: string, limit: RateLimit | undefined): void {
    if (limit) validateLimit(limit);
    if (limit) this.#explicit.set(key, limit);
    else this.#explicit.delete(key);
    const state = this.#keys.get(key);
    if (state) {
      state.limit = this.#limitOf(key);
      this.#pump(key, state);
    }
  }

  /**
   * Waits for a turn under `key`'s limit and returns the function that ends it (call it when the answer has been read,
   * success or not; calling it twice is harmless). Rejects with `signal.reason` when the signal aborts first.
   */
  acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const state = this.#state(key);
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = state.queue.indexOf(waiter);
          if (index >= 0) state.queue.splice(index, 1);
          reject(signal.reason);
          this.#pump(key, state);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      state.queue.push(waiter);
      this.#pump(key, state);
    });
  }

  /** Runs `task` in a turn under `key`'s limit. */
  async run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(key, signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /**
   * Holds back every request of `key` until `untilEpochMs` (the server said so: `Retry-After`, or a reset time while
   * the remaining budget is 0). A shorter pause than one already in force changes nothing.
   */
  pauseUntil(key: string, untilEpochMs: number): void {
    const state = this.#state(key);
    if (untilEpochMs <= state.pausedUntil) return;
    state.pausedUntil = untilEpochMs;
    this.#pump(key, state);
  }

  stats(key: string): RateLimiterKeyStats {
    const state = this.#keys.get(key);
    if (!state) return { inFlight: 0, queued: 0, started: 0 };
    const now = this.#now();
    return {
      inFlight: state.inFlight,
      queued: state.queue.length,
      started: state.started,
      ...(state.pausedUntil > now ? { pausedUntil: state.pausedUntil } : {}),
    };
  }

  #limitOf(key: string): RateLimit | undefined {
    const limit = this.#explicit.get(key) ?? this.#options.limitFor?.(key) ?? this.#options.defaultLimit;
    if (limit) validateLimit(limit);
    return limit;
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = { limit: this.#limitOf(key), resting: [], inFlight: 0, started: 0, queue: [], pausedUntil: 0 };
      this.#keys.set(key, state);
    }
    return state;
  }

  #pump(key: string, state: KeyState): void {
    while (state.queue.length > 0) {
      const limit = state.limit;
      if (limit?.maxConcurrent !== undefined && state.inFlight >= limit.maxConcurrent) return;
      const now = this.#now();
      if (state.resting.length > 0) state.resting = state.resting.filter((freeAt) => freeAt > now);
      let readyAt = state.pausedUntil;
      if (limit && state.inFlight + state.resting.length >= limit.requests) {
        // Every slot is busy: in flight (its release will pump) or resting (wake when the first is free).
        if (state.inFlight >= limit.requests || state.resting.length === 0) {
          if (readyAt > now) this.#wakeAt(key, state, readyAt);
          return;
        }
        readyAt = Math.max(readyAt, Math.min(...state.resting));
      }
      if (readyAt > now) {
        this.#wakeAt(key, state, readyAt);
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
        if (state.limit) state.resting.push(this.#now() + state.limit.perMs + this.#marginMs);
        this.#pump(key, state);
      });
    }
  }

  #wakeAt(key: string, state: KeyState, at: number): void {
    if (state.timer !== undefined && state.timerAt !== undefined && state.timerAt <= at) return;
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timerAt = at;
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        state.timerAt = undefined;
        this.#pump(key, state);
      },
      Math.max(0, at - this.#now()),
    );
  }
}

function validateLimit(limit: RateLimit): void {
  if (!Number.isInteger(limit.requests) || limit.requests < 1)
    throw new RangeError(`rate limit requests must be a positive integer, got ${limit.requests}`);
  if (!(limit.perMs > 0)) throw new RangeError(`rate limit window must be positive, got ${limit.perMs} ms`);
  if (limit.maxConcurrent !== undefined && (!Number.isInteger(limit.maxConcurrent) || limit.maxConcurrent < 1)) {
    throw new RangeError(`rate limit maxConcurrent must be a positive integer, got ${limit.maxConcurrent}`);
  }
}
