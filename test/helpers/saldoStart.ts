import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { projectRoot } from "./saldoCli.ts";

/** `saldo start` (as `npm start` runs it) in its own process, for the tests of the whole local stack. */
export interface SpawnedStack {
  readonly child: ChildProcess;
  /** Every line it printed on standard output so far. */
  readonly output: string[];
  /** Every line it printed on standard error so far (logs at POWERTOOLS_LOG_LEVEL and above). */
  readonly errors: string[];
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Resolves at its `Ready.` line; rejects, with what it printed, if it exits before. */
  readonly ready: Promise<void>;
  /**
   * Ends it if it still runs: `signal` (SIGINT = Ctrl-C), then SIGKILL if it has not exited within `graceMs` (its
   * DynamoDB Local JVM follows it either way: the JVM exits with its parent). Resolves with its exit code.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/**
 * Spawns `bin/saldo.js start` with `env` as its whole environment. Both output pipes are always read: a child whose
 * standard error nobody reads blocks on its next write once the pipe's 64 KiB are full, and a test then waits for
 * a line that never comes. Call {@link SpawnedStack.stop} in an `afterAll`, so a failing test leaves no stack (and
 * no JVM) running behind it.
 */
export function spawnSaldoStart(env: Record<string, string | undefined>): SpawnedStack {
  const child = spawn(process.execPath, [join(projectRoot, "bin", "saldo.js"), "start"], {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const errors: string[] = [];
  // "close", not "exit": by then every line it printed has been read.
  const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
  const ready = new Promise<void>((resolveReady, fail) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      if (line.startsWith("Ready.")) resolveReady();
    });
    createInterface({ input: child.stderr! }).on("line", (line) => errors.push(line));
    child.once("error", fail);
    void exited.then((code) =>
      fail(new Error(`saldo start exited with ${code}:\n${[...output, ...errors].join("\n")}`)),
    );
  });
  // A test that never awaits `ready` (it failed earlier) must not leave an unhandled rejection behind.
  ready.catch(() => {});

  const stop = async (signal: NodeJS.Signals = "SIGINT", graceMs = 30_000): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return exited;
  };
  return { child, output, errors, exited, ready, stop };
}
