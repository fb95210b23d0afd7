import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { z } from "zod";
import { DEFAULT_TENANT_CLAIM } from "../../../lib/auth/verifyAccessToken.ts";
import { DEFAULT_UPLOAD_URL_SECONDS, MAX_UPLOAD_BYTES } from "../../../lib/imports/requestUpload.ts";
import { EncryptedFileKeyVault } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import type { KeyVault } from "../../../lib/secrets/ports.ts";
import { SecretsManagerKeyVault } from "../../../lib/secrets/SecretsManagerKeyVault.ts";
import { DEFAULT_SECRET_PREFIX } from "../../../lib/secrets/secretName.ts";

/*
 * The environment of the HTTP API's functions, validated once per container (each handler file is its own
 * composition root and reads only the parts it needs). In the cloud infra/api.ts sets these; locally the local API
 * (lib/local/stack/localApi.ts) sets them before it loads the handler modules.
 */

/** Every API function: the table, and which claim names the tenant. */
export const ApiEnvironmentSchema = z
  .object({
    SALDO_TABLE_NAME: z.string().min(1),
    /** Local emulators only. */
    SALDO_DYNAMODB_ENDPOINT: z.url().optional(),
    SALDO_TENANT_CLAIM: z.string().min(1).default(DEFAULT_TENANT_CLAIM),
    /** Days a superseded import version is kept (activate). */
    SALDO_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
  })
  .transform((env) => ({
    tableName: env.SALDO_TABLE_NAME,
    dynamoEndpoint: env.SALDO_DYNAMODB_ENDPOINT,
    tenantClaim: env.SALDO_TENANT_CLAIM,
    retentionSeconds: env.SALDO_RETENTION_DAYS * 24 * 60 * 60,
  }));
export type ApiEnvironment = z.infer<typeof ApiEnvironmentSchema>;

export function readApiEnvironment(env: NodeJS.ProcessEnv): ApiEnvironment {
  return ApiEnvironmentSchema.parse(env);
}

/** DynamoDB client settings (an endpoint only against DynamoDB Local). */
export function dynamoClientConfig(env: ApiEnvironment): DynamoDBClientConfig {
  return env.dynamoEndpoint ? { endpoint: env.dynamoEndpoint } : {};
}

/** The upload function: the bucket URLs are signed for, the URL lifetime and the size limit. */
export const UploadEnvironmentSchema = z
  .object({
    SALDO_BUCKET_NAME: z.string().min(3),
    SALDO_S3_ENDPOINT: z.url().optional(),
    SALDO_S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false"),
    SALDO_UPLOAD_URL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(DEFAULT_UPLOAD_URL_SECONDS),
    SALDO_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(MAX_UPLOAD_BYTES),
  })
  .transform((env) => ({
    bucketName: env.SALDO_BUCKET_NAME,
    s3ClientConfig: (env.SALDO_S3_ENDPOINT
      ? { endpoint: env.SALDO_S3_ENDPOINT, forcePathStyle: env.SALDO_S3_FORCE_PATH_STYLE === "true" }
      : {}) satisfies S3ClientConfig,
    expiresInSeconds: env.SALDO_UPLOAD_URL_SECONDS,
    maxBytes: env.SALDO_MAX_UPLOAD_BYTES,
  }));

export function readUploadEnvironment(env: NodeJS.ProcessEnv): z.infer<typeof UploadEnvironmentSchema> {
  return UploadEnvironmentSchema.parse(env);
}

/**
 * Where integration keys live: Secrets Manager in the cloud (names `${SALDO_SECRET_PREFIX}/{tenant}/{client}/{system}`),
 * an AES-GCM file store locally (`SALDO_KEY_VAULT=file`, `SALDO_KEY_VAULT_DIR`), since no Secrets Manager emulator exists.
 */
export const KeyVaultEnvironmentSchema = z
  .object({
    SALDO_KEY_VAULT: z.enum(["secrets-manager", "file"]).default("secrets-manager"),
    SALDO_KEY_VAULT_DIR: z.string().min(1).optional(),
    SALDO_SECRET_PREFIX: z.string().min(1).default(DEFAULT_SECRET_PREFIX),
  })
  .refine((env) => env.SALDO_KEY_VAULT !== "file" || env.SALDO_KEY_VAULT_DIR !== undefined, {
    message: "SALDO_KEY_VAULT=file needs SALDO_KEY_VAULT_DIR",
    path: ["SALDO_KEY_VAULT_DIR"],
  });

/** The key vault the environment names (created once, at module scope, by the handler files that need it). */
export function createKeyVault(env: NodeJS.ProcessEnv): KeyVault {
  const settings = KeyVaultEnvironmentSchema.parse(env);
  if (settings.SALDO_KEY_VAULT === "file") return new EncryptedFileKeyVault({ directory: settings.SALDO_KEY_VAULT_DIR! });
  return new SecretsManagerKeyVault({ prefix: settings.SALDO_SECRET_PREFIX });
}
