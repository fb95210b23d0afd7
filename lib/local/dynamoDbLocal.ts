import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { EmulatorStartError } from "./errors.ts";
import { createLocalDynamoDbClient } from "./localClients.ts";

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** TCP port on 127.0.0.1; 0 (the default) lets the operating system pick a free one, without races. */
  port?: number;
  /** Folder for the database file (`shared-local-instance.db`), kept across restarts; undefined = in memory. */
  dataDir?: string;
  /** How long to wait for the first successful `ListTables`; default 60 s (the JVM starts in ~2 s on 2 cores). */
  startTimeoutMs?: number;
  /** The `java` executable; default `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
  javaCommand?: string;
  /** Receives every line DynamoDB Local prints (stdout and stderr), e.g. to forward it to a log. */
  onOutput?: (line: string) => void;
}

/** A running DynamoDB Local, answering on `endpoint` until {@link RunningDynamoDbLocal.stop} is called. */
export interface RunningDynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Process id of the JVM. */
  readonly pid: number;
  /** Milliseconds from spawning the JVM to the first successful `ListTables`. */
  readonly startupMs: number;
  /** Stops the JVM (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const LISTENING_MARKER = "SALDO_DYNAMODB_LOCAL_LISTENING ";
const launcherSource = fileURLToPath(new URL("./LoopbackDynamoDbLocal.java", import.meta.url));

/**
 * Starts DynamoDB Local (the 1.25 jar shipped inside the `amplify-dynamodb-simulator` npm package) on 127.0.0.1 and
 * resolves once it answers `ListTables` through the real AWS SDK.
 *
 * It runs through lib/local/LoopbackDynamoDbLocal.java because DynamoDB Local has no bind-address option of its own
 * (it would listen on every interface). It always uses `-sharedDb`, so every credential and region sees the same
 * tables (the AWS CLI and the SDK clients of a test agree), and `-disableTelemetry` (no calls home, the machine may
 * be offline). The JVM exits when this process exits, however it exits: it watches the pipe on its standard input.
 *
 * @throws EmulatorStartError `JAVA_NOT_FOUND`, `EMULATOR_NOT_FOUND`, `EMULATOR_START_FAILED` (with the JVM's output
 * in the message) or `EMULATOR_START_TIMEOUT`.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const requestedPort = options.port ?? 0;
  const emulatorDir = findDynamoDbLocalDir();
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });

  const javaCommand = options.javaCommand ?? defaultJavaCommand();
  const libDir = join(emulatorDir, "DynamoDBLocal_lib");
  const args = [
    `-Djava.library.path=${libDir}`,
    // C1 only: DynamoDB Local is short-lived and I/O bound here; skipping C2 cuts startup CPU on 2-core machines.
    "-XX:TieredStopAtLevel=1",
    "-cp",
    [join(emulatorDir, "DynamoDBLocal.jar"), join(libDir, "*")].join(delimiter),
    launcherSource,
    "--exit-with-parent",
    "-port",
    String(requestedPort),
    "-sharedDb",
    "-disableTelemetry",
    ...(dataDir === undefined ? ["-inMemory"] : ["-dbPath", dataDir]),
  ];

  const startedAt = performance.now();
  const child = spawn(javaCommand, args, { cwd: emulatorDir, stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolveExit) => child.once("close", () => resolveExit()));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const output: string[] = [];
  const record = (line: string) => {
    output.push(line);
    if (output.length > 200) output.shift();
    options.onOutput?.(line);
  };
  createInterface({ input: child.stderr }).on("line", record);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.removeListener("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      child.stdin.destroy();
    })();
    return stopping;
  };

  try {
    const port = await waitForListening(child, record, options.startTimeoutMs ?? 60_000, javaCommand, () => output);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForListTables(endpoint, startedAt + (options.startTimeoutMs ?? 60_000), () => output);
    const startupMs = Math.round(performance.now() - startedAt);
    return { endpoint, port, pid: child.pid ?? -1, startupMs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/, inside the amplify-dynamodb-simulator package. */
export function findDynamoDbLocalDir(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve("amplify-dynamodb-simulator/package.json");
  } catch (cause) {
    throw new EmulatorStartError(
      "EMULATOR_NOT_FOUND",
      "DynamoDB Local not found: the npm package amplify-dynamodb-simulator (a devDependency) is not installed; run `npm ci`",
      { cause },
    );
  }
  const dir = join(dirname(packageJson), "emulator");
  if (!existsSync(join(dir, "DynamoDBLocal.jar"))) {
    throw new EmulatorStartError("EMULATOR_NOT_FOUND", `DynamoDB Local not found: no DynamoDBLocal.jar in ${dir}`, {
      context: { dir },
    });
  }
  return dir;
}

function defaultJavaCommand(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome ? join(javaHome, "bin", "java") : "java";
}

function waitForListening(
  child: ChildProcess,
  record: (line: string) => void,
  timeoutMs: number,
  javaCommand: string,
  output: () => string[],
): Promise<number> {
  return new Promise<number>((resolvePort, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new EmulatorStartError(
            "EMULATOR_START_TIMEOUT",
            `DynamoDB Local did not start within ${timeoutMs} ms:\n${output().join("\n")}`,
            { context: { timeoutMs } },
          ),
        ),
      timeoutMs,
    );
    child.once("error", (cause: NodeJS.ErrnoException) =>
      fail(
        cause.code === "ENOENT"
          ? new EmulatorStartError(
              "JAVA_NOT_FOUND",
              `Java not found (tried "${javaCommand}"): DynamoDB Local needs a Java 11+ runtime; install one or set JAVA_HOME`,
              { cause },
            )
          : new EmulatorStartError("EMULATOR_START_FAILED", `DynamoDB Local could not be started: ${cause.message}`, {
              cause,
            }),
      ),
    );
    child.once("close", (code, signal) =>
      fail(
        new EmulatorStartError(
          "EMULATOR_START_FAILED",
          `DynamoDB Local exited during startup (${signal ?? `exit code ${code}`}):\n${output().join("\n")}`,
          { context: { code, signal } },
        ),
      ),
    );
    if (child.stdout === null) throw new Error("spawned without a stdout pipe");
    createInterface({ input: child.stdout }).on("line", (line) => {
      record(line);
      if (line.startsWith(LISTENING_MARKER)) {
        clearTimeout(timer);
        resolvePort(Number(line.slice(LISTENING_MARKER.length)));
      }
    });
  });
}

async function waitForListTables(endpoint: string, deadline: number, output: () => string[]): Promise<void> {
  const client = createLocalDynamoDbClient(endpoint, { maxAttempts: 1 });
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (cause) {
        if (performance.now() > deadline) {
          throw new EmulatorStartError(
            "EMULATOR_START_TIMEOUT",
            `DynamoDB Local at ${endpoint} did not answer ListTables in time:\n${output().join("\n")}`,
            { cause, context: { endpoint } },
          );
        }
        await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
      }
    }
  } finally {
    client.destroy();
  }
}
