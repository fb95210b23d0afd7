import { describe, expect, it } from "vitest";
import { CompletionWindowLimiter } from "../../../../lib/connectors/powerofficeGo/CompletionWindowLimiter.ts";

/** Runs `count` requests through the limiter, each taking `latencyMs`, and returns their start and end times. */
async function run(limiter: CompletionWindowLimiter, count: number, latencyMs: () => number) {
  const spans: { start: number; end: number }[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      const release = await limiter.acquire("key");
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, latencyMs()));
      const end = Date.now();
      spans.push({ start, end });
      release();
    }),
  );
  return spans;
}

describe("CompletionWindowLimiter", () => {
  it("never lets more than `requests` requests be in flight or within `perMs` of their answer", async () => {
    const limiter = new CompletionWindowLimiter();
    limiter.setLimit("key", { requests: 3, perMs: 200 });
    const spans = await run(limiter, 9, () => 5 + Math.floor(Math.random() * 40));
    // Whatever time on the server a request arrived at (between its start and its end), no window of 200 ms can hold
    // more than 3: a request starts only when fewer than 3 slots (start → end + 200 ms) are taken.
    for (const span of spans) {
      const taken = spans.filter((other) => other !== span && other.start <= span.start && span.start < other.end + 200);
      expect(taken.length).toBeLessThan(3);
    }
    expect(limiter.stats("key")).toMatchObject({ inFlight: 0, queued: 0, started: 9 });
  });

  it("holds every request back while a pause the server asked for lasts", async () => {
    const limiter = new CompletionWindowLimiter();
    limiter.setLimit("key", { requests: 10, perMs: 1000 });
    const until = Date.now() + 150;
    limiter.pauseUntil("key", until);
    const spans = await run(limiter, 2, () => 1);
    for (const span of spans) expect(span.start).toBeGreaterThanOrEqual(until - 1);
  });

  it("rejects a waiter whose signal aborts, and lets the others through", async () => {
    const limiter = new CompletionWindowLimiter();
    limiter.setLimit("key", { requests: 1, perMs: 100 });
    const first = await limiter.acquire("key");
    const controller = new AbortController();
    const aborted = limiter.acquire("key", controller.signal);
    const next = limiter.acquire("key");
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    first();
    const release = await next;
    release();
    expect(limiter.stats("key").started).toBe(2);
  });
});
