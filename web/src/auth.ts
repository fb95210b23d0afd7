import * as oauth from "oauth4webapi";
import type { AuthConfig } from "./config.ts";

/** The signed-in session, kept in sessionStorage (per tab; gone when the tab closes). */
export interface Session {
  accessToken: string;
  /** The tenant, for display (the API takes it from the token's claim, never from the page). */
  tenantId: string;
  expiresAt: number;
}

const SESSION_KEY = "saldo.session";
const REASON_KEY = "saldo.signOutReason";
/** Why the sign-in page is showing: said there in words (web/src/pages/SignInPage.tsx). */
export type SignOutReason = "expired" | "rejected" | "signedOut";
const PKCE_KEY = "saldo.pkce";
export const CALLBACK_PATH = "/auth/callback";

export function currentSession(): Session | undefined {
  const text = sessionStorage.getItem(SESSION_KEY);
  if (!text) return undefined;
  try {
    const session = JSON.parse(text) as Session;
    if (session.expiresAt > Date.now() + 30_000) return session;
    sessionStorage.setItem(REASON_KEY, "expired");
  } catch {
    /* a damaged entry is a signed-out state */
  }
  sessionStorage.removeItem(SESSION_KEY);
  return undefined;
}

/** Why the last session ended in this tab, if it did (cleared by the next sign-in). */
export function signOutReason(): SignOutReason | undefined {
  const reason = sessionStorage.getItem(REASON_KEY);
  return reason === "expired" || reason === "rejected" || reason === "signedOut" ? reason : undefined;
}

export function signOut(reason: SignOutReason = "signedOut"): void {
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.setItem(REASON_KEY, reason);
  // The local stack's automatic demo sign-in stays off in this tab once someone signed out.
  sessionStorage.setItem(SIGNED_OUT_KEY, "1");
}

const SIGNED_OUT_KEY = "saldo.signedOut";

export function signedOutInThisTab(): boolean {
  return sessionStorage.getItem(SIGNED_OUT_KEY) === "1";
}

function keep(session: Session): Session {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  sessionStorage.removeItem(REASON_KEY);
  return session;
}

/** The tenant claim in a token's payload (not verified here: the API verifies every request). */
function claims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

function sessionOf(accessToken: string, tenantClaim = "saldo:tenant"): Session {
  const payload = claims(accessToken);
  const exp = typeof payload.exp === "number" ? payload.exp * 1000 : Date.now() + 3600_000;
  return { accessToken, tenantId: String(payload[tenantClaim] ?? ""), expiresAt: exp };
}

/** Development only: the local stack's issuer signs a token for the picked tenant. */
export async function signInLocally(
  config: Extract<AuthConfig, { kind: "local" }>,
  tenantId: string,
): Promise<Session> {
  const response = await fetch(config.tokenPath, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tenantId }),
  });
  const body = (await response.json()) as { accessToken?: string; detail?: string };
  if (!response.ok || !body.accessToken) throw new Error(body.detail ?? `sign-in failed (${response.status})`);
  return keep(sessionOf(body.accessToken));
}

type OidcConfig = Extract<AuthConfig, { kind: "oidc" }>;

/**
 * Plain HTTP only to an issuer on the machine itself (a development or test issuer on loopback); every other issuer
 * must be HTTPS, as oauth4webapi requires.
 */
function transport(config: OidcConfig): { [oauth.allowInsecureRequests]?: boolean } {
  const { protocol, hostname } = new URL(config.issuer);
  const loopback = hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
  return protocol === "http:" && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(config: OidcConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  return oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...transport(config) }),
  );
}

/** Cloud: authorization code flow with PKCE at the configured OIDC issuer (a public client, no secret). */
export async function startOidcSignIn(config: OidcConfig, returnTo: string): Promise<void> {
  const server = await discover(config);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(server.authorization_endpoint!);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", new URL(CALLBACK_PATH, location.origin).toString());
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", config.scope);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  if (config.audience) url.searchParams.set("audience", config.audience);
  location.assign(url.toString());
}

/**
 * Cloud: after the tab's session is cleared, ends the issuer's session too (RP-initiated logout, when the issuer
 * publishes an `end_session_endpoint`), so that the next sign-in asks who is signing in rather than reusing the
 * issuer's cookie on a shared computer. The issuer sends the browser back to the console's start page.
 */
export async function endOidcSession(config: OidcConfig): Promise<void> {
  const server = await discover(config);
  if (!server.end_session_endpoint) return;
  const url = new URL(server.end_session_endpoint);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("post_logout_redirect_uri", new URL("/", location.origin).toString());
  location.assign(url.toString());
}

/** Cloud: the redirect back from the issuer; exchanges the code for the access token the API accepts. */
export async function finishOidcSignIn(config: OidcConfig): Promise<{ session: Session; returnTo: string }> {
  const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null") as {
    verifier: string;
    state: string;
    returnTo: string;
  } | null;
  sessionStorage.removeItem(PKCE_KEY);
  if (!pending) throw new Error("no sign-in was started in this tab");
  const server = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(server, client, new URL(location.href), pending.state);
  } catch (error) {
    // The issuer's own words (RFC 6749 §4.1.2.1): `access_denied: …`, not oauth4webapi's generic message.
    if (error instanceof oauth.AuthorizationResponseError)
      throw new Error(
        `${config.issuer}: ${error.error}${error.error_description ? `: ${error.error_description}` : ""}`,
      );
    throw error;
  }
  const response = await oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.None(),
    params,
    new URL(CALLBACK_PATH, location.origin).toString(),
    pending.verifier,
    transport(config),
  );
  const result = await oauth.processAuthorizationCodeResponse(server, client, response);
  return { session: keep(sessionOf(result.access_token, config.tenantClaim)), returnTo: pending.returnTo };
}
