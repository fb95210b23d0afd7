import { randomUUID } from "node:crypto";
import { link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
} from "jose";
import { z } from "zod";
import { IdSchema } from "../ids/ids.ts";
import { AuthError } from "./errors.ts";
import { LOCAL_AUTH, localAuthDirectory } from "./localAuthConfig.ts";
import type { VerifyAccessTokenOptions } from "./verifyAccessToken.ts";

/** File of the local issuer's private key (a JWK), inside `${dataDir}/auth`. */
export const SIGNING_KEY_FILE = "signing-key.json";

/** The private signing key as kept on disk (zod: read back from a file anyone could have edited). */
const SigningKeyFileSchema = z.object({
  kty: z.literal("EC"),
  crv: z.literal("P-256"),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1),
  alg: z.literal("ES256"),
  use: z.literal("sig"),
});
type SigningKeyFile = z.infer<typeof SigningKeyFileSchema>;

/** What `issueToken` (and `saldo token`) accepts. */
export const LocalTokenRequestSchema = z.object({
  tenantId: IdSchema,
  /** `sub`; default `local:{tenantId}`. */
  subject: z.string().min(1).max(256).optional(),
  expiresInSeconds: z
    .number()
    .int()
    .min(1)
    .max(LOCAL_AUTH.maxExpiresInSeconds)
    .default(LOCAL_AUTH.defaultExpiresInSeconds),
  /** Put in `scope`, space-separated, when given. */
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "an OAuth scope token")).optional(),
});
export type LocalTokenRequest = z.input<typeof LocalTokenRequestSchema>;

/** The subset of OpenID Connect Discovery 1.0 §3 metadata a resource server needs to verify local tokens. */
export interface OpenIdConfiguration {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  claims_supported: string[];
}

/** The local token issuer: signs tokens with a key kept in the data folder, and publishes its public key. */
export interface LocalIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** `kid` of the signing key: its RFC 7638 thumbprint. */
  readonly keyId: string;
  /** A signed ES256 access token for the tenant (`iss`, `aud`, `sub`, tenant claim, `iat`, `exp`, `jti`). */
  issueToken(request: LocalTokenRequest): Promise<string>;
  /** The public key set, served at `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] };
  /** The discovery document served at `/.well-known/openid-configuration` by the server at `baseUrl`. */
  openidConfiguration(baseUrl: string): OpenIdConfiguration;
  /** Options for `verifyAccessToken` that accept this issuer's tokens (local JWKS, no network). */
  verifyOptions(): VerifyAccessTokenOptions;
}

/**
 * Opens the local issuer of a data folder: reads its ES256 key pair from `${dataDir}/auth/signing-key.json`, or
 * generates one on first use (file mode 0600, folder 0700). The local stack and `saldo token` both call this with the
 * same data folder, so tokens printed by one are accepted by the other whether or not the stack is running. Creating
 * the key is race-free: it is written to a temporary file and hard-linked into place, which fails when another process
 * got there first — then that key is used.
 *
 * @throws AuthError AUTH_LOCAL_ISSUER_FAILED when the key file cannot be read, written or parsed.
 */
export async function openLocalIssuer(options: {
  dataDir: string;
  issuer?: string;
  audience?: string;
  /** Clock for `iat`/`exp`; tests pin it. */
  now?: () => Date;
  /**
   * `false`: never make a key — the data folder's must exist (`saldo token`, which must sign with the key of the
   * stack that will verify its tokens). Default `true` (the local stack, which owns the key).
   */
  createKey?: boolean;
}): Promise<LocalIssuer> {
  const issuer = options.issuer ?? LOCAL_AUTH.issuer;
  const audience = options.audience ?? LOCAL_AUTH.audience;
  const now = options.now ?? (() => new Date());
  const file = join(localAuthDirectory(options.dataDir), SIGNING_KEY_FILE);
  const stored = options.createKey === false ? await readSigningKey(file) : await loadOrCreateSigningKey(file);
  if (stored === undefined) {
    throw new AuthError("AUTH_LOCAL_KEY_MISSING", `there is no local signing key ${file}`, { context: { file } });
  }
  const privateKey = (await importJWK(stored, LOCAL_AUTH.algorithm)) as CryptoKey;
  const publicJwk: JWK = {
    kty: stored.kty,
    crv: stored.crv,
    x: stored.x,
    y: stored.y,
    kid: stored.kid,
    alg: stored.alg,
    use: stored.use,
  };
  const keySet = { keys: [publicJwk] };

  return {
    issuer,
    audience,
    keyId: stored.kid,
    async issueToken(request) {
      const checked = LocalTokenRequestSchema.safeParse(request);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new AuthError(
          "AUTH_LOCAL_ISSUER_FAILED",
          `cannot issue a token: ${issue?.path.join(".") || "request"}: ${issue?.message ?? "invalid"}`,
        );
      }
      const { tenantId, subject, expiresInSeconds, scopes } = checked.data;
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new SignJWT({ [LOCAL_AUTH.tenantClaim]: tenantId, ...(scopes?.length ? { scope: scopes.join(" ") } : {}) })
        .setProtectedHeader({ alg: LOCAL_AUTH.algorithm, kid: stored.kid, typ: "JWT" })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject ?? `local:${tenantId}`)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + expiresInSeconds)
        .setJti(randomUUID())
        .sign(privateKey);
    },
    jwks() {
      return structuredClone(keySet);
    },
    openidConfiguration(baseUrl) {
      return {
        issuer,
        jwks_uri: new URL("/.well-known/jwks.json", baseUrl).toString(),
        response_types_supported: ["token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: [LOCAL_AUTH.algorithm],
        claims_supported: ["iss", "aud", "sub", "iat", "exp", "jti", "scope", LOCAL_AUTH.tenantClaim],
      };
    },
    verifyOptions() {
      return {
        issuer,
        audience,
        jwks: createLocalJWKSet(structuredClone(keySet)),
        tenantClaim: LOCAL_AUTH.tenantClaim,
      };
    },
  };
}

async function loadOrCreateSigningKey(file: string): Promise<SigningKeyFile> {
  const existing = await readSigningKey(file);
  if (existing) return existing;
  const { privateKey } = await generateKeyPair(LOCAL_AUTH.algorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const { d: _d, ...publicPart } = jwk;
  const kid = await calculateJwkThumbprint(publicPart);
  const record = { ...jwk, kid, alg: LOCAL_AUTH.algorithm, use: "sig" };
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await mkdir(join(file, ".."), { recursive: true, mode: 0o700 });
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.writeFile(JSON.stringify(record, null, 2) + "\n", "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, file);
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw error;
    }
  } catch (error) {
    throw new AuthError(
      "AUTH_LOCAL_ISSUER_FAILED",
      `could not create the local signing key ${file} (${errnoCode(error) ?? String(error)})`,
      {
        cause: error,
        context: { file },
      },
    );
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const created = await readSigningKey(file);
  if (!created)
    throw new AuthError("AUTH_LOCAL_ISSUER_FAILED", `${file} vanished right after it was created`, {
      context: { file },
    });
  return created;
}

async function readSigningKey(file: string): Promise<SigningKeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw new AuthError(
      "AUTH_LOCAL_ISSUER_FAILED",
      `could not read the local signing key ${file} (${errnoCode(error) ?? String(error)})`,
      {
        cause: error,
        context: { file },
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = SigningKeyFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new AuthError(
      "AUTH_LOCAL_ISSUER_FAILED",
      `${file} is not an ES256 private key saldo wrote; delete it to have a new one made (tokens issued before stop working)`,
      { context: { file } },
    );
  }
  return parsed.data;
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;
}
