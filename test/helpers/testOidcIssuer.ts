import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import Provider, { errors as oidcErrors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";

/** A user of the test issuer, and the tenant its access tokens name. */
export interface TestOidcUser {
  subject: string;
  tenantId: string;
}

export interface TestOidcIssuerOptions {
  /** The console's public client (authorization code + PKCE, no secret). */
  clientId: string;
  /** `aud` of the access tokens (the resource server: saldo's API). */
  audience: string;
  /** Claim carrying the tenant id (saldo's default `saldo:tenant`). */
  tenantClaim: string;
  /** Signed in without a form at the next authorization request (see {@link TestOidcIssuer.signInAs}). */
  user: TestOidcUser;
  /** Access token lifetime, seconds (default 3600). */
  accessTokenTtlSeconds?: number;
}

/** A running test issuer. */
export interface TestOidcIssuer {
  /** `http://127.0.0.1:<port>`: `iss` of its tokens; discovery at `/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** Who the next sign-in (a browser without the issuer's session cookie, or `prompt=login`) is. */
  signInAs(user: TestOidcUser): void;
  /** Sessions ended at the issuer (RP-initiated logout) so far. */
  readonly logouts: number;
  /** Authorization requests seen, with their query (to check PKCE and the client's parameters). */
  readonly authorizations: URLSearchParams[];
  /**
   * An access token signed with the issuer's key as its token endpoint signs them, with `exp` as given: for what
   * the flow cannot produce in a test's time, such as a token that has already expired.
   */
  mintAccessToken(user: TestOidcUser, expiresAt: Date): Promise<string>;
  stop(): Promise<void>;
}

/**
 * An OpenID Connect issuer on 127.0.0.1 for the tests, built on `oidc-provider` (panva; certified OpenID provider
 * implementation): discovery, JWKS, the authorization endpoint and the token endpoint with PKCE (S256, required for
 * public clients), issuing JWT access tokens for the API (`aud` = {@link TestOidcIssuerOptions.audience}, the tenant
 * claim from the user) through its resource indicators. Instead of a login and consent page, its interaction
 * endpoint signs the configured user in and grants what the client asked for at once.
 *
 * The console is registered as a native (loopback) client, so that its redirect URI
 * `http://127.0.0.1:<any port>/auth/callback` matches whatever port the test stack's console got (RFC 8252 §7.3).
 */
export async function startTestOidcIssuer(options: TestOidcIssuerOptions): Promise<TestOidcIssuer> {
  let user = options.user;
  const authorizations: URLSearchParams[] = [];
  let logouts = 0;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
  const users = new Map<string, TestOidcUser>();

  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The resource indicator (RFC 8707: an absolute URI) of saldo's API; its tokens' `aud` is options.audience.
  const resource = "urn:saldo:api";

  const configuration: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        application_type: "native",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        id_token_signed_response_alg: "ES256",
        redirect_uris: ["http://127.0.0.1/auth/callback"],
        post_logout_redirect_uris: ["http://127.0.0.1/"],
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    findAccount: (_ctx, subject) => {
      const found = users.get(subject);
      return found ? { accountId: subject, claims: () => ({ sub: subject }) } : undefined;
    },
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      // Sign-out without a confirmation page: the form oidc-provider renders is submitted at once, ending the
      // issuer's session (`logout=yes`), then the browser goes back to the console.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = `<!doctype html><html><body>${form}<script>
            const f = document.getElementById("op.logoutForm");
            const yes = document.createElement("input");
            yes.type = "hidden"; yes.name = "logout"; yes.value = "yes";
            f.appendChild(yes); f.submit();
          </script></body></html>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new oidcErrors.InvalidTarget();
          return {
            audience: options.audience,
            scope: "openid",
            accessTokenFormat: "jwt",
            accessTokenTTL: options.accessTokenTtlSeconds ?? 3600,
            jwt: { sign: { alg: "ES256" } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx: KoaContextWithOIDC, token) => {
      const account =
        "accountId" in token && typeof token.accountId === "string" ? users.get(token.accountId) : undefined;
      return account ? { [options.tenantClaim]: account.tenantId } : undefined;
    },
    // The console's origin is a loopback one with any port, like its redirect URI.
    clientBasedCORS: (_ctx, origin) => /^http:\/\/127\.0\.0\.1:\d+$/.test(origin),
  };
  const provider = new Provider(issuer, configuration);
  provider.on("end_session.success", () => {
    logouts += 1;
  });
  const callback = provider.callback();

  async function interaction(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    if (details.prompt.name === "login") {
      users.set(user.subject, user);
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: user.subject } },
        {
          mergeWithLastSubmission: false,
        },
      );
      return;
    }
    // consent: grant what was asked
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error("consent without a signed-in account");
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(" "));
    const grantId = await grant.save();
    await provider.interactionFinished(request, response, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", issuer);
    if (url.pathname.startsWith("/interaction/")) {
      interaction(request, response).catch((error: unknown) => {
        response.writeHead(500, { "content-type": "text/plain" });
        response.end(`interaction failed: ${String(error)}`);
      });
      return;
    }
    if (url.pathname === "/auth") authorizations.push(url.searchParams);
    void callback(request, response);
  });

  return {
    issuer,
    authorizations,
    get logouts() {
      return logouts;
    },
    signInAs(next) {
      user = next;
    },
    async mintAccessToken(who, expiresAt) {
      const exp = Math.floor(expiresAt.getTime() / 1000);
      return new SignJWT({ [options.tenantClaim]: who.tenantId, client_id: options.clientId, scope: "openid" })
        .setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" })
        .setIssuer(issuer)
        .setAudience(options.audience)
        .setSubject(who.subject)
        .setIssuedAt(exp - 3600)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(privateKey as CryptoKey);
    },
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
