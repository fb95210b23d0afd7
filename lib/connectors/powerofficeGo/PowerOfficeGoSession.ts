import { createHash } from "node:crypto";
import type { z } from "zod";
import { Secret } from "../../secrets/Secret.ts";
import {
  ConnectorError,
  ConnectorInvalidKeyError,
  ConnectorNoAccessError,
  ConnectorRequestRejectedError,
  ConnectorUnavailableError,
} from "../errors.ts";
import {
  ConnectorHttpClient,
  type HttpRequest,
  type KeyedRateLimiter,
  type RequestRecorder,
  type RetryPolicy,
} from "../http/index.ts";
import { readProblemDetails, TokenResponseSchema } from "./schemas.ts";

/**
 * One client key's conversation with PowerOffice Go API v2: the client-credentials token (cached until `expires_in`,
 * shared by concurrent calls, requested again once on a 401) and validated GETs through the shared HTTP client (timeouts,
 * retries, the limiter of the subscription key).
 */

/** Platform settings of the integration (the same for every client and tenant). */
export interface PowerOfficeGoPlatform {
  applicationKey: Secret<string>;
  subscriptionKey: Secret<string>;
  /** Resource API base, e.g. `https://goapi.poweroffice.net/v2` (demo: `…/Demo/v2`). */
  apiBaseUrl: string;
  /** Token endpoint, e.g. `https://goapi.poweroffice.net/OAuth/Token`. */
  tokenUrl: string;
  limiter: KeyedRateLimiter;
  /** The limiter key of the subscription key (a digest, never the key). */
  limiterKey: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof globalThis.fetch;
  now: () => number;
  /** Seconds before `expires_in` runs out at which a token is no longer used (clock skew, request time). */
  tokenSafetySeconds: number;
}

interface CachedToken {
  accessToken: Secret<string>;
  expiresAt: number;
}

/** Tokens by client key digest: one per client key (apis.md), kept by the connector across pulls. */
export class PowerOfficeGoTokenCache {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<CachedToken>>();

  /** A valid token for the key, requested when none is cached (concurrent callers share one request). */
  async get(keyDigest: string, now: number, request: () => Promise<CachedToken>): Promise<CachedToken> {
    const cached = this.#tokens.get(keyDigest);
    if (cached && cached.expiresAt > now) return cached;
    let pending = this.#pending.get(keyDigest);
    if (!pending) {
      pending = request().finally(() => this.#pending.delete(keyDigest));
      this.#pending.set(keyDigest, pending);
      pending.then((token) => this.#tokens.set(keyDigest, token)).catch(() => {});
    }
    return pending;
  }

  /** Forgets the key's token if it is still `token` (a 401 said it is no longer valid). */
  drop(keyDigest: string, token?: CachedToken): void {
    if (!token || this.#tokens.get(keyDigest) === token) this.#tokens.delete(keyDigest);
  }
}

/** A stable, non-reversible name for a secret (limiter and cache keys, never the value itself). */
export function digestOf(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 24);
}

export class PowerOfficeGoSession {
  readonly api: ConnectorHttpClient;
  readonly #token: ConnectorHttpClient;
  readonly #keyDigest: string;
  readonly #tokenPath: string;

  constructor(
    private readonly platform: PowerOfficeGoPlatform,
    private readonly clientKey: Secret<string>,
    private readonly tokens: PowerOfficeGoTokenCache,
    recorder: RequestRecorder,
  ) {
    const shared = {
      system: "poweroffice-go",
      headers: { "Ocp-Apim-Subscription-Key": platform.subscriptionKey.reveal() },
      limiter: platform.limiter,
      limiterKey: platform.limiterKey,
      recorder,
      now: platform.now,
      ...(platform.timeoutMs !== undefined ? { timeoutMs: platform.timeoutMs } : {}),
      ...(platform.retry ? { retry: platform.retry } : {}),
      ...(platform.fetch ? { fetch: platform.fetch } : {}),
    };
    this.api = new ConnectorHttpClient({ ...shared, baseUrl: platform.apiBaseUrl });
    const tokenUrl = new URL(platform.tokenUrl);
    this.#token = new ConnectorHttpClient({ ...shared, baseUrl: tokenUrl.origin });
    this.#tokenPath = tokenUrl.pathname;
    this.#keyDigest = digestOf(`${platform.applicationKey.reveal()}:${clientKey.reveal()}`);
  }

  /**
   * A validated GET with the client's token; on a 401 the token is requested again once and the call repeated (a
   * token can lapse on the server before `expires_in` says, e.g. when the client key was renewed). A second 401 is
   * `CONNECTOR_INVALID_KEY`. A 403 names the privilege the endpoint needs.
   */
  async get<S extends z.ZodType>(
    path: string,
    schema: S,
    options: Omit<HttpRequest<S>, "path" | "schema" | "method" | "headers"> & { privilege?: string } = {},
  ): Promise<{ data: z.output<S>; empty: boolean }> {
    const { privilege, ...request } = options;
    for (let attempt = 1; ; attempt++) {
      const token = await this.#validToken();
      try {
        const response = await this.api.get(path, schema, {
          ...request,
          endpoint: request.endpoint ?? `GET ${path}`,
          headers: { Authorization: `Bearer ${token.accessToken.reveal()}` },
        });
        return { data: response.data, empty: response.empty };
      } catch (error) {
        if (error instanceof ConnectorInvalidKeyError && attempt === 1) {
          this.tokens.drop(this.#keyDigest, token);
          continue;
        }
        if (error instanceof ConnectorNoAccessError && privilege && error.missingPrivileges.length === 0) {
          const problem = readProblemDetails(error.body);
          throw new ConnectorNoAccessError(
            `PowerOffice Go ${request.endpoint ?? `GET ${path}`}: the integration lacks the privilege ${privilege} on this client` +
              (problem.detail ? ` (${problem.detail})` : ""),
            { cause: error, context: error.context, missingPrivileges: [privilege], body: error.body },
          );
        }
        throw error;
      }
    }
  }

  async #validToken(): Promise<CachedToken> {
    return this.tokens.get(this.#keyDigest, this.platform.now(), () => this.#requestToken());
  }

  /** `POST /OAuth/Token`, Basic base64(applicationKey:clientKey), form `grant_type=client_credentials`. */
  async #requestToken(): Promise<CachedToken> {
    const basic = Buffer.from(`${this.platform.applicationKey.reveal()}:${this.clientKey.reveal()}`).toString("base64");
    try {
      const response = await this.#token.request({
        method: "POST",
        path: this.#tokenPath,
        endpoint: "POST /OAuth/Token",
        headers: { Authorization: `Basic ${basic}` },
        body: { form: { grant_type: "client_credentials" } },
        schema: TokenResponseSchema,
      });
      const { access_token: accessToken, expires_in: expiresIn } = response.data;
      const lifetimeMs = Math.max(1, expiresIn - Math.min(this.platform.tokenSafetySeconds, expiresIn / 2)) * 1000;
      return { accessToken: new Secret(accessToken), expiresAt: this.platform.now() + lifetimeMs };
    } catch (error) {
      throw translateTokenError(error);
    }
  }
}

/**
 * The token endpoint's refusals: an unknown or revoked client key (OAuth `invalid_client`, 400 or 401) is the user's
 * key — `invalid-key`; a refused subscription key is saldo's own platform configuration — `unavailable`, said so.
 */
function translateTokenError(error: unknown): unknown {
  if (!(error instanceof ConnectorError)) return error;
  const body = (error as { body?: unknown }).body;
  const text = typeof body === "object" && body !== null ? JSON.stringify(body) : String(body ?? "");
  if (/subscription key/i.test(text)) {
    return new ConnectorUnavailableError(
      "PowerOffice Go refused saldo's subscription key (platform configuration, not the client's key): the integration cannot connect until it is fixed",
      { cause: error, context: error.context },
    );
  }
  if (error instanceof ConnectorInvalidKeyError || error instanceof ConnectorRequestRejectedError) {
    const reason = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
    return new ConnectorInvalidKeyError(
      `PowerOffice Go did not accept the client key${typeof reason === "string" ? ` (${reason})` : ""}: it is wrong, revoked or not yet activated for saldo`,
      { cause: error, context: error.context, body },
    );
  }
  return error;
}
