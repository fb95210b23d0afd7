/** A one-line progress bar on a terminal stream (only used when that stream is a TTY). */
export function createProgressBar(stream: NodeJS.WriteStream, totalBytes: number, label: string) {
  const started = Date.now();
  let lastDraw = 0;
  return {
    /** Redraws (at most every 100 ms) with the bytes done so far and, after the rate, an optional `detail`. */
    update(bytesRead: number, detail?: string): void {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 0;
      const width = 30;
      const filled = Math.round(fraction * width);
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? bytesRead / 1e6 / seconds : 0;
      stream.write(
        `\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${rate.toFixed(1)} MB/s` +
          (detail ? ` ${detail}` : ""),
      );
    },
    done(): void {
      if (lastDraw > 0) stream.write("\r\x1b[2K");
    },
  };
}
