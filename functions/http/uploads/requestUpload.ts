import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry, required } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { requestUpload } from "../../../lib/imports/requestUpload.ts";
import { S3UploadUrlSigner } from "../../../lib/store/S3UploadUrlSigner.ts";

/** `POST …/engagements/{engagementId}/uploads`: a presigned PUT URL; the upload's S3 event then runs the import. */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  const uploads = required(config.uploads, "SALDO_BUCKET_NAME", "the uploads bucket");
  const signer = new S3UploadUrlSigner({ bucket: uploads.bucketName, clientConfig: config.s3ClientConfig });
  return httpHandler(ROUTES.requestUpload, config, async ({ principal, path, body }) => ({
    status: 201,
    body: await requestUpload(
      { engagementStore, signer, maxBytes: uploads.maxBytes, expiresInSeconds: uploads.expiresInSeconds },
      { tenantId: principal.tenantId, ...path, ...body },
    ),
  }));
}

export const handler = lambdaEntry(createHandler);
