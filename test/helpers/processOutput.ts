import { afterAll, vi } from "vitest";

/**
 * Captures what the process writes to standard output and error (Powertools writes its log lines there, errors to
 * stderr) from the call until the test file ends, instead of printing it: the chunks as text, in order. Call it at
 * the top of a test file, so that it sees every line of the handlers the file runs (e.g. to check that no secret is
 * ever logged).
 */
export function captureProcessOutput(): string[] {
  const captured: string[] = [];
  const capture = (stream: NodeJS.WriteStream) =>
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown) => {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return true;
    }) as typeof stream.write);
  const spies = [capture(process.stdout), capture(process.stderr)];
  afterAll(() => spies.forEach((spy) => spy.mockRestore()));
  return captured;
}
