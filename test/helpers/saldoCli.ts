import { execFile } from "node:child_process";
import { join, resolve } from "node:path";

/** The project's root: the CLI runs from here unless told otherwise. */
export const projectRoot = resolve(import.meta.dirname, "..", "..");

/** What a run of the CLI left: its exit code and its output. */
export interface SaldoRun<Output = string> {
  code: number;
  stdout: Output;
  stderr: string;
}

/** Options of {@link runSaldo}. */
export interface SaldoOptions {
  /** The local stack's data folder (SALDO_DATA_DIR): the CLI finds the stack through its stack.json. */
  dataDir?: string;
  /** Variables on top of the user's environment. */
  env?: Record<string, string>;
  /** Default: the project's root. */
  cwd?: string;
}

/**
 * The shell of a user: the test process's environment without the variables that would point the CLI at AWS or at
 * the store of a stack started in this process for its in-process handlers.
 */
export function userEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !/^SALDO_(TABLE_NAME|BUCKET_NAME|DYNAMODB_ENDPOINT|S3_ENDPOINT)$/.test(entry[0]),
    ),
  );
}

function run<Output>(args: string[], options: SaldoOptions, encoding: "utf8" | "buffer"): Promise<SaldoRun<Output>> {
  const env = {
    ...userEnvironment(),
    ...(options.dataDir !== undefined ? { SALDO_DATA_DIR: options.dataDir } : {}),
    ...options.env,
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(projectRoot, "bin", "saldo.js"), ...args],
      { cwd: options.cwd ?? projectRoot, env, encoding, maxBuffer: 64 << 20 },
      (error, stdout, stderr) =>
        done({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          stdout: stdout as Output,
          stderr: stderr.toString(),
        }),
    );
  });
}

/** Runs the CLI as a user would, in its own process (bin/saldo.js), and answers its exit code and text output. */
export function runSaldo(args: string[], options: SaldoOptions = {}): Promise<SaldoRun> {
  return run<string>(args, options, "utf8");
}

/** As {@link runSaldo}, with standard output as bytes (exports: XLSX, CSV with a BOM). */
export function runSaldoBytes(args: string[], options: SaldoOptions = {}): Promise<SaldoRun<Buffer>> {
  return run<Buffer>(args, options, "buffer");
}
