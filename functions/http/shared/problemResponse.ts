import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import { problemFor } from "../../../lib/api/problem.ts";
import type { ApiContext, HttpApiEvent, HttpApiResult } from "./types.ts";

/**
 * The API's one `onError`: every error becomes an RFC 9457 problem+json answer (lib/api/problem.ts decides status,
 * code and detail). Unexpected errors are logged whole (message, stack, cause) under the request id, and answered
 * with a generic 500 that says nothing of them.
 */
export function problemResponse(logger: Logger): middy.MiddlewareObj<HttpApiEvent, HttpApiResult, Error, ApiContext> {
  return {
    onError: (request) => {
      const requestId = request.context.apiRequestId ?? request.context.awsRequestId ?? "unknown";
      const { problem, headers, unexpected } = problemFor(request.error, requestId);
      if (unexpected)
        logger.error("request failed unexpectedly", { code: problem.code, error: request.error as Error });
      else logger.info("request refused", { status: problem.status, code: problem.code });
      request.response = {
        statusCode: problem.status,
        headers: { ...headers, "x-request-id": requestId, "cache-control": "no-store" },
        body: JSON.stringify(problem),
      };
    },
  };
}
