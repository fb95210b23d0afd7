import type middy from "@middy/core";
import type { z } from "zod";
import { MalformedBodyError, RequestValidationError, type FieldError } from "../../../lib/api/errors.ts";
import { fieldErrorsOf } from "../../../lib/api/problem.ts";
import type { ApiRoute } from "../../../lib/api/routes.ts";
import type { ApiContext, HttpApiEvent, HttpApiResult } from "./types.ts";

/**
 * Parses the path parameters, the query string and the JSON body with the route's zod schemas; all failures of a
 * request are reported together as one 400 with a field path each (`path.clientId`, `query.limit`, `body.size`).
 */
export function validateRequest(route: ApiRoute): middy.MiddlewareObj<HttpApiEvent, HttpApiResult, Error, ApiContext> {
  return {
    before: (request) => {
      const { event } = request;
      const errors: FieldError[] = [];
      const parse = (where: "path" | "query" | "body", schema: z.ZodType | undefined, value: unknown): unknown => {
        if (!schema) return undefined;
        const parsed = schema.safeParse(value);
        if (parsed.success) return parsed.data;
        errors.push(...fieldErrorsOf(where, parsed.error.issues));
        return undefined;
      };
      const path = parse("path", route.pathParams, { ...event.pathParameters });
      const query = parse("query", route.query, { ...event.queryStringParameters });
      const body = route.body ? parse("body", route.body, jsonBody(event)) : undefined;
      if (errors.length > 0) throw new RequestValidationError(errors);
      request.context.input = { path, query, body };
    },
  };
}

function jsonBody(event: HttpApiEvent): unknown {
  if (event.body === undefined || event.body === "") return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message may quote the text (a secret pasted into a malformed body): never pass it on.
    throw new MalformedBodyError("the body is not valid JSON");
  }
}
