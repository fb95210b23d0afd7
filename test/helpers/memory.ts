import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/**
 * A full collection (V8's `gc`, exposed at run time). Memory tests measure what is *held* after a collection, not a
 * peak sampled between collections: a peak depends on when V8 chose to collect, which on a loaded machine varies
 * from run to run (a 32 MiB bound once failed at 32.0 MiB on garbage nothing held).
 *
 * V8 frees the memory of dead array buffers on a concurrent sweeper thread, so right after one collection
 * `arrayBuffers` still counted some or all of them on a loaded machine (CI: 19.8 MiB against an 8 MiB bound; a probe
 * dropping 20 MiB fifty times: up to 21 MiB still counted). Sweeping within the collection
 * (`--no-concurrent-array-buffer-sweeping`: 1 MiB in the same probe) makes the count exact; the second collection
 * finishes any sweep begun before the flag was set.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString("--no-concurrent-array-buffer-sweeping");
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
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
