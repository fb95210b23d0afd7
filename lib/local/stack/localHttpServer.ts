import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MalformedPathError, MethodNotAllowedError, RouteNotFoundError } from "../../api/errors.ts";
import { problemFor } from "../../api/problem.ts";

/** A request as a route sees it: method, path, path parameters, query and the raw Node request (for bodies). */
export interface LocalHttpRequest {
  method: string;
  path: string;
  /** Values of the route's `{name}` segments, URL-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  raw: IncomingMessage;
  /** This request's id: the server puts it in the `x-request-id` header of the answer (unless the route set one). */
  requestId: string;
}

/** What a route answers: a status, headers and a JSON body (or a string/bytes body with its own content type). */
export interface LocalHttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One route: a method and a path pattern such as `/clients/{clientId}` (segments in braces match one segment). */
export interface LocalHttpRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
  path: string;
  handle(request: LocalHttpRequest): LocalHttpResponse | Promise<LocalHttpResponse>;
}

/** A running HTTP server of the local stack. */
export interface RunningLocalHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Adds a route (later issues plug the API in here); routes match in the order they were added. */
  addRoute(route: LocalHttpRoute): void;
  /** Stops listening and closes open connections. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The local stack's HTTP server on 127.0.0.1: a small router over `node:http`. Unknown paths answer 404
 * `ROUTE_NOT_FOUND`, a known path with another method 405 `METHOD_NOT_ALLOWED` (with `Allow`), a path whose
 * percent-encoding does not decode 400 `MALFORMED_PATH`, and a route that throws 500 `INTERNAL_ERROR` — all as the
 * API's RFC 9457 problem+json (lib/api/problem.ts), in this one place (like middy's single `onError`), never with
 * internals in the body. Every answer carries `x-request-id`, error or not.
 *
 * @throws Error with code `EADDRINUSE` when the port is taken.
 */
export async function startLocalHttpServer(options: {
  port: number;
  routes?: readonly LocalHttpRoute[];
  /** Told about a route that threw (the response says only "internal error"). */
  onError?: (error: unknown, request: { method: string; path: string; requestId: string }) => void;
}): Promise<RunningLocalHttpServer> {
  const routes: { route: LocalHttpRoute; pattern: RegExp; names: string[] }[] = [];
  const addRoute = (route: LocalHttpRoute) => routes.push({ route, ...compilePath(route.path) });
  for (const route of options.routes ?? []) addRoute(route);

  const server = createServer((request, response) => {
    void dispatch(request, response);
  });

  async function dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    let answer: LocalHttpResponse;
    try {
      const matching = routes
        .map((entry) => ({ entry, match: entry.pattern.exec(url.pathname) }))
        .filter((candidate) => candidate.match !== null);
      const found = matching.find((candidate) => candidate.entry.route.method === method);
      if (found && found.match) {
        const params = decodeParams(found.entry.names, found.match);
        answer =
          params === undefined
            ? problemAnswer(new MalformedPathError(), requestId)
            : await found.entry.route.handle({
                method,
                path: url.pathname,
                params,
                query: url.searchParams,
                headers: request.headers,
                raw: request,
                requestId,
              });
      } else if (matching.length > 0) {
        const allowed = [...new Set(matching.map((m) => m.entry.route.method))];
        answer = problemAnswer(new MethodNotAllowedError(method, url.pathname, allowed), requestId);
      } else {
        answer = problemAnswer(new RouteNotFoundError(url.pathname), requestId);
      }
    } catch (error) {
      options.onError?.(error, { method, path: url.pathname, requestId });
      // Anything that is not an ApiError becomes the generic 500 (problemFor never says what went wrong).
      answer = problemAnswer(error, requestId);
    }
    send(response, { ...answer, headers: { "x-request-id": requestId, ...answer.headers } });
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    addRoute,
    stop: () => {
      stopping ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

/** An error as the API's problem+json answer (lib/api/problem.ts), with the request id in body and header. */
export function problemAnswer(error: unknown, requestId: string): LocalHttpResponse {
  const { problem, headers } = problemFor(error, requestId);
  return { status: problem.status, headers: { ...headers, "x-request-id": requestId }, body: JSON.stringify(problem) };
}

/** The route's `{name}` values, percent-decoded; `undefined` when one is not valid percent-encoded UTF-8. */
function decodeParams(names: readonly string[], match: RegExpExecArray): Record<string, string> | undefined {
  try {
    return Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? "")]));
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

function send(response: ServerResponse, answer: LocalHttpResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  let body: string | Uint8Array | undefined;
  if (typeof answer.body === "string" || answer.body instanceof Uint8Array) body = answer.body;
  else if (answer.body !== undefined) {
    body = JSON.stringify(answer.body);
    headers["content-type"] ??= "application/json";
  }
  response.writeHead(answer.status, headers);
  response.end(body);
}

function compilePath(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split("/")
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (parameter) {
        names.push(parameter[1]!);
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { pattern: new RegExp(`^${source}/?$`), names };
}
