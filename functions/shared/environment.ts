import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { z } from "zod";

/**
 * The environment of saldo's functions, validated once at cold start. In the cloud, SST sets the names; locally the
 * stack (lib/local) and the tests set them and point the SDK at the emulators.
 */
export const IngestEnvironmentSchema = z
  .object({
    SALDO_TABLE_NAME: z.string().min(1),
    /** Days a superseded or failed import version is kept before DynamoDB TTL removes it. */
    SALDO_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
    /** Local emulators only: endpoints and S3 path-style addressing. */
    SALDO_DYNAMODB_ENDPOINT: z.url().optional(),
    SALDO_S3_ENDPOINT: z.url().optional(),
    SALDO_S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false"),
  })
  .transform((env) => ({
    tableName: env.SALDO_TABLE_NAME,
    retentionSeconds: env.SALDO_RETENTION_DAYS * 24 * 60 * 60,
    dynamoEndpoint: env.SALDO_DYNAMODB_ENDPOINT,
    s3Endpoint: env.SALDO_S3_ENDPOINT,
    s3ForcePathStyle: env.SALDO_S3_FORCE_PATH_STYLE === "true",
  }));
export type IngestEnvironment = z.infer<typeof IngestEnvironmentSchema>;

export function readIngestEnvironment(env: NodeJS.ProcessEnv): IngestEnvironment {
  return IngestEnvironmentSchema.parse(env);
}

/**
 * S3 client settings. Against a local emulator: path-style addressing, and checksums only when required —
 * otherwise streamed uploads are stored corrupted (the SDK's default trailing checksums).
 */
export function s3ClientConfig(env: IngestEnvironment): S3ClientConfig {
  if (!env.s3Endpoint) return {};
  return {
    endpoint: env.s3Endpoint,
    forcePathStyle: env.s3ForcePathStyle,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
}

/**
 * The sweeper's environment (functions/schedule/sweepImports.ts): the table, the retention of failed imports, and
 * the ingest function that re-queued imports are re-delivered to.
 */
export const SweeperEnvironmentSchema = z
  .object({
    SALDO_TABLE_NAME: z.string().min(1),
    SALDO_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
    SALDO_INGEST_FUNCTION_NAME: z.string().min(1),
  })
  .transform((env) => ({
    tableName: env.SALDO_TABLE_NAME,
    retentionSeconds: env.SALDO_RETENTION_DAYS * 24 * 60 * 60,
    ingestFunctionName: env.SALDO_INGEST_FUNCTION_NAME,
  }));
export type SweeperEnvironment = z.infer<typeof SweeperEnvironmentSchema>;
