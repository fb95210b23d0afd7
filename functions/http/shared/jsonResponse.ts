import type middy from "@middy/core";
import type { ApiContext, HttpApiEvent, HttpApiResult, HttpResult } from "./types.ts";

/** Serialises the handler's `{status, body}` as a JSON answer with the request id; 204 has no body. */
export function jsonResponse(): middy.MiddlewareObj<HttpApiEvent, HttpApiResult, Error, ApiContext> {
  return {
    after: (request) => {
      const result = request.response as unknown as HttpResult;
      const headers = { ...result.headers, "x-request-id": request.context.apiRequestId, "cache-control": "no-store" };
      request.response =
        result.body === undefined || result.status === 204
          ? { statusCode: result.status, headers }
          : {
              statusCode: result.status,
              headers: { "content-type": "application/json", ...headers },
              body: JSON.stringify(result.body),
            };
    },
  };
}
