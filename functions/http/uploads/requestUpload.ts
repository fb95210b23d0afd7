import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DynamoEngagementStore } from "../../../lib/store/DynamoEngagementStore.ts";
import { dynamoClientConfig, readApiEnvironment, readUploadEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { requestUpload } from "../../../lib/imports/requestUpload.ts";
import { S3UploadUrlSigner } from "../../../lib/store/S3UploadUrlSigner.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const engagementStore = new DynamoEngagementStore({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });
const uploads = readUploadEnvironment(process.env);
const signer = new S3UploadUrlSigner({ bucket: uploads.bucketName, clientConfig: uploads.s3ClientConfig });

/** `POST …/engagements/{engagementId}/uploads`: a presigned PUT URL; the upload's S3 event then runs the import. */
export const handler = httpHandler(
  ROUTES.requestUpload,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path, body }) => ({
    status: 201,
    body: await requestUpload(
      { engagementStore, signer, maxBytes: uploads.maxBytes, expiresInSeconds: uploads.expiresInSeconds },
      { tenantId: principal.tenantId, ...path, ...body },
    ),
  }),
);
