import { DEFAULT_TENANT_CLAIM } from "../../auth/verifyAccessToken.ts";
import {
  DEFAULT_RETENTION_DAYS,
  retryConfigFor,
  s3ClientConfigFor,
  type FunctionConfig,
  type RetryProfile,
} from "../../config/functionConfig.ts";
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
  /** As in the cloud: `api` for the API's functions (the default), `background` for the ingest function. */
  retryProfile?: RetryProfile;
}): FunctionConfig {
  const credentials = { ...LOCAL_CREDENTIALS };
  const retryProfile = options.retryProfile ?? "api";
  return {
    tableName: options.tableName,
    retentionSeconds: (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 24 * 60 * 60,
    tenantClaim: DEFAULT_TENANT_CLAIM,
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
    emitMetrics: false,
  };
}
