import { openLocalIssuer, LocalTokenRequestSchema } from "../auth/localIssuer.ts";
import { resolveDataDir } from "../local/stack/localStackSettings.ts";
import { UsageError } from "./errors.ts";
import { parseOptions } from "./parseOptions.ts";

/**
 * `saldo token --tenant T [--subject S] [--expires <seconds>]`: prints (alone on stdout, for `$(saldo token …)`) an
 * access token the local API accepts for tenant T. It signs with the local issuer's key in
 * `${SALDO_DATA_DIR:-./.saldo}/auth` — creating it if the stack has not yet — so the stack need not be running.
 */
export async function tokenCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    tenant: { type: "string" },
    subject: { type: "string" },
    expires: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError("token takes no positional arguments");
  if (values.tenant === undefined) throw new UsageError("token needs --tenant <tenantId>");
  const expires = values.expires;
  if (expires !== undefined && !/^\d+$/.test(expires))
    throw new UsageError(`--expires must be a number of seconds, got "${expires}"`);
  const request = LocalTokenRequestSchema.safeParse({
    tenantId: values.tenant,
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    ...(expires === undefined ? {} : { expiresInSeconds: Number(expires) }),
  });
  if (!request.success) {
    const issue = request.error.issues[0];
    const option =
      { tenantId: "--tenant", subject: "--subject", expiresInSeconds: "--expires" }[String(issue?.path[0])] ?? "";
    throw new UsageError(`${option} ${issue?.message ?? "is invalid"}`.trim());
  }
  const issuer = await openLocalIssuer({ dataDir: resolveDataDir(env) });
  process.stdout.write((await issuer.issueToken(request.data)) + "\n");
  return 0;
}
