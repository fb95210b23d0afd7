import { describe, expect, it } from "vitest";
import { parseRateLimitHeaders } from "../../../../lib/connectors/http/rateLimitHeaders.ts";
import { redactPathAndQuery, RequestRecorder } from "../../../../lib/connectors/http/RequestRecorder.ts";
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryAfterFromText,
} from "../../../../lib/connectors/http/retryPolicy.ts";

const NOW = Date.parse("2026-12-04T12:00:00Z");

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(parseRetryAfter("1.5", NOW)).toBe(1500);
  });

  it("reads an HTTP date, and a date in the past as no wait", () => {
    expect(parseRetryAfter("Fri, 04 Dec 2026 12:00:30 GMT", NOW)).toBe(30_000);
    expect(parseRetryAfter("Fri, 04 Dec 2026 11:00:00 GMT", NOW)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter("", NOW)).toBeUndefined();
    expect(parseRetryAfter("-5", NOW)).toBeUndefined();
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
  });

  it("reads PowerOffice Go's 'Try again in N seconds'", () => {
    expect(
      retryAfterFromText('{"title":"Too many requests","detail":"Rate limit is exceeded. Try again in 3 seconds."}'),
    ).toBe(3000);
    expect(retryAfterFromText("Too many requests")).toBeUndefined();
  });
});

describe("backoffDelayMs (full jitter)", () => {
  it("stays between 0 and min(cap, base · 2^(attempt−1))", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(99);
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(399);
    expect(backoffDelayMs(10, policy, () => 0.999999)).toBe(999);
    expect(backoffDelayMs(4, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(100);
  });
});

describe("parseRateLimitHeaders", () => {
  it("reads Tripletex's X-Rate-Limit-* (reset in seconds from now)", () => {
    const headers = new Headers({
      "X-Rate-Limit-Limit": "100",
      "X-Rate-Limit-Remaining": "0",
      "X-Rate-Limit-Reset": "7",
    });
    expect(parseRateLimitHeaders(headers, NOW)).toEqual({ limit: 100, remaining: 0, resetAt: NOW + 7000 });
  });

  it("reads the IETF RateLimit-* fields, an epoch reset, and leaves out what is missing", () => {
    expect(parseRateLimitHeaders(new Headers({ "RateLimit-Remaining": "4" }), NOW)).toEqual({ remaining: 4 });
    const epoch = Math.floor(NOW / 1000) + 60;
    expect(parseRateLimitHeaders(new Headers({ "X-Rate-Limit-Reset": String(epoch) }), NOW)).toEqual({
      resetAt: epoch * 1000,
    });
    expect(parseRateLimitHeaders(new Headers({ "X-Rate-Limit-Remaining": "many" }), NOW)).toEqual({});
  });
});

describe("request records", () => {
  it("remove secret query parameters and keep the rest", () => {
    expect(
      redactPathAndQuery("/token/session/:create?consumerToken=abc&employeeToken=def&expirationDate=2026-12-06"),
    ).toBe("/token/session/:create?expirationDate=2026-12-06");
    expect(redactPathAndQuery("/x?client_secret=1&api%5Fkey=2&password=3&from=0")).toBe("/x?from=0");
    expect(redactPathAndQuery("/x?employeeToken=1")).toBe("/x");
    expect(redactPathAndQuery("/ledger/posting?dateFrom=2025-01-01")).toBe("/ledger/posting?dateFrom=2025-01-01");
  });

  it("count every request and keep only the first ones", () => {
    const recorder = new RequestRecorder({ limit: 2 });
    for (let index = 0; index < 5; index++)
      recorder.record({ method: "GET", path: `/a?from=${index}&sessionToken=s`, status: 200 });
    expect(recorder.count).toBe(5);
    expect(recorder.records).toEqual([
      { method: "GET", path: "/a?from=0", status: 200 },
      { method: "GET", path: "/a?from=1", status: 200 },
    ]);
  });
});
