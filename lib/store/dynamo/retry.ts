import { isRetryableError, StoreUnavailableError, translateSdkError } from "../errors.ts";

/** How the store retries throttled or failed requests. */
export interface RetryPolicy {
  /** Attempts in all (the first one included) before giving up with StoreUnavailableError. */
  maxAttempts: number;
  /** Delay cap of the first retry, in milliseconds; doubles with every attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform random number in [0, 1); injectable so tests are deterministic. */
  random: () => number;
  /** Waits `ms` milliseconds; injectable so tests do not wait. */
  sleep: (ms: number) => Promise<void>;
}

/** 8 attempts, 50 ms first cap doubling to 5 s: about 10 s of backoff before StoreUnavailableError. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): a uniform delay
 * between 0 and min(cap, base·2^retry). Full jitter spreads retrying writers apart, which matters when many chunk
 * writes of one import are throttled at the same moment.
 */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(policy.random() * ceiling);
}

/**
 * Runs `request`, retrying retryable failures (throttling, 5xx, network) with backoff, and translates whatever
 * failure remains into a StoreError. This layer sits on top of the SDK's own retries: those absorb short blips,
 * this one outlasts sustained throttling of a large import.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  operation: string,
  context: Record<string, unknown>,
  request: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!isRetryableError(error)) throw translateSdkError(error, operation, context);
      if (attempt >= policy.maxAttempts) {
        throw new StoreUnavailableError(
          `DynamoDB ${operation} still failing after ${attempt} attempts: ${error instanceof Error ? error.message || error.name : String(error)}`,
          { cause: error, context: { operation, attempts: attempt, ...context } },
        );
      }
      await policy.sleep(backoffDelay(policy, attempt - 1));
    }
  }
}
