import { createHash } from "node:crypto";
import type { Secret } from "../../secrets/Secret.ts";
import { ConnectorError, ConnectorInvalidKeyError } from "../errors.ts";
import type { ConnectorHttpClient } from "../http/ConnectorHttpClient.ts";
import { addDays } from "./dateWindows.ts";
import { SessionTokenSchema, valueResponseSchema } from "./schemas.ts";

/**
 * Tripletex session tokens (API 2.0 auth): `PUT /token/session/:create?consumerToken&employeeToken&expirationDate`
 * gives a token that lives until the expiration date — exclusive: a session asked for with today's date is already
 * expired and every call answers 401. So sessions are asked for with today + 2 days, reused while at least a day is
 * left, and re-created before they lapse or after a 401 (once: a second 401 means the key itself is refused).
 *
 * One cache per connector instance (one per process): sessions are per employee token, shared by every company an
 * accountant token acts for. The cache is keyed by a hash of the employee token, so the token itself is held only in
 * the {@link Secret} the caller passes in.
 */
export class TripletexSessions {
  readonly #consumerToken: Secret<string>;
  readonly #today: () => string;
  readonly #sessionDays: number;
  readonly #sessions = new Map<string, Promise<{ token: string; expirationDate: string }>>();

  constructor(options: { consumerToken: Secret<string>; today: () => string; sessionDays?: number }) {
    this.#consumerToken = options.consumerToken;
    this.#today = options.today;
    this.#sessionDays = options.sessionDays ?? 2;
    if (this.#sessionDays < 2) throw new RangeError("Tripletex sessions need an expiration date at least 2 days ahead");
  }

  /** A session token for the employee token: the cached one while it has a day left, else a new one. */
  async token(
    client: ConnectorHttpClient,
    employeeToken: Secret<string>,
    options: { renew?: boolean } = {},
  ): Promise<string> {
    const key = keyOf(employeeToken);
    const cached = this.#sessions.get(key);
    if (cached && !options.renew) {
      const session = await cached.catch(() => undefined);
      if (session && addDays(this.#today(), 1) < session.expirationDate) return session.token;
    }
    const created = this.#create(client, employeeToken);
    this.#sessions.set(key, created);
    created.catch(() => {
      if (this.#sessions.get(key) === created) this.#sessions.delete(key);
    });
    return (await created).token;
  }

  /** Forgets the session of an employee token (after a 401). */
  forget(employeeToken: Secret<string>): void {
    this.#sessions.delete(keyOf(employeeToken));
  }

  async #create(
    client: ConnectorHttpClient,
    employeeToken: Secret<string>,
  ): Promise<{ token: string; expirationDate: string }> {
    const expirationDate = addDays(this.#today(), this.#sessionDays);
    try {
      const response = await client.request({
        method: "PUT",
        path: "/token/session/:create",
        endpoint: "PUT /token/session/:create",
        // The recorder and every error drop the parameters named …Token: the tokens never leave this call.
        query: { consumerToken: this.#consumerToken.reveal(), employeeToken: employeeToken.reveal(), expirationDate },
        schema: valueResponseSchema(SessionTokenSchema),
      });
      return { token: response.data.value.token, expirationDate: response.data.value.expirationDate };
    } catch (error) {
      // 401/403 on :create: Tripletex does not accept the employee token (wrong, revoked, expired, or made for
      // another API consumer). That is the key's state, not a missing privilege.
      if (error instanceof ConnectorError && (error.httpStatus === 401 || error.httpStatus === 403)) {
        throw new ConnectorInvalidKeyError(
          `tripletex: the employee token was refused when creating a session (${error.httpStatus}); ` +
            "check that the token is current and was made for saldo's API consumer",
          { cause: error, context: { ...error.context } },
        );
      }
      throw error;
    }
  }
}

function keyOf(employeeToken: Secret<string>): string {
  return createHash("sha256").update(employeeToken.reveal()).digest("hex");
}

/** A stable, non-reversible label of an employee token for limiter keys (rate limits are per token owner). */
export function employeeTokenLabel(employeeToken: Secret<string>): string {
  return keyOf(employeeToken).slice(0, 16);
}
