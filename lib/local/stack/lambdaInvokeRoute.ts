import type { IncomingMessage } from "node:http";
import type { LocalHttpResponse, LocalHttpRoute } from "./localHttpServer.ts";

/** Where Lambda's Invoke API lives (AWS Lambda API reference, Invoke: `POST /2015-03-31/functions/{name}/invocations`). */
export const LAMBDA_INVOKE_PATH = "/2015-03-31/functions/{functionName}/invocations";

/** Largest payload of an asynchronous invocation (Lambda quotas: 256 KB for `Event` invocations). */
const MAX_EVENT_PAYLOAD_BYTES = 256 * 1024;

/**
 * A function the local stack runs when it is invoked asynchronously: it takes the event's JSON and resolves once the
 * invocation has been handed over (not when it ends), as Lambda answers 202 once it has queued the event. A throw
 * refuses the event (400 `InvalidRequestContentException`, with the error's message).
 */
export type LocalAsyncFunction = (event: unknown) => Promise<void>;

/**
 * A function the local stack runs when it is invoked synchronously (`RequestResponse`): it takes the event's JSON and
 * resolves with the function's result, which the route answers as Lambda does (200, the result as JSON; a thrown
 * error as 200 with `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage}`).
 */
export type LocalSyncFunction = (event: unknown) => Promise<unknown>;

/**
 * Lambda's `Invoke` API, served by the local stack on its HTTP server, so that code which invokes a function with the
 * AWS SDK (`saldo refresh --now`: the refresh function, synchronously) reaches the stack's process locally exactly as
 * it reaches the function in the cloud — only
 * the endpoint differs, as for S3 and DynamoDB. Answers as Lambda does: 202 with no body; 404
 * `ResourceNotFoundException` for a function the stack does not have; 400 `InvalidParameterValueException` for another
 * invocation type (the stack runs functions in the background only); 400 `InvalidRequestContentException` for a body
 * that is not JSON or that the function refuses; 413 `RequestTooLargeException` above 256 KB. Loopback only, like the
 * emulators: no signature is checked.
 */
export function lambdaInvokeRoute(
  functions: Readonly<Record<string, LocalAsyncFunction>>,
  synchronous: Readonly<Record<string, LocalSyncFunction>> = {},
): LocalHttpRoute {
  return {
    method: "POST",
    path: LAMBDA_INVOKE_PATH,
    handle: async (request) => {
      const name = functionNameOf(request.params.functionName ?? "");
      const run = Object.hasOwn(functions, name) ? functions[name] : undefined;
      const call = Object.hasOwn(synchronous, name) ? synchronous[name] : undefined;
      if (run === undefined && call === undefined)
        return lambdaError(
          404,
          "ResourceNotFoundException",
          `Function not found: ${name} (the local stack has ${[...Object.keys(functions), ...Object.keys(synchronous)].join(", ")})`,
        );
      const type = headerValue(request.headers["x-amz-invocation-type"]) ?? "RequestResponse";
      if (call !== undefined) return invokeSynchronously(request, name, type, call);
      if (run === undefined) throw new Error("unreachable");
      if (type !== "Event")
        return lambdaError(
          400,
          "InvalidParameterValueException",
          `the local stack runs ${name} asynchronously only: X-Amz-Invocation-Type must be Event, not ${type}`,
        );
      const body = await readBody(request.raw, MAX_EVENT_PAYLOAD_BYTES);
      if (body === undefined)
        return lambdaError(
          413,
          "RequestTooLargeException",
          `the event is larger than ${MAX_EVENT_PAYLOAD_BYTES} bytes`,
        );
      let event: unknown;
      try {
        event = JSON.parse(body.length === 0 ? "{}" : body.toString("utf8"));
      } catch {
        return lambdaError(400, "InvalidRequestContentException", "Could not parse request body into json");
      }
      try {
        await run(event);
      } catch (error) {
        return lambdaError(
          400,
          "InvalidRequestContentException",
          `${name} refused the event: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return { status: 202, headers: { "x-amzn-requestid": request.requestId } };
    },
  };
}

/** A `RequestResponse` invocation of a synchronous local function. */
async function invokeSynchronously(
  request: Parameters<LocalHttpRoute["handle"]>[0],
  name: string,
  type: string,
  call: LocalSyncFunction,
): Promise<LocalHttpResponse> {
  if (type !== "RequestResponse")
    return lambdaError(
      400,
      "InvalidParameterValueException",
      `the local stack runs ${name} synchronously only: X-Amz-Invocation-Type must be RequestResponse, not ${type}`,
    );
  const body = await readBody(request.raw, MAX_SYNC_PAYLOAD_BYTES);
  if (body === undefined)
    return lambdaError(413, "RequestTooLargeException", `the event is larger than ${MAX_SYNC_PAYLOAD_BYTES} bytes`);
  let event: unknown;
  try {
    event = JSON.parse(body.length === 0 ? "{}" : body.toString("utf8"));
  } catch {
    return lambdaError(400, "InvalidRequestContentException", "Could not parse request body into json");
  }
  const headers = { "x-amzn-requestid": request.requestId, "content-type": "application/json" };
  try {
    const result = await call(event);
    return { status: 200, headers, body: JSON.stringify(result ?? null) };
  } catch (error) {
    return {
      status: 200,
      headers: { ...headers, "x-amz-function-error": "Unhandled" },
      body: JSON.stringify({
        errorType: error instanceof Error ? error.name : "Error",
        errorMessage: error instanceof Error ? error.message : String(error),
      }),
    };
  }
}

/** Largest payload of a synchronous invocation (Lambda quotas: 6 MB). */
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** A function name, or the last part of its ARN (`arn:aws:lambda:region:account:function:name[:qualifier]`). */
function functionNameOf(nameOrArn: string): string {
  const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(nameOrArn);
  return arn ? arn[1]! : nameOrArn;
}

/** An error as Lambda's REST API answers it: the type in `x-amzn-errortype`, `{Type, message}` in the body. */
function lambdaError(status: number, type: string, message: string): LocalHttpResponse {
  return {
    status,
    headers: { "x-amzn-errortype": type, "content-type": "application/json" },
    body: JSON.stringify({ Type: "User", message }),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The body; `undefined` when it exceeds `limit` bytes. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
