import { z } from "zod";
import {
  DEFAULT_RETENTION_DAYS,
  RETRY_PROFILES,
  retryConfigFor,
  s3ClientConfigFor,
  type FunctionConfig,
  type RetryProfile,
} from "../../lib/config/functionConfig.ts";
import { DEFAULT_TENANT_CLAIM } from "../../lib/auth/verifyAccessToken.ts";
import { DEFAULT_UPLOAD_URL_SECONDS, MAX_UPLOAD_BYTES } from "../../lib/imports/requestUpload.ts";
import { DEFAULT_SECRET_PREFIX } from "../../lib/secrets/secretName.ts";
import { POWEROFFICE_GO_BASE_URL } from "../../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import { TRIPLETEX_BASE_URL } from "../../lib/connectors/tripletex/TripletexConnector.ts";

const RetentionDaysSchema = z.coerce.number().int().positive().default(DEFAULT_RETENTION_DAYS);

/**
 * The environment of saldo's functions: one schema for all of them, each function reading what it needs from the
 * configuration it gives (infra/api.ts, infra/ingest.ts and infra/sweeper.ts set the variables).
 */
export const FunctionEnvironmentSchema = z
  .object({
    SALDO_TABLE_NAME: z.string().min(1),
    /** Days a superseded, held or failed import version is kept. */
    SALDO_RETENTION_DAYS: RetentionDaysSchema,
    SALDO_TENANT_CLAIM: z.string().min(1).default(DEFAULT_TENANT_CLAIM),
    SALDO_BUCKET_NAME: z.string().min(3).optional(),
    SALDO_UPLOAD_URL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(DEFAULT_UPLOAD_URL_SECONDS),
    SALDO_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(MAX_UPLOAD_BYTES),
    /**
     * Secrets Manager is the only key vault a deployment can name: the encrypted file store is for the local stack
     * alone (one machine's disk, a master key file beside the secrets), and the local stack selects it in code.
     */
    SALDO_KEY_VAULT: z
      .literal("secrets-manager", {
        error: "only secrets-manager can be configured; the encrypted file key vault is local-only (saldo start)",
      })
      .optional(),
    SALDO_SECRET_PREFIX: z.string().min(1).default(DEFAULT_SECRET_PREFIX),
    SALDO_INGEST_FUNCTION_NAME: z.string().min(1).optional(),
    /**
     * Name or ARN of the platform-keys secret (saldo's PowerOffice Go application and subscription keys, Tripletex
     * consumer token; README "Platform keys"). Without it the function has no connector.
     */
    SALDO_PLATFORM_KEYS_SECRET: z.string().min(1).optional(),
    /**
     * The sync queues (infra/schedule.ts), one per accounting system: the API's sync route, the schedule's fan-out and
     * the sweeper send queued syncs there (SqsSyncDispatcher).
     */
    SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL: z.url().optional(),
    SALDO_SYNC_QUEUE_TRIPLETEX_URL: z.url().optional(),
    /**
     * The sync worker's share of PowerOffice Go's 10 requests per second per subscription key: 10 divided by the
     * queue's maximum concurrency (infra/config.ts SYNC_QUEUES), so all workers together stay under the cap.
     */
    SALDO_POWEROFFICE_GO_REQUESTS_PER_SECOND: z.coerce.number().int().min(1).max(10).optional(),
    /**
     * The function's share, per Tripletex token owner, of saldo's 10 requests per second (TRIPLETEX_TOKEN_RATE_LIMIT):
     * the sync workers and the connection-checking routes together stay under it (infra/config.ts RATE_LIMIT_SHARES).
     */
    SALDO_TRIPLETEX_REQUESTS_PER_SECOND: z.coerce.number().int().min(1).max(10).optional(),
    /** PowerOffice Go host root (default production); e.g. the demo environment `https://goapi.poweroffice.net/Demo`. */
    SALDO_POWEROFFICE_GO_BASE_URL: z.url().default(POWEROFFICE_GO_BASE_URL),
    /** Tripletex API root with `/v2` (default production); e.g. the test environment `https://api-test.tripletex.tech/v2`. */
    SALDO_TRIPLETEX_BASE_URL: z.url().default(TRIPLETEX_BASE_URL),
    /**
     * How hard the AWS SDK retries: `api` (the default: a short budget, so an API request fails fast) or `background`
     * (ingest and sweeper). See RETRY_PROFILES in lib/config/functionConfig.ts.
     */
    SALDO_RETRY_PROFILE: z.enum(Object.keys(RETRY_PROFILES) as [RetryProfile, ...RetryProfile[]]).default("api"),
    /** Emulators only (tests against DynamoDB Local and s3rver): endpoints and S3 path-style addressing. */
    SALDO_DYNAMODB_ENDPOINT: z.url().optional(),
    SALDO_S3_ENDPOINT: z.url().optional(),
    SALDO_S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false"),
  })
  .transform((env): FunctionConfig => ({
    tableName: env.SALDO_TABLE_NAME,
    retentionSeconds: env.SALDO_RETENTION_DAYS * 24 * 60 * 60,
    tenantClaim: env.SALDO_TENANT_CLAIM,
    retryProfile: env.SALDO_RETRY_PROFILE,
    dynamoClientConfig: {
      ...retryConfigFor(env.SALDO_RETRY_PROFILE),
      ...(env.SALDO_DYNAMODB_ENDPOINT ? { endpoint: env.SALDO_DYNAMODB_ENDPOINT } : {}),
    },
    s3ClientConfig: {
      ...retryConfigFor(env.SALDO_RETRY_PROFILE),
      ...s3ClientConfigFor(
        env.SALDO_S3_ENDPOINT
          ? { endpoint: env.SALDO_S3_ENDPOINT, forcePathStyle: env.SALDO_S3_FORCE_PATH_STYLE === "true" }
          : undefined,
      ),
    },
    uploads: env.SALDO_BUCKET_NAME
      ? {
          bucketName: env.SALDO_BUCKET_NAME,
          expiresInSeconds: env.SALDO_UPLOAD_URL_SECONDS,
          maxBytes: env.SALDO_MAX_UPLOAD_BYTES,
        }
      : undefined,
    keyVault: { kind: "secrets-manager", prefix: env.SALDO_SECRET_PREFIX },
    ingestFunctionName: env.SALDO_INGEST_FUNCTION_NAME,
    connectors: env.SALDO_PLATFORM_KEYS_SECRET
      ? {
          "poweroffice-go": {
            baseUrl: env.SALDO_POWEROFFICE_GO_BASE_URL,
            ...(env.SALDO_POWEROFFICE_GO_REQUESTS_PER_SECOND !== undefined
              ? { requestsPerSecond: env.SALDO_POWEROFFICE_GO_REQUESTS_PER_SECOND }
              : {}),
          },
          tripletex: {
            baseUrl: env.SALDO_TRIPLETEX_BASE_URL,
            ...(env.SALDO_TRIPLETEX_REQUESTS_PER_SECOND !== undefined
              ? { requestsPerSecond: env.SALDO_TRIPLETEX_REQUESTS_PER_SECOND }
              : {}),
          },
          platformKeys: { source: "secrets-manager", secretId: env.SALDO_PLATFORM_KEYS_SECRET },
        }
      : undefined,
    ...(env.SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL !== undefined || env.SALDO_SYNC_QUEUE_TRIPLETEX_URL !== undefined
      ? {
          syncQueueUrls: {
            ...(env.SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL !== undefined
              ? { "poweroffice-go": env.SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL }
              : {}),
            ...(env.SALDO_SYNC_QUEUE_TRIPLETEX_URL !== undefined
              ? { tripletex: env.SALDO_SYNC_QUEUE_TRIPLETEX_URL }
              : {}),
          },
        }
      : {}),
    emitMetrics: true,
  }));

/** The function's configuration from its environment, validated once per container. */
export function readEnv(env: NodeJS.ProcessEnv): FunctionConfig {
  return FunctionEnvironmentSchema.parse(env);
}

/** A part of the configuration a function needs; its absence is a deployment error, reported at the first invocation. */
export function required<T>(value: T | undefined, variable: string, what: string): T {
  if (value === undefined) throw new Error(`${what} is not configured: set ${variable} in the function's environment`);
  return value;
}

/**
 * The Lambda entry point of a handler factory: `handler = lambdaEntry(createHandler)` builds the handler from
 * {@link readEnv}`(process.env)` once per container. In Lambda it is built when the module is loaded, as a
 * composition root at module scope would be (a bad configuration fails the cold start); anywhere else — the local
 * stack and the tests import the module for its `createHandler` and give their own configuration — on first use, so
 * that importing the module reads no environment.
 */
export function lambdaEntry<Event, Result, Ctx>(
  createHandler: (config: FunctionConfig) => (event: Event, context: Ctx) => Promise<Result>,
): (event: Event, context: Ctx) => Promise<Result> {
  let built: ((event: Event, context: Ctx) => Promise<Result>) | undefined;
  const build = () => (built ??= createHandler(readEnv(process.env)));
  if (process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined) build();
  return (event, context) => build()(event, context);
}
