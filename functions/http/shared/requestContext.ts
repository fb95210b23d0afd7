import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import type { ApiRoute } from "../../../lib/api/routes.ts";
import type { ApiContext, HttpApiEvent, HttpApiResult } from "./types.ts";

/**
 * Takes API Gateway's request id (Lambda's own `awsRequestId` differs per function, the API's is what the caller
 * sees) and adds it, with the route, to every log line of the request.
 */
export function requestContext(
  route: ApiRoute,
  logger: Logger,
): middy.MiddlewareObj<HttpApiEvent, HttpApiResult, Error, ApiContext> {
  return {
    before: (request) => {
      request.context.apiRequestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
      request.context.input = { path: undefined, query: undefined, body: undefined };
      logger.appendKeys({ requestId: request.context.apiRequestId, route: `${route.method} ${route.path}` });
    },
  };
}
