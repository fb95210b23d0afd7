import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import type { ConnectorsConfig } from "./connectorsConfig.ts";

/**
 * How hard the AWS SDK retries a failed request (throttling, a 5xx, a broken connection): the one retry layer of
 * saldo's AWS requests, configured on the clients (`maxAttempts`, `retryMode`). Each function names its profile
 * (`SALDO_RETRY_PROFILE`, set by infra/; the local stack chooses in code):
 *
 * - `api`: a person is waiting and API Gateway stops waiting after 30 s — 3 attempts, then the request fails
 *   (503 `SERVICE_UNAVAILABLE`, retry later) instead of hanging on a throttled table;
 * - `background` (ingest, sweeper): nobody waits and giving up fails an import — 10 attempts with the SDK's
 *   `adaptive` mode, which also slows the client's own request rate while DynamoDB throttles it.
 */
export const RETRY_PROFILES = {
  api: { maxAttempts: 3, retryMode: "standard" },
  background: { maxAttempts: 10, retryMode: "adaptive" },
} as const satisfies Record<string, { maxAttempts: number; retryMode: "standard" | "adaptive" }>;

/** A function's retry profile (see {@link RETRY_PROFILES}). */
export type RetryProfile = keyof typeof RETRY_PROFILES;

/** The SDK client settings of a retry profile, for every AWS client a function creates. */
export function retryConfigFor(profile: RetryProfile): { maxAttempts: number; retryMode: "standard" | "adaptive" } {
  return { ...RETRY_PROFILES[profile] };
}

/** Days a superseded, held or failed import version is kept when nothing else is configured. */
export const DEFAULT_RETENTION_DAYS = 400;

/**
 * The configuration every function's `createHandler(config)` takes (functions/). In the cloud it is read from the
 * function's environment (`readEnv` in functions/shared/environment.ts; infra/ sets the variables); the local stack
 * (lib/local/stack) builds it itself, pointing the SDK clients at the emulators and the key vault at an encrypted
 * file store — no environment variable involved. It lives in lib/ so that the local stack can build it.
 */
export interface FunctionConfig {
  tableName: string;
  /** Seconds a superseded, held or failed import version is kept before DynamoDB TTL removes it. */
  retentionSeconds: number;
  /** The JWT claim that names the tenant (API functions). */
  tenantClaim: string;
  /** How hard the AWS SDK retries (see {@link RETRY_PROFILES}); already part of the client configurations below. */
  retryProfile: RetryProfile;
  /** Settings of every DynamoDB client (an endpoint, region and credentials only against DynamoDB Local). */
  dynamoClientConfig: DynamoDBClientConfig;
  /** Settings of every S3 client and URL signer (see {@link s3ClientConfigFor}). */
  s3ClientConfig: S3ClientConfig;
  /** The bucket uploads are signed for, the URL lifetime and the size limit (the upload function only). */
  uploads: { bucketName: string; expiresInSeconds: number; maxBytes: number } | undefined;
  /** Where integration keys live. Only the local stack can choose the encrypted file store: the environment cannot. */
  keyVault: { kind: "secrets-manager"; prefix: string } | { kind: "encrypted-file"; directory: string };
  /** The ingest function the sweeper re-delivers re-queued imports to (the sweeper only). */
  ingestFunctionName: string | undefined;
  /**
   * The accounting-system connectors (lib/connectors/registry.ts builds them from this) and where saldo's platform
   * keys come from. Absent: no connector, so no sync (`SYNC_NOT_CONNECTED`, reason `no-connector`).
   */
  connectors: ConnectorsConfig | undefined;
  /**
   * The sync queue of each accounting system (SQS, infra/schedule.ts): where the API's sync route, the schedule's
   * fan-out and the sweeper hand queued syncs (SqsSyncDispatcher), for the system's sync worker to run. Absent: the
   * function cannot hand a sync over (a deployment error, named at the first sync).
   */
  syncQueueUrls?: Partial<Record<"poweroffice-go" | "tripletex", string>>;
  /**
   * Settings of the SQS client that sends to them: AWS's defaults, or — in the local stack — its own SQS endpoint
   * (lib/local/stack/sqsSendMessageRoute.ts), whose in-process queues run the same worker handler.
   */
  sqsClientConfig?: SQSClientConfig;
  /** Whether the handlers publish CloudWatch metrics (EMF log lines). Off in the local stack. */
  emitMetrics: boolean;
}

/**
 * The one S3 client configuration: AWS's defaults, or — against an emulator at `endpoint` — path-style addressing if
 * asked for, and checksums only when required (otherwise the SDK's default trailing checksums make s3rver store
 * streamed uploads with their chunk headers, and presigned URLs carry checksum parameters it cannot check).
 */
export function s3ClientConfigFor(emulator: { endpoint: string; forcePathStyle: boolean } | undefined): S3ClientConfig {
  if (!emulator) return {};
  return {
    endpoint: emulator.endpoint,
    forcePathStyle: emulator.forcePathStyle,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
}
