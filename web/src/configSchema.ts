import * as z from "zod/mini";

/**
 * The console's configuration, `/config.json` (loaded by web/src/config.ts): where the console finds the API and how it signs in: `/config.json` next to the console, read at run time, so one
 * build serves any API and issuer. The local stack serves it (lib/local/stack/webConsole.ts: the local issuer's token
 * route and tenant picker, development only — or OIDC when the stack is told to trust an issuer); a deployment writes
 * it into the site's bucket (infra/webConfig.ts: the API's URL and the OIDC issuer, audience and public client the
 * API's JWT authorizer trusts). Nothing is hard-coded here.
 */
const AuthConfigSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("local"),
    tokenPath: z.string(),
    tenants: z.array(z.string()),
    autoSignIn: z.optional(z.string()),
  }),
  z.object({
    kind: z.literal("oidc"),
    issuer: z.url(),
    clientId: z.string().check(z.minLength(1)),
    scope: z.string().check(z.minLength(1)),
    audience: z.optional(z.string()),
    /** The claim naming the tenant (shown in the header; the API reads it itself). Default `saldo:tenant`. */
    tenantClaim: z.optional(z.string()),
  }),
]);

const ConsoleConfigSchema = z.object({ apiUrl: z.url(), auth: AuthConfigSchema });

export type AuthConfig = z.infer<typeof AuthConfigSchema>;
export type ConsoleConfig = z.infer<typeof ConsoleConfigSchema>;

/** A `/config.json` body, checked; throws a message naming the first wrong field. */
export function parseConsoleConfig(body: unknown): ConsoleConfig {
  const parsed = ConsoleConfigSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`/config.json: ${issue?.path.join(".") || "(the document)"}: ${issue?.message ?? "not valid"}`);
}
