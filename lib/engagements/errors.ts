import { SaldoError } from "../errors/SaldoError.ts";

/** Stable codes of the client and engagement use cases' errors. */
export type EngagementErrorCode =
  /** No such client for this tenant, or it was (soft) deleted. */
  | "CLIENT_NOT_FOUND"
  /** No such engagement under this tenant's client. */
  | "ENGAGEMENT_NOT_FOUND"
  /** Another (not deleted) client of the tenant already has this organisation number. */
  | "ORG_NUMBER_TAKEN"
  /** The client already has an engagement of this kind for this period. */
  | "ENGAGEMENT_EXISTS"
  /** The client kept changing while a write was being made (other writes won every retry): try again. */
  | "CONFLICT"
  /** A generated id was already taken (practically never with ULIDs; answered as a conflict, never as an overwrite). */
  | "ID_TAKEN"
  /** A value the use case cannot accept (an organisation number failing mod-11, a period ending before it starts). */
  | "INVALID_ENGAGEMENT_INPUT";

/**
 * Base error of lib/engagements. `code` is stable; `context` names the ids concerned (never a secret). Lookups of
 * another tenant's ids fail exactly like lookups of ids that do not exist: every read is scoped to the caller's tenant.
 */
export class EngagementError extends SaldoError<EngagementErrorCode> {}

/** The client does not exist for this tenant (or was deleted). The API answers 404. */
export class ClientNotFoundError extends EngagementError {
  constructor(ref: { clientId: string }) {
    super("CLIENT_NOT_FOUND", `client "${ref.clientId}" does not exist`, {
      category: "not-found",
      context: { clientId: ref.clientId },
    });
  }
}

/** The engagement does not exist under this tenant's client. The API answers 404. */
export class EngagementNotFoundError extends EngagementError {
  constructor(ref: { clientId: string; engagementId: string }) {
    super("ENGAGEMENT_NOT_FOUND", `engagement "${ref.engagementId}" of client "${ref.clientId}" does not exist`, {
      category: "not-found",
      context: { clientId: ref.clientId, engagementId: ref.engagementId },
    });
  }
}

/**
 * A write would duplicate something that must be unique (org number per tenant, engagement per period), or lost
 * against other writes every time it was retried (`CONFLICT`). 409.
 */
export class EngagementConflictError extends EngagementError {
  constructor(
    code: "ORG_NUMBER_TAKEN" | "ENGAGEMENT_EXISTS" | "ID_TAKEN" | "CONFLICT",
    message: string,
    context: Record<string, unknown>,
  ) {
    super(code, message, { category: "conflict", context });
  }
}

/** Input a use case refuses after the API's schema accepted its shape (defence in depth for other callers). 400. */
export class InvalidEngagementInputError extends EngagementError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super("INVALID_ENGAGEMENT_INPUT", message, {
      category: "invalid",
      context,
      invalidFields: [{ field: typeof context.field === "string" ? context.field : "", message }],
    });
  }
}
