import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/**
 * A full collection (V8's `gc`, exposed at run time). Memory tests measure what is *held* after a collection, not a
 * peak sampled between collections: a peak depends on when V8 chose to collect, which on a loaded machine varies
 * from run to run (a 32 MiB bound once failed at 32.0 MiB on garbage nothing held).
 *
 * V8 frees the memory of dead array buffers on a background thread after a collection, so on a loaded machine
 * `arrayBuffers` still counted ≈ 20 MiB of dead chunks right after `gc()` (CI: 19.8 MiB against an 8 MiB bound;
 * /tmp-style probe: 21 MiB of 20 MiB dropped). Sweeping them in the collection itself makes the count exact.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString("--no-concurrent-array-buffer-sweeping");
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  // Twice: V8 frees the backing stores of dead ArrayBuffers on a concurrent sweeper thread, so right after one
  // collection `arrayBuffers` still counts some or all of them — how many depends on whether that thread got a core
  // (16 MiB freed: 0.3 or 16.0 MiB still counted, run to run, at load 15). The next collection first finishes that
  // sweep; after it the count is what is held (0.0–0.3 MiB in the same measurement).
  gc();
  gc();
}

/** Bytes held (heap plus array buffers) after a full collection. */
export function retainedBytes(): number {
  collectGarbage();
  const now = process.memoryUsage();
  return now.heapUsed + now.arrayBuffers;
}

/** The largest growth of retained bytes over a baseline taken at creation; `sample` collects, so call it sparingly. */
export function retainedGrowth(): { sample: () => void; peak: () => number } {
  const base = retainedBytes();
  let peak = 0;
  return {
    sample: () => {
      peak = Math.max(peak, retainedBytes() - base);
    },
    peak: () => peak,
  };
}
