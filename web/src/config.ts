/**
 * Where the console finds the API and how it signs in. The local stack serves `/config.json` next to the console
 * (lib/local/stack/webConsole.ts: the local issuer's token route, development only); a cloud build has no such
 * file and takes the values from its build environment (infra/web.ts sets them): the API URL and the OIDC issuer
 * and client id the API's JWT authorizer trusts. Nothing is hard-coded here.
 */
export type AuthConfig =
  | { kind: "local"; tokenPath: string; tenants: string[]; autoSignIn?: string }
  | { kind: "oidc"; issuer: string; clientId: string; scope: string; audience?: string; tenantClaim?: string };

export interface ConsoleConfig {
  apiUrl: string;
  auth: AuthConfig;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" }).catch(() => undefined);
  if (response?.ok && (response.headers.get("content-type") ?? "").includes("json")) {
    return (await response.json()) as ConsoleConfig;
  }
  const env = import.meta.env;
  const apiUrl = env.VITE_SALDO_API_URL as string | undefined;
  const issuer = env.VITE_SALDO_OIDC_ISSUER as string | undefined;
  const clientId = env.VITE_SALDO_OIDC_CLIENT_ID as string | undefined;
  if (!apiUrl || !issuer || !clientId)
    throw new Error(
      "the console has no configuration: /config.json is missing and so are VITE_SALDO_API_URL, VITE_SALDO_OIDC_ISSUER, VITE_SALDO_OIDC_CLIENT_ID",
    );
  const audience = env.VITE_SALDO_OIDC_AUDIENCE as string | undefined;
  return {
    apiUrl,
    auth: {
      kind: "oidc",
      issuer,
      clientId,
      scope: (env.VITE_SALDO_OIDC_SCOPE as string | undefined) ?? "openid",
      ...(audience ? { audience } : {}),
    },
  };
}
