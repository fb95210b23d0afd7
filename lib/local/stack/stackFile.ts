import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";

/** File name of the stack file inside the data folder (`${SALDO_DATA_DIR:-./.saldo}/stack.json`). */
export const STACK_FILE_NAME = "stack.json";

/**
 * What a running local stack tells the CLI (and anyone else on the machine) about itself. Written by
 * {@link writeStackFile} once everything is up, removed when the stack stops; read back through this schema, since
 * the file is outside the program (an older saldo, a crashed stack, a hand edit).
 */
export const StackFileSchema = z.object({
  version: z.literal(1),
  /** Process id of the stack: a file whose process is gone is stale (the stack crashed or was killed). */
  pid: z.number().int().positive(),
  startedAt: z.string(),
  /** Absolute path of the data folder. */
  dataDir: z.string(),
  region: z.string(),
  s3: z.object({ endpoint: z.url(), bucket: z.string().min(1), forcePathStyle: z.boolean() }),
  dynamodb: z.object({ endpoint: z.url(), table: z.string().min(1) }),
  http: z.object({ url: z.url() }),
  /** The web console, when the stack serves it. */
  web: z.object({ url: z.url() }).optional(),
  /** Where events that failed every retry are written. */
  deadLetterDir: z.string(),
  /**
   * The fake accounting APIs the stack's connectors talk to (Tripletex `…/v2`, PowerOffice Go the host root): the CLI
   * points its own connectors there (`saldo connect` checks a key as the stack would). Absent in a stack file of a
   * saldo from before the connectors.
   */
  connectors: z.object({ tripletex: z.url(), "poweroffice-go": z.url() }).optional(),
  /**
   * The stack's Lambda endpoint (Invoke API, lib/local/stack/lambdaInvokeRoute.ts) and the name of the schedule's
   * refresh function there (`saldo refresh --now` invokes it, as it invokes the deployed one in AWS).
   */
  lambda: z.object({ endpoint: z.url(), refreshFunctionName: z.string().min(1).optional() }).optional(),
  /**
   * The stack's SQS endpoint (lib/local/stack/sqsSendMessageRoute.ts) and each system's sync queue URL: where
   * `saldo sync` sends a queued sync, as it sends to the sync queues in AWS. Absent in a stack file of a saldo from
   * before the sync queues.
   */
  syncQueues: z
    .object({ endpoint: z.url(), urls: z.object({ "poweroffice-go": z.url(), tripletex: z.url() }) })
    .optional(),
});
export type StackFile = z.infer<typeof StackFileSchema>;

/** Where the local stack's fakes listen, as the connectors take them: Tripletex `…/v2`, PowerOffice Go the host root. */
export type LocalFakeUrls = NonNullable<StackFile["connectors"]>;

/** Name of the data folder `saldo start` makes in the folder it is started in (when SALDO_DATA_DIR is not set). */
export const DEFAULT_DATA_DIR_NAME = ".saldo";

/**
 * The data folder of the local stack the CLI talks to, found as git finds its repository: `SALDO_DATA_DIR` when set
 * (relative to `cwd`); else, walking up from `cwd` to the root, the first folder whose `.saldo` holds a stack file (a
 * stack runs, or ran, there); else the nearest `.saldo` folder; else `cwd/.saldo` (which then says no stack runs).
 * So `saldo upload`, `saldo imports`, `saldo token`… work from any folder below the one `npm start` runs in.
 */
export async function findDataDir(
  env: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): Promise<string> {
  if (env.SALDO_DATA_DIR) return resolve(cwd, env.SALDO_DATA_DIR);
  let nearest: string | undefined;
  for (let folder = resolve(cwd); ; folder = dirname(folder)) {
    const candidate = join(folder, DEFAULT_DATA_DIR_NAME);
    if (await isFile(stackFilePath(candidate))) return candidate;
    if (nearest === undefined && (await isDirectory(candidate))) nearest = candidate;
    if (dirname(folder) === folder) break;
  }
  return nearest ?? resolve(cwd, DEFAULT_DATA_DIR_NAME);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (entry) => entry.isFile(),
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (entry) => entry.isDirectory(),
    () => false,
  );
}

/** Path of the stack file of the data folder `dataDir`. */
export function stackFilePath(dataDir: string): string {
  return join(dataDir, STACK_FILE_NAME);
}

/** Writes the stack file atomically (a reader never sees half a file). */
export async function writeStackFile(dataDir: string, stack: StackFile): Promise<void> {
  const path = stackFilePath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(StackFileSchema.parse(stack), null, 2) + "\n");
  await rename(temporary, path);
}

/**
 * Reads the stack file of `dataDir`: `undefined` when there is none; throws when it exists but does not have the
 * expected shape (the caller says what to do about it).
 */
export async function readStackFile(dataDir: string): Promise<StackFile | undefined> {
  let text: string;
  try {
    text = await readFile(stackFilePath(dataDir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return StackFileSchema.parse(JSON.parse(text));
}

/** Removes the stack file, but only when it still describes the process `pid` (a newer stack may have replaced it). */
export async function removeStackFile(dataDir: string, pid: number): Promise<void> {
  const current = await readStackFile(dataDir).catch(() => undefined);
  if (current && current.pid !== pid) return;
  await rm(stackFilePath(dataDir), { force: true });
}

/** Whether a process with this id is alive on this machine (signal 0 checks without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
