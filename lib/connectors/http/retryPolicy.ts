/**
 * When and how long the connectors' HTTP client waits before trying a request again: exponential backoff with full
 * jitter (a random delay between 0 and min(cap, base · 2^(attempt−1)), so that many clients throttled at once do not
 * come back in lockstep), unless the API says how long (`Retry-After`, or the rate-limit reset headers).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 = never retry). */
  maxAttempts: number;
  /** Backoff base: the first retry waits up to this long. */
  baseDelayMs: number;
  /** Backoff cap: no computed delay is longer. */
  maxDelayMs: number;
  /**
   * Longest `Retry-After` (or rate-limit reset) the client waits for. A longer one is not slept through: the call fails
   * at once with `CONNECTOR_RATE_LIMITED` and the time to come back, so a sync does not hang for an hour.
   */
  maxRetryAfterMs: number;
}

/** Defaults: 5 attempts, 0.5 s base, 20 s cap, and a server-stated wait of up to 60 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
});

/** Full-jitter backoff before attempt `attempt + 1` (so `attempt` ≥ 1 is the attempt that just failed). */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Milliseconds a `Retry-After` header asks for (RFC 9110 §10.2.3): delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, in the past = 0). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * The seconds a throttled answer's body names, for APIs that say it only in words (PowerOffice Go's 429: "Try again in
 * N seconds"). Undefined when the text names none.
 */
export function retryAfterFromText(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /try again in (\d+(?:\.\d+)?) ?(?:s\b|sec|second)/i.exec(text);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
