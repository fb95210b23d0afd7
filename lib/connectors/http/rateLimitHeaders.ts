/** What an answer's rate-limit headers say about the caller's budget. */
export interface RateLimitInfo {
  /** Requests allowed in the current period. */
  limit?: number;
  /** Requests left in the current period. */
  remaining?: number;
  /** Epoch milliseconds when the period resets (the budget is whole again). */
  resetAt?: number;
}

/**
 * Reads the rate-limit headers the accounting APIs send: Tripletex's `X-Rate-Limit-Limit`, `-Remaining` and `-Reset`
 * (seconds left in the period), and the IETF draft's `RateLimit-Limit` / `-Remaining` / `-Reset` (also seconds). A
 * reset above 10^9 is read as epoch seconds, as some gateways send it. Tripletex may leave `Reset` out of the 429
 * itself, so every field is optional.
 */
export function parseRateLimitHeaders(headers: Headers, nowMs: number): RateLimitInfo {
  const limit = readCount(
    headers.get("x-rate-limit-limit") ?? headers.get("ratelimit-limit") ?? headers.get("x-ratelimit-limit"),
  );
  const remaining = readCount(
    headers.get("x-rate-limit-remaining") ?? headers.get("ratelimit-remaining") ?? headers.get("x-ratelimit-remaining"),
  );
  const reset = readNumber(
    headers.get("x-rate-limit-reset") ?? headers.get("ratelimit-reset") ?? headers.get("x-ratelimit-reset"),
  );
  const info: RateLimitInfo = {};
  if (limit !== undefined) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  if (reset !== undefined) info.resetAt = reset > 1e9 ? Math.round(reset * 1000) : nowMs + Math.round(reset * 1000);
  return info;
}

function readCount(value: string | null): number | undefined {
  const number = readNumber(value);
  return number === undefined ? undefined : Math.floor(number);
}

function readNumber(value: string | null): number | undefined {
  if (value === null) return undefined;
  // A list (`100, 100;w=60`) states the first policy first.
  const first = value.split(/[,;]/)[0]!.trim();
  if (!/^\d+(?:\.\d+)?$/.test(first)) return undefined;
  return Number(first);
}
