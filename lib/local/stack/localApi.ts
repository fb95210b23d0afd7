import type { IncomingMessage } from "node:http";
import { decodeJwt, type JWTPayload } from "jose";
import { PayloadTooLargeError, RateLimitedError } from "../../api/errors.ts";
import { API_ROUTES, type ApiRoute } from "../../api/routes.ts";
import { openLocalIssuer, type LocalIssuer } from "../../auth/localIssuer.ts";
import { remoteIssuerVerifyOptions, type TrustedIssuer } from "../../auth/remoteIssuer.ts";
import { bearerToken, verifyAccessToken } from "../../auth/verifyAccessToken.ts";
import type { FunctionConfig } from "../../config/functionConfig.ts";
import { LOCAL_REGION } from "../localClients.ts";
import { createLambdaContext, type LocalLambdaHandler } from "./invokeLikeLambda.ts";
import { createFunctionHandler } from "./loadFunction.ts";
import {
  problemAnswer,
  type LocalHttpRequest,
  type LocalHttpResponse,
  type RunningLocalHttpServer,
} from "./localHttpServer.ts";

/** API Gateway HTTP API's payload limit: 10 MB. */
export const LOCAL_API_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/** Per-tenant token bucket of the local API (the cloud throttles per stage in API Gateway: infra/config.ts). */
export interface RateLimit {
  /** Tokens added per second. */
  requestsPerSecond: number;
  /** Bucket size: requests a tenant may make at once after a quiet period. */
  burst: number;
}

export const DEFAULT_LOCAL_RATE_LIMIT: RateLimit = { requestsPerSecond: 50, burst: 100 };

/** What the local API needs to know about the stack it runs in. */
export interface LocalApiOptions {
  server: RunningLocalHttpServer;
  /** The stack's data folder: the local issuer's key (`auth/`) lives there. */
  dataDir: string;
  /** What every route's `createHandler` is given (lib/local/stack/localFunctionConfig.ts). */
  functionConfig: FunctionConfig;
  /** Origins allowed by CORS (`*` for any); none by default, as API Gateway without a CORS configuration. */
  corsOrigins?: readonly string[];
  rateLimit?: RateLimit;
  /**
   * The OIDC issuer whose tokens the API accepts, as the cloud's JWT authorizer is configured (issuer URL, audience,
   * tenant claim): its keys are found through its discovery document. Default: the local issuer (`saldo token`,
   * the console's tenant picker), whose tokens are then refused.
   */
  trustedIssuer?: TrustedIssuer;
  /** Routes the stack already serves itself (default: `GET /health`, which also reports the emulators). */
  servedElsewhere?: readonly string[];
  /** Builds a route's handler. Default: the `createHandler` of its module, loaded by path as Lambda loads it. */
  loadHandler?: (route: ApiRoute) => Promise<LocalLambdaHandler>;
  log?: (line: string) => void;
}

/** The mounted API. */
export interface LocalApi {
  readonly issuer: LocalIssuer;
  readonly routes: readonly ApiRoute[];
}

/**
 * Serves the HTTP API on the local stack's server with the same handlers as in the cloud, doing what API Gateway
 * does there in front of them:
 *
 * - the JWT authorizer: `Authorization: Bearer` verified with jose against the local issuer's keys
 *   (`verifyAccessToken`, issuer `saldo-local`, audience `saldo-api`), or against the configured OIDC issuer's
 *   (`trustedIssuer`: its discovery document and JWKS, as API Gateway does); refused → 401 problem+json. The verified
 *   claims go into `requestContext.authorizer.jwt.claims` as API Gateway puts them (every value a string), so the
 *   handler takes the tenant from the same place as in the cloud;
 * - the payload 2.0 event (routeKey, raw path and query, lower-case headers, path parameters, request id) and a
 *   Lambda context, one invocation at a time per function, like one warm container (this also keeps each function's
 *   logger keys to one request at a time);
 * - CORS for the configured origins (preflight included), a 10 MB body limit (413), and a per-tenant token bucket
 *   (429) standing in for the stage's throttling;
 * - the discovery documents of the local issuer at `/.well-known/openid-configuration` and `/.well-known/jwks.json`.
 *
 * Each route's handler is built by its module's `createHandler` with `functionConfig` (table, bucket, emulator
 * endpoints, the encrypted file key vault in `${dataDir}/secrets`), where Lambda's would read its environment.
 */
export async function mountLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const issuer = await openLocalIssuer({ dataDir: options.dataDir });
  const verifyOptions = options.trustedIssuer
    ? remoteIssuerVerifyOptions(options.trustedIssuer)
    : issuer.verifyOptions();
  const cors = corsPolicy(options.corsOrigins ?? []);
  const limiter = createTenantRateLimiter(options.rateLimit ?? DEFAULT_LOCAL_RATE_LIMIT);
  const skipped = new Set(options.servedElsewhere ?? ["GET /health"]);
  const routes = API_ROUTES.filter((route) => !skipped.has(`${route.method} ${route.path}`));

  const load =
    options.loadHandler ?? ((route: ApiRoute) => createFunctionHandler(route.handler, options.functionConfig));
  const handlers = new Map<ApiRoute, (event: unknown) => Promise<unknown>>();
  for (const route of routes) handlers.set(route, oneAtATime(await load(route), route));

  const { server } = options;
  server.addRoute({
    method: "GET",
    path: "/.well-known/openid-configuration",
    handle: () => ({ status: 200, body: issuer.openidConfiguration(server.url) }),
  });
  server.addRoute({
    method: "GET",
    path: "/.well-known/jwks.json",
    handle: () => ({ status: 200, body: issuer.jwks() }),
  });

  for (const path of new Set(routes.map((route) => route.path))) {
    const methods = routes.filter((route) => route.path === path).map((route) => route.method);
    server.addRoute({ method: "OPTIONS", path, handle: (request) => preflight(request, methods, cors) });
  }
  for (const route of routes) {
    const invoke = handlers.get(route)!;
    server.addRoute({
      method: route.method,
      path: route.path,
      handle: async (request) => {
        const requestId = request.requestId;
        const answer = await serve(request, route, requestId, invoke).catch((error: unknown) => {
          options.log?.(
            `api: ${route.method} ${route.path} failed (request ${requestId}): ${error instanceof Error ? error.stack : String(error)}`,
          );
          return problemAnswer(error, requestId);
        });
        return { ...answer, headers: { ...answer.headers, ...cors.headersFor(request.headers.origin) } };
      },
    });
  }

  async function serve(
    request: LocalHttpRequest,
    route: ApiRoute,
    requestId: string,
    invoke: (event: unknown) => Promise<unknown>,
  ): Promise<LocalHttpResponse> {
    let authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } | undefined;
    if (route.authenticated) {
      try {
        const token = bearerToken(headerValue(request.headers.authorization));
        const principal = await verifyAccessToken(token, verifyOptions);
        const limited = limiter.take(principal.tenantId);
        if (!limited.allowed) return problemAnswer(new RateLimitedError(limited.retryAfterSeconds), requestId);
        const claims = decodeJwt(token);
        authorizer = {
          jwt: { claims: apiGatewayClaims(claims), scopes: principal.scopes.length > 0 ? principal.scopes : null },
        };
      } catch (error) {
        return problemAnswer(error, requestId);
      }
    }
    const body = await readBody(request.raw, LOCAL_API_BODY_LIMIT_BYTES);
    if (body === undefined) return problemAnswer(new PayloadTooLargeError(LOCAL_API_BODY_LIMIT_BYTES), requestId);
    const event = httpApiEvent(request, route, requestId, body, authorizer);
    return fromLambdaResult(await invoke(event));
  }

  return { issuer, routes };
}

/** Lambda runs one invocation per container at a time: queue invocations of one function. */
function oneAtATime(handler: LocalLambdaHandler, route: ApiRoute): (event: unknown) => Promise<unknown> {
  let queue: Promise<unknown> = Promise.resolve();
  const fn = {
    functionName: `saldo-local-api-${route.operationId}`,
    memoryMb: 1024,
    timeoutSeconds: 29,
    region: LOCAL_REGION,
  };
  return (event) => {
    const run = queue.then(() => handler(event, createLambdaContext(fn)));
    queue = run.catch(() => undefined);
    return run;
  };
}

/** An API Gateway HTTP API payload 2.0 event for the request. */
function httpApiEvent(
  request: LocalHttpRequest,
  route: ApiRoute,
  requestId: string,
  body: Buffer,
  authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } | undefined,
): unknown {
  const rawUrl = request.raw.url ?? "/";
  const rawQueryString = rawUrl.includes("?") ? rawUrl.slice(rawUrl.indexOf("?") + 1) : "";
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : value]),
  );
  const query: Record<string, string> = {};
  for (const [name, value] of request.query)
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: "2.0",
    routeKey,
    rawPath: request.path,
    rawQueryString,
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(request.params).length > 0 ? { pathParameters: { ...request.params } } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      ...(authorizer ? { authorizer } : {}),
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: request.method,
        path: request.path,
        protocol: `HTTP/${request.raw.httpVersion}`,
        sourceIp: request.raw.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey,
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: body.toString("utf8") } : {}),
    isBase64Encoded: false,
  };
}

/** Claims as API Gateway's JWT authorizer passes them: strings, arrays as `[a b]`, objects as JSON. */
export function apiGatewayClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      typeof value === "string"
        ? value
        : Array.isArray(value)
          ? `[${value.join(" ")}]`
          : typeof value === "object" && value !== null
            ? JSON.stringify(value)
            : String(value),
    ]),
  );
}

function fromLambdaResult(result: unknown): LocalHttpResponse {
  const structured = (result ?? {}) as {
    statusCode?: number;
    headers?: Record<string, string | number | boolean>;
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers = Object.fromEntries(
    Object.entries(structured.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  const body =
    structured.body === undefined
      ? undefined
      : structured.isBase64Encoded
        ? new Uint8Array(Buffer.from(structured.body, "base64"))
        : structured.body;
  return { status: structured.statusCode ?? 200, headers, ...(body === undefined ? {} : { body }) };
}

/** Reads the body; `undefined` when it exceeds `limit` bytes. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

interface CorsPolicy {
  allows(origin: string | undefined): boolean;
  headersFor(origin: string | string[] | undefined): Record<string, string>;
}

/** CORS as API Gateway applies its `corsConfiguration`: only allowed origins get the headers. */
function corsPolicy(origins: readonly string[]): CorsPolicy {
  const any = origins.includes("*");
  const allowed = new Set(origins);
  const allows = (origin: string | undefined) => origin !== undefined && (any || allowed.has(origin));
  return {
    allows,
    headersFor(origin): Record<string, string> {
      const value = headerValue(origin);
      if (!allows(value)) return {};
      return {
        "access-control-allow-origin": any ? "*" : value!,
        "access-control-expose-headers": "x-request-id, content-disposition, x-next-cursor, location",
        vary: "origin",
      };
    },
  };
}

function preflight(request: LocalHttpRequest, methods: readonly string[], cors: CorsPolicy): LocalHttpResponse {
  const origin = headerValue(request.headers.origin);
  if (!cors.allows(origin)) return { status: 204 };
  return {
    status: 204,
    headers: {
      ...cors.headersFor(origin),
      "access-control-allow-methods": methods.join(", "),
      "access-control-allow-headers": "authorization, content-type",
      "access-control-max-age": "600",
    },
  };
}

/**
 * A token bucket per key (tenant): `burst` requests at once, refilled at `requestsPerSecond`. Answers how long to
 * wait when the bucket is empty (`Retry-After`, whole seconds).
 */
export function createTenantRateLimiter(
  limit: RateLimit,
  now: () => number = () => performance.now(),
): { take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } } {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const at = now();
      const bucket = buckets.get(key) ?? { tokens: limit.burst, at };
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((at - bucket.at) / 1000) * limit.requestsPerSecond);
      bucket.at = at;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond)),
      };
    },
  };
}
