import { z } from "zod";
import { SaldoError, type ErrorCategory } from "../errors/SaldoError.ts";
import { ImportHeldError } from "../imports/errors.ts";
import { ApiError, type FieldError } from "./errors.ts";

/** The media type of every error answer (RFC 9457 §3). */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * An error answer, RFC 9457 "Problem Details for HTTP APIs": `type` (a URN per code), `title`, `status`, `detail`,
 * plus the extension members `code` (stable, UPPER_SNAKE), `requestId` (also in the `x-request-id` header and in
 * every log line of the request) and, for validation failures, `errors` with one entry per invalid field.
 */
export const ProblemSchema = z.object({
  type: z.string().describe("`urn:saldo:problem:<code in kebab case>`"),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  requestId: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** `IMPORT_HELD`: the codes of the held import's `heldFor` that the request did not accept. */
  notAccepted: z.array(z.string()).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** An error as answered: the problem, the extra headers, and whether it was unexpected (logged as an error). */
export interface ProblemAnswer {
  problem: Problem;
  headers: Record<string, string>;
  /** True for a 5xx: the caller got a generic message; the error itself belongs in the logs only. */
  unexpected: boolean;
}

const GENERIC_DETAIL = "An unexpected error occurred. Quote the request id when you report it.";

/**
 * Turns any error into the problem the API answers — the one mapping of the whole API (the middy `onError` and the
 * local API both use it). Errors of the use cases are answered with their own stable code and message (they name
 * the caller's own ids and never a secret); anything unexpected becomes a 500 whose body says nothing of the
 * internals (no message, no stack, no SDK error names).
 */
export function problemFor(error: unknown, requestId: string): ProblemAnswer {
  const known = classify(error);
  if (known === undefined) {
    return answer(500, "INTERNAL_ERROR", "Internal server error", GENERIC_DETAIL, requestId, { unexpected: true });
  }
  return answer(known.status, known.code, known.title, known.detail, requestId, known);
}

interface Known {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: readonly FieldError[];
  headers?: Readonly<Record<string, string>>;
  unexpected?: boolean;
  notAccepted?: readonly string[];
}

/**
 * The one mapping of error categories to answers. `internal` is not here: such errors are answered by the generic
 * 500. An `unavailable` answer is still logged as unexpected (the caller did nothing wrong).
 */
const CATEGORY_ANSWERS: Readonly<Record<Exclude<ErrorCategory, "internal">, { status: number; title: string }>> = {
  invalid: { status: 400, title: "Invalid request" },
  unauthenticated: { status: 401, title: "Unauthorized" },
  "not-found": { status: 404, title: "Not found" },
  conflict: { status: 409, title: "Conflict" },
  "too-large": { status: 413, title: "Too large" },
  unprocessable: { status: 422, title: "Not possible in this form" },
  "rate-limited": { status: 429, title: "Too many requests" },
  unavailable: { status: 503, title: "Service unavailable" },
};

/**
 * The codes the API answers with another code or detail than the error's own: the store's and the key vault's
 * codes and messages name internals (tables, keys, secret names) that a caller neither needs nor may see.
 */
const PUBLIC_ANSWERS: Readonly<Record<string, { code?: string; detail?: string }>> = {
  STORE_INVALID_CURSOR: { code: "CURSOR_INVALID", detail: "the paging cursor is not valid here" },
  STORE_INVALID_QUERY: { code: "INVALID_QUERY" },
  STORE_NOT_FOUND: { code: "NOT_FOUND", detail: "not found" },
  STORE_CONFLICT: { code: "CONFLICT", detail: "the resource changed meanwhile: try again" },
  STORE_UNAVAILABLE: { code: "SERVICE_UNAVAILABLE" },
  KEY_VAULT_UNAVAILABLE: { code: "SERVICE_UNAVAILABLE" },
  KEY_INVALID_REF: { code: "CLIENT_NOT_FOUND", detail: "no such client" },
  KEY_NOT_FOUND: { detail: "no key is set" },
};

/** What an `unavailable` answer says: the caller did nothing wrong, and a retry later may succeed. */
const UNAVAILABLE_DETAIL = "A service saldo depends on is unavailable; retry later.";

function classify(error: unknown): Known | undefined {
  if (error instanceof ApiError) {
    // Errors of the HTTP boundary itself already know their answer (405 and 406 have no category of their own).
    return {
      status: error.status,
      code: error.code,
      title: error.title,
      detail: error.message,
      headers: error.headers,
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  if (!(error instanceof SaldoError) || error.category === "internal") return undefined;
  const { status, title } = CATEGORY_ANSWERS[error.category];
  const known: Known = {
    status,
    title,
    code: PUBLIC_ANSWERS[error.code]?.code ?? error.code,
    detail: PUBLIC_ANSWERS[error.code]?.detail ?? error.message,
  };
  switch (error.category) {
    case "invalid":
      // A use case refusing fields of the body is answered as the route's schema would refuse them.
      if (error.invalidFields !== undefined) {
        known.code = "VALIDATION_FAILED";
        known.errors = error.invalidFields.map(({ field, message }) => ({
          path: field ? `body.${field}` : "body",
          message,
        }));
      }
      break;
    case "unauthenticated":
      // RFC 6750 §3: the scheme, and `invalid_token` when a token was given but refused.
      known.headers = {
        "www-authenticate":
          error.code === "AUTH_MISSING_TOKEN" ? 'Bearer realm="saldo"' : 'Bearer realm="saldo", error="invalid_token"',
      };
      break;
    case "unavailable":
      known.detail = UNAVAILABLE_DETAIL;
      known.headers = { "retry-after": "5" };
      known.unexpected = true;
      break;
    case "conflict":
      if (error instanceof ImportHeldError) known.notAccepted = error.notAccepted;
      break;
  }
  return known;
}

function answer(
  status: number,
  code: string,
  title: string,
  detail: string,
  requestId: string,
  extra: {
    errors?: readonly FieldError[];
    headers?: Readonly<Record<string, string>>;
    unexpected?: boolean;
    notAccepted?: readonly string[];
  },
): ProblemAnswer {
  return {
    problem: {
      type: `urn:saldo:problem:${code.toLowerCase().replace(/_/g, "-")}`,
      title,
      status,
      detail,
      code,
      requestId,
      ...(extra.errors ? { errors: [...extra.errors] } : {}),
      ...(extra.notAccepted ? { notAccepted: [...extra.notAccepted] } : {}),
    },
    headers: { "content-type": PROBLEM_CONTENT_TYPE, ...extra.headers },
    unexpected: extra.unexpected ?? status >= 500,
  };
}

/**
 * Field errors of a failed zod parse, prefixed with where the value came from (`path`, `query`, `body`). Messages
 * are zod's (or the schema's own), which describe the expectation and never quote the input.
 */
export function fieldErrorsOf(
  where: "path" | "query" | "body",
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
): FieldError[] {
  return issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys" && issue.keys) {
      return issue.keys.map((key) => ({ path: `${base}.${key}`, message: "unknown field" }));
    }
    return [{ path: base, message: issue.message }];
  });
}
