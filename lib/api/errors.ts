import { SaldoError, type ErrorCategory } from "../errors/SaldoError.ts";

/**
 * Base error of lib/api: a failure that already knows its HTTP answer (status, stable code, title). The use cases'
 * own errors (lib/engagements, lib/imports, lib/store, lib/secrets, lib/auth) are mapped to answers in one place,
 * lib/api/problem.ts; these are the ones that arise at the HTTP boundary itself.
 */
export class ApiError extends SaldoError {
  readonly status: number;
  readonly title: string;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    title: string,
    detail: string,
    options: { cause?: unknown; errors?: readonly FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(code, detail, {
      category: categoryOfStatus(status),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.status = status;
    this.title = title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

/** The category of an answer this layer already knows (405, 406 are refusals of the request as sent: `invalid`). */
function categoryOfStatus(status: number): ErrorCategory {
  if (status === 401) return "unauthenticated";
  if (status === 404) return "not-found";
  if (status === 409) return "conflict";
  if (status === 413) return "too-large";
  if (status === 422) return "unprocessable";
  if (status === 429) return "rate-limited";
  if (status === 503) return "unavailable";
  return status >= 500 ? "internal" : "invalid";
}

/** One invalid field: where (`body.orgNumber`, `query.limit`, `path.clientId`) and what is wrong (never its value). */
export interface FieldError {
  path: string;
  message: string;
}

/** The path, query or body does not match the route's schema (400, `VALIDATION_FAILED`, with field paths). */
export class RequestValidationError extends ApiError {
  constructor(errors: readonly FieldError[]) {
    super(400, "VALIDATION_FAILED", "Invalid request", `${errors.length} field(s) are invalid`, { errors });
  }
}

/** The body is not JSON (400, `MALFORMED_JSON`). */
export class MalformedBodyError extends ApiError {
  constructor(detail: string) {
    super(400, "MALFORMED_JSON", "Malformed request body", detail);
  }
}

/** The body is larger than the API accepts (413, `PAYLOAD_TOO_LARGE`). */
export class PayloadTooLargeError extends ApiError {
  constructor(limit: number) {
    super(413, "PAYLOAD_TOO_LARGE", "Payload too large", `request bodies are limited to ${limit} bytes`);
  }
}

/** Too many requests for this tenant (429, `RATE_LIMITED`, with `Retry-After`). */
export class RateLimitedError extends ApiError {
  constructor(retryAfterSeconds: number) {
    super(429, "RATE_LIMITED", "Too many requests", `too many requests: retry in ${retryAfterSeconds} s`, {
      headers: { "retry-after": String(retryAfterSeconds) },
    });
  }
}

/**
 * No route has this path (404, `ROUTE_NOT_FOUND`). Answered by the local API; in the cloud API Gateway answers an
 * unknown route itself, before any function runs (`404 {"message":"Not Found"}`).
 */
export class RouteNotFoundError extends ApiError {
  constructor(path: string) {
    super(404, "ROUTE_NOT_FOUND", "Not found", `no route answers ${path}`);
  }
}

/** The path has routes, but not for this method (405, `METHOD_NOT_ALLOWED`, with `Allow`). Local API, as above. */
export class MethodNotAllowedError extends ApiError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(
      405,
      "METHOD_NOT_ALLOWED",
      "Method not allowed",
      `${method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`,
      {
        headers: { allow: allowed.join(", ") },
      },
    );
  }
}

/** A path segment is not valid percent-encoding (e.g. `%zz`, or bytes that are not UTF-8): 400, `MALFORMED_PATH`. */
export class MalformedPathError extends ApiError {
  constructor(cause?: unknown) {
    super(400, "MALFORMED_PATH", "Malformed path", "a path segment is not valid percent-encoded UTF-8", {
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** None of the media types the route can answer satisfies the request's `Accept` (406, `NOT_ACCEPTABLE`). */
export class NotAcceptableError extends ApiError {
  constructor(available: readonly string[]) {
    super(
      406,
      "NOT_ACCEPTABLE",
      "Not acceptable",
      `this resource is available as ${available.join(", ")}: ask for one of them in Accept`,
    );
  }
}
