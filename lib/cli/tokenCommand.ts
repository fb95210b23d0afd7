import { openLocalIssuer, LocalTokenRequestSchema, type LocalIssuer } from "../auth/localIssuer.ts";
import { AuthError } from "../auth/errors.ts";
import { findDataDir, isProcessAlive, readStackFile, type StackFile } from "../local/stack/stackFile.ts";
import { TokenRefusedError, UsageError } from "./errors.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";

/** How long `saldo token` waits for the running stack's key set before trusting the key file alone. */
const JWKS_TIMEOUT_MS = 3_000;

/**
 * `saldo token --tenant T [--subject S] [--expires <seconds>]`: prints (alone on stdout, for `$(saldo token …)`) an
 * access token the local API accepts for tenant T, signed with the local stack's key in `<data folder>/auth` — the
 * data folder found as the other commands find it (SALDO_DATA_DIR, else the nearest `.saldo` up from here), so the
 * stack need not be running. It never makes a key: a key of its own would be one the stack rejects. So it refuses
 * (exit 1, saying what to do) when no stack has made one in that folder yet, and — when the stack is running — when
 * the stack's published key set (`/.well-known/jwks.json`) does not hold the key it would sign with.
 */
export async function tokenCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    tenant: { type: "string" },
    subject: { type: "string" },
    expires: { type: "string" },
    // The language of its error lines (lib/cli/errorLine.ts); the token itself has none.
    ...LOCALE_OPTION,
  });
  localeFromOptions(values.locale, env);
  if (positionals.length > 0)
    throw new UsageError("token takes no positional arguments", "«saldo token» tar ingen argumenter uten valg.");
  if (values.tenant === undefined)
    throw new UsageError("token needs --tenant <tenantId>", "Oppgi --tenant <tenantId>.");
  const expires = values.expires;
  if (expires !== undefined && !/^\d+$/.test(expires))
    throw new UsageError(
      `--expires must be a number of seconds, got "${expires}"`,
      `--expires må være et antall sekunder (fikk «${expires}»).`,
    );
  const request = LocalTokenRequestSchema.safeParse({
    tenantId: values.tenant,
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    ...(expires === undefined ? {} : { expiresInSeconds: Number(expires) }),
  });
  if (!request.success) {
    const issue = request.error.issues[0];
    const option =
      { tenantId: "--tenant", subject: "--subject", expiresInSeconds: "--expires" }[String(issue?.path[0])] ?? "";
    throw new UsageError(
      `${option} ${issue?.message ?? "is invalid"}`.trim(),
      `${option || "Valget"} kan ikke brukes: ${issue?.message ?? "ugyldig"}.`,
    );
  }
  const dataDir = await findDataDir(env, cwd);
  const issuer = await openLocalIssuer({ dataDir, createKey: false }).catch((error: unknown) => {
    if (error instanceof AuthError && error.code === "AUTH_LOCAL_KEY_MISSING") {
      throw new TokenRefusedError(
        "LOCAL_SIGNING_KEY_MISSING",
        `no local stack has made a signing key in ${dataDir} yet: start it (\`npm start\`) first, or set SALDO_DATA_DIR ` +
          "to the data folder of the stack you use (saldo token signs with that stack's key and never makes its own)",
        { cause: error, context: { dataDir } },
      );
    }
    throw error;
  });
  const stack = await readStackFile(dataDir).catch(() => undefined);
  if (stack && isProcessAlive(stack.pid)) await assertStackAcceptsKey(stack, issuer);
  process.stdout.write((await issuer.issueToken(request.data)) + "\n");
  return 0;
}

/**
 * Refuses when the running stack publishes a key set without the key the token would be signed with (its key file
 * was replaced after it started). A stack that does not answer in time is not asked: it read the same file.
 */
async function assertStackAcceptsKey(stack: StackFile, issuer: LocalIssuer): Promise<void> {
  let keyIds: unknown[];
  try {
    const answer = await fetch(new URL("/.well-known/jwks.json", stack.http.url), {
      signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
    });
    if (!answer.ok) return;
    const body = (await answer.json()) as { keys?: { kid?: unknown }[] };
    keyIds = (body.keys ?? []).map((key) => key.kid);
  } catch {
    return;
  }
  if (!keyIds.includes(issuer.keyId)) {
    throw new TokenRefusedError(
      "LOCAL_SIGNING_KEY_MISMATCH",
      `the local stack running on ${stack.http.url} (process ${stack.pid}) signs with another key than ` +
        `${stack.dataDir}/auth holds now, so it would reject this token: restart the stack to use the key on disk`,
      { context: { dataDir: stack.dataDir, url: stack.http.url, pid: stack.pid } },
    );
  }
}
