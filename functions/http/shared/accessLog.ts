import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import type { ApiContext, HttpApiEvent, HttpApiResult } from "./types.ts";

/** One log line per request: status and duration (never the body, which may hold an integration key). */
export function accessLog(logger: Logger): middy.MiddlewareObj<HttpApiEvent, HttpApiResult, Error, ApiContext> {
  let started = 0;
  const done = (request: middy.Request<HttpApiEvent, HttpApiResult, Error, ApiContext>) =>
    logger.info("request handled", { status: request.response?.statusCode, durationMs: Date.now() - started });
  return {
    before: () => {
      started = Date.now();
    },
    after: done,
    onError: done,
  };
}
