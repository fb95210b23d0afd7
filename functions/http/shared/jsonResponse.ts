import type middy from "@middy/core";
import type { ApiContext, HttpApiEvent, HttpApiResult, HttpResult, RawHttpResult } from "./types.ts";

/**
 * Serialises the handler's `{status, body}` as a JSON answer with the request id; 204 has no body. A negotiated
 * representation (`{status, representation}`) is sent as it is: text as text, bytes base64-encoded; answers that
 * depend on `Accept` say so in `Vary`.
 */
export function jsonResponse(): middy.MiddlewareObj<HttpApiEvent, HttpApiResult, Error, ApiContext> {
  return {
    after: (request) => {
      const result = request.response as unknown as HttpResult | RawHttpResult;
      const headers = { ...result.headers, "x-request-id": request.context.apiRequestId, "cache-control": "no-store" };
      if ("representation" in result) {
        const { contentType, body } = result.representation;
        const binary = typeof body !== "string";
        request.response = {
          statusCode: result.status,
          headers: { "content-type": contentType, vary: "accept, accept-language", ...headers },
          body: binary ? Buffer.from(body).toString("base64") : body,
          isBase64Encoded: binary,
        };
        return;
      }
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
