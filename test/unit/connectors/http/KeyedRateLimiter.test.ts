import { describe, expect, it } from "vitest";
import { KeyedRateLimiter } from "../../../../lib/connectors/http/KeyedRateLimiter.ts";

/** Runs `count` tasks of `durationMs` through the limiter at once and returns each task's [start, end] times. */
async function runMany(
  limiter: KeyedRateLimiter,
  key: string,
  count: number,
  durationMs: number,
): Promise<[number, number][]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      limiter.run(key, async () => {
        const start = Date.now();
        await new Promise((resolve) => setTimeout(resolve, durationMs));
        return [start, Date.now()] as [number, number];
      }),
    ),
  );
}

describe("KeyedRateLimiter", () => {
  it("lets at most `requests` tasks fall in any window, counting from each task's end", async () => {
    const limiter = new KeyedRateLimiter({ defaultLimit: { requests: 3, perMs: 200 } });
    const spans = await runMany(limiter, "k", 10, 5);
    // A task's request reaches the server somewhere in [start, end]; a slot is free again `perMs` after an end.
    const sorted = spans.map(([start]) => start).sort((a, b) => a - b);
    for (let index = 3; index < sorted.length; index++) {
      const ends = spans.map(([, end]) => end).sort((a, b) => a - b);
      expect(sorted[index]! - ends[index - 3]!).toBeGreaterThanOrEqual(200);
    }
    expect(limiter.stats("k")).toMatchObject({ inFlight: 0, queued: 0, started: 10 });
  });

  it("keeps keys apart: one key's budget does not slow another", async () => {
    const limiter = new KeyedRateLimiter({ defaultLimit: { requests: 1, perMs: 60_000 } });
    await limiter.run("a", async () => undefined);
    const secondOnA = limiter.acquire("a");
    const releaseB = await limiter.acquire("b");
    // "b" got its turn while "a" still waits out its window.
    expect(limiter.stats("a")).toMatchObject({ queued: 1, started: 1 });
    expect(limiter.stats("b")).toMatchObject({ inFlight: 1, started: 1 });
    releaseB();
    limiter.setLimit("a", { requests: 5, perMs: 1 });
    (await secondOnA)();
  });

  it("caps tasks in flight", async () => {
    const limiter = new KeyedRateLimiter();
    limiter.setLimit("k", { requests: 100, perMs: 1, maxConcurrent: 2 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        limiter.run("k", async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 10));
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });

  it("serves waiters first come, first served", async () => {
    const limiter = new KeyedRateLimiter({ defaultLimit: { requests: 1, perMs: 20 } });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((index) => limiter.run("k", async () => void order.push(index))));
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("holds every task of a key during a server-imposed pause", async () => {
    const limiter = new KeyedRateLimiter();
    const until = Date.now() + 300;
    limiter.pauseUntil("k", until);
    limiter.pauseUntil("k", until - 200);
    expect(limiter.stats("k").pausedUntil).toBe(until);
    const startedAt = await limiter.run("k", async () => Date.now());
    expect(startedAt).toBeGreaterThanOrEqual(until);
  });

  it("drops a waiter whose signal aborts, and serves the next", async () => {
    const limiter = new KeyedRateLimiter({ defaultLimit: { requests: 1, perMs: 10_000 } });
    const release = await limiter.acquire("k");
    const controller = new AbortController();
    const waiting = limiter.acquire("k", controller.signal);
    expect(limiter.stats("k").queued).toBe(1);
    controller.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow("cancelled");
    expect(limiter.stats("k").queued).toBe(0);
    release();
    release(); // twice is harmless
    expect(limiter.stats("k").inFlight).toBe(0);
  });

  it("refuses limits that make no sense", () => {
    const limiter = new KeyedRateLimiter();
    expect(() => limiter.setLimit("k", { requests: 0, perMs: 1000 })).toThrow(RangeError);
    expect(() => limiter.setLimit("k", { requests: 1, perMs: 0 })).toThrow(RangeError);
    expect(() => limiter.setLimit("k", { requests: 1, perMs: 10, maxConcurrent: 0 })).toThrow(RangeError);
  });
});
