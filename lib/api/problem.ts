import { z } from "zod";
import { AuthError } from "../auth/errors.ts";
import { EngagementConflictError, EngagementError, InvalidEngagementInputError } from "../engagements/errors.ts";
import { InvalidUploadError, UploadSigningError, UploadTooLargeError } from "../imports/requestUpload.ts";
import { ImportHeldError, ImportViewError } from "../imports/viewErrors.ts";
import { InvalidKeyRefError, InvalidKeyValueError, KeyNotFoundError, KeyVaultError } from "../secrets/errors.ts";
import {
  StoreConflictError,
  StoreError,
  StoreInvalidCursorError,
  StoreInvalidQueryError,
  StoreNotFoundError,
  StoreUnavailableError,
} from "../store/errors.ts";
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

function classify(error: unknown): Known | undefined {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      code: error.code,
      title: error.title,
      detail: error.message,
      headers: error.headers,
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  if (error instanceof AuthError) {
    if (error.code === "AUTH_KEYS_UNAVAILABLE" || error.code === "AUTH_LOCAL_ISSUER_FAILED") {
      return unavailable("The token issuer's keys could not be read", error.code);
    }
    return {
      status: 401,
      code: error.code,
      title: "Unauthorized",
      detail: error.message,
      // RFC 6750 §3: the scheme, and `invalid_token` when a token was given but refused.
      headers: {
        "www-authenticate": error.code === "AUTH_MISSING_TOKEN" ? 'Bearer realm="saldo"' : 'Bearer realm="saldo", error="invalid_token"',
      },
    };
  }
  if (error instanceof EngagementError) {
    if (error instanceof EngagementConflictError) return { status: 409, code: error.code, title: "Conflict", detail: error.message };
    if (error instanceof InvalidEngagementInputError) {
      const field = typeof error.context.field === "string" ? `body.${error.context.field}` : "body";
      return {
        status: 400,
        code: "VALIDATION_FAILED",
        title: "Invalid request",
        detail: error.message,
        errors: [{ path: field, message: error.message }],
      };
    }
    return { status: 404, code: error.code, title: "Not found", detail: error.message };
  }
  if (error instanceof ImportViewError) {
    const status = { "not-found": 404, conflict: 409, "invalid-request": 400 }[error.kind];
    const title = { "not-found": "Not found", conflict: "Conflict", "invalid-request": "Invalid request" }[error.kind];
    return {
      status,
      code: error.code,
      title,
      detail: error.message,
      ...(error instanceof ImportHeldError ? { notAccepted: error.notAccepted } : {}),
    };
  }
  if (error instanceof UploadTooLargeError) {
    return { status: 413, code: error.code, title: "Upload too large", detail: error.message };
  }
  if (error instanceof InvalidUploadError) {
    return {
      status: 400,
      code: "VALIDATION_FAILED",
      title: "Invalid request",
      detail: error.message,
      errors: [{ path: "body.fileName", message: error.message }],
    };
  }
  if (error instanceof UploadSigningError) return undefined;
  if (error instanceof KeyVaultError) {
    if (error instanceof KeyNotFoundError) return { status: 404, code: error.code, title: "Not found", detail: "no key is set" };
    if (error instanceof InvalidKeyValueError) {
      // The vault's message names the expected field and the offending paths, never the value.
      const fields = Array.isArray(error.context.fields) ? (error.context.fields as string[]) : ["(value)"];
      return {
        status: 400,
        code: "VALIDATION_FAILED",
        title: "Invalid request",
        detail: error.message,
        errors: fields.map((field) => ({ path: `body.${field}`, message: "invalid for this system" })),
      };
    }
    if (error instanceof InvalidKeyRefError) return { status: 404, code: "CLIENT_NOT_FOUND", title: "Not found", detail: "no such client" };
    if (error.code === "KEY_VAULT_UNAVAILABLE") return unavailable("The key vault is unavailable", error.code);
    return undefined;
  }
  if (error instanceof StoreError) {
    if (error instanceof StoreInvalidCursorError) {
      return { status: 400, code: "CURSOR_INVALID", title: "Invalid request", detail: "the paging cursor is not valid here" };
    }
    if (error instanceof StoreInvalidQueryError) {
      return { status: 400, code: "INVALID_QUERY", title: "Invalid request", detail: error.message };
    }
    if (error instanceof StoreNotFoundError) return { status: 404, code: "NOT_FOUND", title: "Not found", detail: "not found" };
    if (error instanceof StoreConflictError) {
      return { status: 409, code: "CONFLICT", title: "Conflict", detail: "the resource changed meanwhile: try again" };
    }
    if (error instanceof StoreUnavailableError) return unavailable("The database is unavailable", "STORE_UNAVAILABLE");
    return undefined;
  }
  return undefined;
}

/** A 503 with Retry-After: the caller did nothing wrong; a retry later may succeed. Still logged as unexpected. */
function unavailable(title: string, code: string): Known {
  return {
    status: 503,
    code: code === "STORE_UNAVAILABLE" || code === "KEY_VAULT_UNAVAILABLE" ? "SERVICE_UNAVAILABLE" : code,
    title,
    detail: "A service saldo depends on is unavailable; retry later.",
    headers: { "retry-after": "5" },
    unexpected: true,
  };
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
