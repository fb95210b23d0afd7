import { resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_TENANT_CLAIM } from "../../auth/verifyAccessToken.ts";

/** How often the local timer runs a refresh round by default: as often as the cloud's schedule (every 15 minutes). */
export const DEFAULT_LOCAL_REFRESH_INTERVAL_SECONDS = 900;

const PortSchema = z.coerce.number().int().min(0).max(65535);

/**
 * The environment `saldo start` (`npm start`) reads, validated once. Ports: 0 lets the operating system pick a free
 * one. The table and bucket names of the local stack have their own variables so that they never mix with
 * SALDO_TABLE_NAME / SALDO_BUCKET_NAME, which point the CLI at real AWS.
 */
export const LocalStackEnvironmentSchema = z
  .object({
    /** Folder for everything the stack keeps: DynamoDB Local's database, the S3 objects, dead letters, stack.json. */
    SALDO_DATA_DIR: z.string().min(1).default(".saldo"),
    SALDO_DYNAMODB_PORT: PortSchema.default(8000),
    SALDO_S3_PORT: PortSchema.default(4569),
    /** The HTTP server (health, the HTTP API, the local token issuer's discovery documents). */
    PORT: PortSchema.default(3000),
    /** The fake Tripletex API the local stack's Tripletex connector talks to (`http://127.0.0.1:PORT/v2`). */
    SALDO_TRIPLETEX_PORT: PortSchema.default(4580),
    /** The fake PowerOffice Go API the local stack's PowerOffice Go connector talks to. */
    SALDO_POWEROFFICE_GO_PORT: PortSchema.default(4581),
    SALDO_LOCAL_TABLE_NAME: z.string().min(3).max(255).default("saldo-local"),
    SALDO_LOCAL_BUCKET_NAME: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name (lower case, digits, '.', '-')")
      .default("saldo-uploads-local"),
    /** The web console (web/, built when stale), on its own origin. */
    SALDO_WEB_PORT: PortSchema.default(3001),
    /** "false" skips the demo tenant on first start. */
    SALDO_SEED_DEMO: z.enum(["true", "false"]).default("true"),
    /**
     * Sign in as in the cloud: the API trusts only this OIDC issuer (its discovery document and JWKS), and the
     * console signs in there (authorization code + PKCE) as the public client SALDO_OIDC_CLIENT_ID. Unset: the local
     * issuer and the tenant picker.
     */
    SALDO_OIDC_ISSUER: z.url().optional(),
    SALDO_OIDC_AUDIENCE: z.string().min(1).default("saldo-api"),
    SALDO_OIDC_CLIENT_ID: z.string().min(1).default("saldo-web-local"),
    SALDO_OIDC_SCOPE: z.string().min(1).default("openid"),
    /** The claim naming the tenant in the issuer's access tokens (the cloud's SALDO_TENANT_CLAIM). */
    SALDO_TENANT_CLAIM: z.string().min(1).default(DEFAULT_TENANT_CLAIM),
    /** Origins the local API allows by CORS, comma-separated (`*` for any); none by default. */
    SALDO_CORS_ORIGINS: z.string().default(""),
    /** How often the import sweeper runs (it also runs at start-up); 0: only at start-up. */
    SALDO_SWEEP_INTERVAL_SECONDS: z.coerce.number().min(0).default(60),
    /** How often the scheduled refresh's round runs (the cloud's schedule: every 15 minutes); 0 = off. */
    SALDO_REFRESH_INTERVAL_SECONDS: z.coerce.number().min(0).default(DEFAULT_LOCAL_REFRESH_INTERVAL_SECONDS),
  })
  .transform((env) => ({
    dataDir: env.SALDO_DATA_DIR,
    dynamoDbPort: env.SALDO_DYNAMODB_PORT,
    s3Port: env.SALDO_S3_PORT,
    httpPort: env.PORT,
    tripletexPort: env.SALDO_TRIPLETEX_PORT,
    powerOfficePort: env.SALDO_POWEROFFICE_GO_PORT,
    tableName: env.SALDO_LOCAL_TABLE_NAME,
    bucketName: env.SALDO_LOCAL_BUCKET_NAME,
    seedDemo: env.SALDO_SEED_DEMO === "true",
    // The console opens signed in as the demo tenant when there is one (development only; the picker switches).
    web: { port: env.SALDO_WEB_PORT, ...(env.SALDO_SEED_DEMO === "true" ? { autoSignIn: "demo" } : {}) },
    ...(env.SALDO_OIDC_ISSUER
      ? {
          oidc: {
            issuer: env.SALDO_OIDC_ISSUER,
            audience: env.SALDO_OIDC_AUDIENCE,
            clientId: env.SALDO_OIDC_CLIENT_ID,
            scope: env.SALDO_OIDC_SCOPE,
            tenantClaim: env.SALDO_TENANT_CLAIM,
          },
        }
      : {}),
    sweepIntervalMs: env.SALDO_SWEEP_INTERVAL_SECONDS * 1000,
    refreshIntervalMs: env.SALDO_REFRESH_INTERVAL_SECONDS * 1000,
    api: {
      corsOrigins: env.SALDO_CORS_ORIGINS.split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    },
  }));
export type LocalStackSettings = z.infer<typeof LocalStackEnvironmentSchema>;

/** Reads the local stack's settings from an environment (`process.env` at the composition root). */
export function readLocalStackSettings(env: Record<string, string | undefined>): LocalStackSettings {
  return LocalStackEnvironmentSchema.parse(env);
}

/** The data folder named by SALDO_DATA_DIR (default `./.saldo`), absolute, relative to `cwd`. */
export function resolveDataDir(env: Record<string, string | undefined>, cwd: string = process.cwd()): string {
  return resolve(cwd, env.SALDO_DATA_DIR || ".saldo");
}
