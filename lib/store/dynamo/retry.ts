/**
 * Backoff for what the AWS SDK's own retries cannot see. Failed requests — throttling, a 5xx, a broken connection —
 * are retried by the SDK alone, as each function's client is configured (RETRY_PROFILES in
 * lib/config/functionConfig.ts); this store adds no second layer on top. What remains is what the SDK never retries,
 * because the request itself succeeded or was answered with a definite outcome:
 *
 * - BatchWriteItem's `UnprocessedItems`: the call succeeds (200) and hands back the items DynamoDB shed, for the
 *   caller to send again (BatchWriter);
 * - TransactWriteItems cancelled because of a `TransactionConflict` (or one item's throttling): a
 *   TransactionCanceledException, which the SDK does not retry (DynamoTable.transact);
 * - a conditional write that lost a race and must read again and decide again (activation, expiry marking).
 */
export interface RetryPolicy {
  /** Attempts in all (the first one included) before giving up with StoreUnavailableError (or a conflict). */
  maxAttempts: number;
  /** Delay cap of the first retry, in milliseconds; doubles with every attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform random number in [0, 1); injectable so tests are deterministic. */
  random: () => number;
  /** Waits `ms` milliseconds; injectable so tests do not wait. */
  sleep: (ms: number) => Promise<void>;
}

/** 8 attempts, 50 ms first cap doubling to 5 s: about 10 s of backoff before giving up. */
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
 * writes of one import get items back unprocessed at the same moment.
 */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(policy.random() * ceiling);
}
