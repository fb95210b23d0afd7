import { describe, expect, it, vi } from "vitest";
import { createProgressBar } from "../../../lib/cli/progressBar.ts";

function fakeTerminal() {
  const writes: string[] = [];
  return { stream: { write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream, writes };
}

describe("progress bar", () => {
  it("draws the share of bytes read and the rate, at most every 100 ms, and clears its line when done", () => {
    vi.useFakeTimers();
    try {
      const { stream, writes } = fakeTerminal();
      const bar = createProgressBar(stream, 1000, "big.xml");
      vi.advanceTimersByTime(1000);
      bar.update(250);
      bar.update(300); // within 100 ms of the last draw: skipped
      vi.advanceTimersByTime(1000);
      bar.update(1000);
      bar.done();
      expect(writes).toHaveLength(3);
      expect(writes[0]).toMatch(/^\rbig\.xml \[#{8}-{22}\]  25% /);
      expect(writes[1]).toMatch(/^\rbig\.xml \[#{30}\] 100% 0\.0 MB\/s$/);
      expect(writes[2]).toBe("\r\x1b[2K");
    } finally {
      vi.useRealTimers();
    }
  });

  it("adds a detail after the rate", () => {
    const { stream, writes } = fakeTerminal();
    createProgressBar(stream, 100, "importing big.xml").update(50, "running, 12000 lines");
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\rimporting big\.xml \[#{15}-{15}\]  50% [\d.]+ MB\/s running, 12000 lines$/);
  });

  it("writes nothing when it never drew", () => {
    const { stream, writes } = fakeTerminal();
    createProgressBar(stream, 10, "small.xml").done();
    expect(writes).toEqual([]);
  });
});
