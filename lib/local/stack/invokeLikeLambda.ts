import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The context object Lambda passes to a Node.js handler (the fields of `aws-lambda`'s `Context`, which lib/ may not
 * import, STYLE.md §1). Powertools' `injectLambdaContext` reads the names, the request id and the memory size from it.
 */
export interface LocalLambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(messageOrObject: unknown): void;
}

/** A Lambda handler as the local stack calls it: event and context in, a promise out (middy handlers are such). */
export type LocalLambdaHandler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;

/** The function being invoked: what Lambda would know from its configuration. */
export interface LocalFunctionConfig {
  functionName: string;
  /** Default 3008 (infra/config.ts INGEST_CONFIG.memoryMb). */
  memoryMb?: number;
  /** Default 900 s (infra/config.ts INGEST_CONFIG.timeoutSeconds); only reported through getRemainingTimeInMillis. */
  timeoutSeconds?: number;
  region?: string;
}

/** Options of {@link invokeAsynchronously}. */
export interface AsyncInvokeOptions {
  /**
   * Pause before each retry. Lambda retries a failed asynchronous invocation twice (after about one and then two
   * minutes; infra/config.ts INGEST_CONFIG.asyncRetries); locally the same two retries come sooner. Default 1 s, 2 s.
   */
  retryDelaysMs?: readonly number[];
  /** Folder where an event that failed every attempt is written with its error (the local dead-letter queue). */
  deadLetterDir: string;
  /** Told about every failed attempt (e.g. to print it). */
  onAttemptFailed?: (failure: { attempt: number; requestId: string; error: unknown; willRetry: boolean }) => void;
}

export type AsyncInvokeResult =
  | { outcome: "succeeded"; attempts: number; requestId: string }
  | { outcome: "dead-lettered"; attempts: number; requestId: string; deadLetterFile: string; error: unknown };

/** One message of the local dead-letter folder: what Lambda sends to an SQS dead-letter queue, as a JSON file. */
export interface DeadLetterMessage {
  /** Lambda's message attributes on a dead-letter message: RequestID, ErrorCode, ErrorMessage. */
  requestId: string;
  errorCode: string;
  errorMessage: string;
  functionName: string;
  attempts: number;
  failedAt: string;
  /** The error's stack, for people (Lambda keeps it in the function's logs, not in the message). */
  errorStack?: string;
  /** The event exactly as delivered: replay it by invoking the handler with it. */
  event: unknown;
}

/**
 * Invokes `handler` with `event` the way Lambda handles an asynchronous invocation (an S3 event notification): one
 * attempt, and after a failure (a rejected promise or a throw) up to two retries with the same event and a fresh
 * context; when every attempt failed, the event and the last error go to the dead-letter folder as one JSON file
 * (`<time>-<requestId>.json`). Never throws for the handler's failures: the outcome says what happened.
 *
 * Like Lambda, all attempts of one event share the request id (Lambda keeps `awsRequestId` across retries of an
 * asynchronous event), which lets a handler or its logs recognise a retry.
 */
export async function invokeAsynchronously(
  handler: LocalLambdaHandler,
  event: unknown,
  fn: LocalFunctionConfig,
  options: AsyncInvokeOptions,
): Promise<AsyncInvokeResult> {
  const delays = options.retryDelaysMs ?? [1_000, 2_000];
  const requestId = randomUUID();
  let lastError: unknown;
  for (let attempt = 1; attempt <= delays.length + 1; attempt++) {
    try {
      await handler(event, createLambdaContext(fn, requestId));
      return { outcome: "succeeded", attempts: attempt, requestId };
    } catch (error) {
      lastError = error;
      const willRetry = attempt <= delays.length;
      options.onAttemptFailed?.({ attempt, requestId, error, willRetry });
      if (willRetry) await new Promise((resolveDelay) => setTimeout(resolveDelay, delays[attempt - 1]));
    }
  }
  const deadLetterFile = await writeDeadLetter(options.deadLetterDir, {
    requestId,
    errorCode: errorCodeOf(lastError),
    errorMessage: lastError instanceof Error ? lastError.message : String(lastError),
    functionName: fn.functionName,
    attempts: delays.length + 1,
    failedAt: new Date().toISOString(),
    ...(lastError instanceof Error && lastError.stack ? { errorStack: lastError.stack } : {}),
    event,
  });
  return { outcome: "dead-lettered", attempts: delays.length + 1, requestId, deadLetterFile, error: lastError };
}

/** A context object with the fields Lambda sets, for one invocation of `fn`. */
export function createLambdaContext(fn: LocalFunctionConfig, requestId: string = randomUUID()): LocalLambdaContext {
  const region = fn.region ?? "eu-north-1";
  const deadline = Date.now() + (fn.timeoutSeconds ?? 900) * 1000;
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memoryMb ?? 3008),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `${day}/[$LATEST]${requestId.replace(/-/g, "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // The callback style is not used by async handlers; present because the Context type has them.
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

async function writeDeadLetter(dir: string, message: DeadLetterMessage): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${message.failedAt.replace(/[:.]/g, "-")}-${message.requestId}.json`);
  await writeFile(file, JSON.stringify(message, null, 2) + "\n");
  return file;
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.name : "Error";
}
