import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { z } from "zod";
import type { ApiRoute } from "../../../lib/api/routes.ts";
import { AuthError } from "../../../lib/auth/errors.ts";
import type { Principal } from "../../../lib/auth/types.ts";
import { accessLog } from "./accessLog.ts";
import { authenticate } from "./authenticate.ts";
import { jsonResponse } from "./jsonResponse.ts";
import { problemResponse } from "./problemResponse.ts";
import { requestContext } from "./requestContext.ts";
import type { ApiContext, HttpApiEvent, HttpApiResult, HttpResult, RawHttpResult } from "./types.ts";
import { validateRequest } from "./validateRequest.ts";

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What a route's handler receives: the caller and the parsed request. */
export interface RouteInput<R> {
  /** The caller (authenticated routes only; reading it elsewhere is a programming error). */
  principal: Principal;
  path: R extends ApiRoute<infer P, z.ZodType, z.ZodType, z.ZodType> ? Out<P> : never;
  query: R extends ApiRoute<z.ZodType, infer Q, z.ZodType, z.ZodType> ? Out<Q> : never;
  body: R extends ApiRoute<z.ZodType, z.ZodType, infer B, z.ZodType> ? Out<B> : never;
  /** The request's headers, names in lower case (as API Gateway passes them): `accept`, `accept-language`. */
  headers: Record<string, string | undefined>;
  requestId: string;
}

/**
 * What it returns: a status and the response body in the route's response schema, or — on routes that offer other
 * representations (`response.alternatives`) — a negotiated one.
 */
export type RouteResult<R> =
  HttpResult<R extends ApiRoute<z.ZodType, z.ZodType, z.ZodType, infer S> ? z.input<S> : never> | RawHttpResult;

/**
 * A Lambda handler for one route of the API: the shared middlewares (one concern each: Lambda context and request id
 * in the logs, access log, the one problem+json `onError`, JSON serialisation, authentication, validation) around
 * `handle`, which calls one use case and maps its result. `options.tenantClaim` names the tenant's claim; the logger
 * (service `saldo-api`) is the handler's own unless one is given.
 */
export function httpHandler<R extends ApiRoute>(
  route: R,
  options: { tenantClaim: string; logger?: Logger },
  handle: (input: RouteInput<R>) => Promise<RouteResult<R>>,
): (event: HttpApiEvent, context: Context) => Promise<HttpApiResult> {
  const logger = options.logger ?? new Logger({ serviceName: "saldo-api" });
  const handler = middy<HttpApiEvent, HttpApiResult, Error, ApiContext>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(requestContext(route, logger))
    .use(accessLog(logger))
    .use(problemResponse(logger))
    .use(jsonResponse())
    .use(authenticate(route, { logger, tenantClaim: options.tenantClaim }))
    .use(validateRequest(route))
    .handler(async (event, context) => {
      const input = {
        get principal(): Principal {
          if (!context.principal) throw new AuthError("AUTH_MISSING_TOKEN", "this route is not authenticated");
          return context.principal;
        },
        ...context.input,
        headers: lowerCaseHeaders(event.headers),
        requestId: context.apiRequestId,
      } as RouteInput<R>;
      return (await handle(input)) as unknown as HttpApiResult;
    });
  // Lambda passes a plain Context; the middlewares add the ApiContext fields before the handler runs.
  return handler as unknown as (event: HttpApiEvent, context: Context) => Promise<HttpApiResult>;
}

function lowerCaseHeaders(headers: HttpApiEvent["headers"] | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}
