import { DEFAULT_TENANT_CLAIM } from "../../auth/verifyAccessToken.ts";
import type { ConnectorsConfig } from "../../config/connectorsConfig.ts";
import {
  DEFAULT_RETENTION_DAYS,
  retryConfigFor,
  s3ClientConfigFor,
  type FunctionConfig,
  type RetryProfile,
} from "../../config/functionConfig.ts";
import {
  DEMO_POWEROFFICE_APPLICATION_KEY,
  DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
  DEMO_TRIPLETEX_CONSUMER_TOKEN,
} from "../fakes/demoPlatformKeys.ts";
import { DEFAULT_UPLOAD_URL_SECONDS, MAX_UPLOAD_BYTES } from "../../imports/requestUpload.ts";
import { localKeyVaultDirectory } from "../../secrets/EncryptedFileKeyVault.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../localClients.ts";

/**
 * The configuration the local stack gives every function's `createHandler` (the cloud reads it from the function's
 * environment): the SDK clients pointed at the emulators with the credentials and region they accept (s3rver checks
 * SigV4 signatures against its one built-in account), the uploads bucket, the encrypted file key vault in
 * `${dataDir}/secrets` (no Secrets Manager emulator exists; a deployment cannot select it), and no CloudWatch metrics.
 */
export function localFunctionConfig(options: {
  dataDir: string;
  tableName: string;
  bucketName: string;
  dynamoDbEndpoint: string;
  s3Endpoint: string;
  retentionDays?: number;
  /**
   * Where the fakes listen (lib/local/fakes): each system given gets a connector, with the demo platform keys the
   * fakes accept. Absent: no connectors.
   */
  fakes?: { powerOfficeGoBaseUrl?: string; tripletexBaseUrl?: string };
  /**
   * The stack's SQS endpoint (lib/local/stack/sqsSendMessageRoute.ts) and its sync queues' URLs: the API's sync
   * route, the schedule's fan-out and the sweeper send syncs there with the same SqsSyncDispatcher as in the cloud,
   * and the stack's in-process queues run them with the sync worker's handler. Absent: no sync queues.
   */
  syncQueues?: { endpoint: string; urls: Partial<Record<"poweroffice-go" | "tripletex", string>> };
  /** As in the cloud: `api` for the API's functions (the default), `background` for the ingest function. */
  retryProfile?: RetryProfile;
  /** The claim naming the tenant (SALDO_TENANT_CLAIM in the cloud); default `saldo:tenant`. */
  tenantClaim?: string;
}): FunctionConfig {
  const credentials = { ...LOCAL_CREDENTIALS };
  const retryProfile = options.retryProfile ?? "api";
  return {
    tableName: options.tableName,
    retentionSeconds: (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 24 * 60 * 60,
    tenantClaim: options.tenantClaim ?? DEFAULT_TENANT_CLAIM,
    retryProfile,
    dynamoClientConfig: {
      ...retryConfigFor(retryProfile),
      endpoint: options.dynamoDbEndpoint,
      region: LOCAL_REGION,
      credentials,
    },
    s3ClientConfig: {
      ...retryConfigFor(retryProfile),
      ...s3ClientConfigFor({ endpoint: options.s3Endpoint, forcePathStyle: true }),
      region: LOCAL_REGION,
      credentials,
    },
    uploads: {
      bucketName: options.bucketName,
      expiresInSeconds: DEFAULT_UPLOAD_URL_SECONDS,
      maxBytes: MAX_UPLOAD_BYTES,
    },
    keyVault: { kind: "encrypted-file", directory: localKeyVaultDirectory(options.dataDir) },
    ingestFunctionName: undefined,
    connectors: options.fakes === undefined ? undefined : localConnectorsConfig(options.fakes),
    // Locally a sync runs in the stack's process (its in-process queues and the worker's handler), reached through
    // its SQS endpoint.
    ...(options.syncQueues !== undefined
      ? {
          syncQueueUrls: { ...options.syncQueues.urls },
          sqsClientConfig: { endpoint: options.syncQueues.endpoint, region: LOCAL_REGION, credentials },
        }
      : {}),
    emitMetrics: false,
  };
}

/** The connectors of the local stack: the fakes' URLs and the fixed demo platform keys they accept. */
export function localConnectorsConfig(fakes: {
  powerOfficeGoBaseUrl?: string;
  tripletexBaseUrl?: string;
}): ConnectorsConfig {
  return {
    ...(fakes.powerOfficeGoBaseUrl !== undefined ? { "poweroffice-go": { baseUrl: fakes.powerOfficeGoBaseUrl } } : {}),
    ...(fakes.tripletexBaseUrl !== undefined ? { tripletex: { baseUrl: fakes.tripletexBaseUrl } } : {}),
    platformKeys: {
      source: "fixed",
      keys: {
        "poweroffice-go": {
          applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
          subscriptionKey: DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
        },
        tripletex: { consumerToken: DEMO_TRIPLETEX_CONSUMER_TOKEN },
      },
    },
  };
}
