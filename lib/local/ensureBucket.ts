import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  S3ServiceException,
  type S3Client,
} from "@aws-sdk/client-s3";
import { LocalResourceError } from "./errors.ts";

/**
 * Creates the bucket `name` unless it exists already; safe to call on every start and from concurrent processes.
 *
 * @returns whether this call created it.
 * @throws LocalResourceError `BUCKET_SETUP_FAILED` when the emulator (or S3) refuses.
 */
export async function ensureBucket(s3Client: S3Client, name: string): Promise<{ created: boolean }> {
  try {
    await s3Client.send(new HeadBucketCommand({ Bucket: name }));
    return { created: false };
  } catch (error) {
    if (!isNotFound(error)) throw setupFailed(name, error);
  }
  try {
    // Outside us-east-1, S3 wants the region restated in the request body (and s3rver accepts it).
    const region = await s3Client.config.region();
    await s3Client.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(region === "us-east-1"
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    return { created: true };
  } catch (error) {
    // Another process created it between our HEAD and CREATE.
    if (error instanceof S3ServiceException && error.name === "BucketAlreadyOwnedByYou") return { created: false };
    if (error instanceof S3ServiceException && error.name === "BucketAlreadyExists") return { created: false };
    throw setupFailed(name, error);
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === "NotFound" || error.name === "NoSuchBucket" || error.$metadata.httpStatusCode === 404)
  );
}

function setupFailed(name: string, cause: unknown): LocalResourceError {
  const detail = cause instanceof Error ? cause.message || cause.name : String(cause);
  return new LocalResourceError("BUCKET_SETUP_FAILED", `Could not create the bucket "${name}": ${detail}`, {
    cause,
    context: { bucket: name },
  });
}

/**
 * Lets browsers on `origins` PUT files straight into the bucket with presigned URLs (the web console's uploads), as
 * infra/api.ts configures the uploads bucket in the cloud: `PUT` with the signed headers, `ETag` exposed.
 * Replaces any earlier CORS configuration; no origins removes it.
 *
 * @throws LocalResourceError `BUCKET_SETUP_FAILED` when the emulator refuses.
 */
export async function ensureBucketCors(s3Client: S3Client, name: string, origins: readonly string[]): Promise<void> {
  try {
    if (origins.length === 0) {
      await s3Client.send(new DeleteBucketCorsCommand({ Bucket: name }));
      return;
    }
    await s3Client.send(
      new PutBucketCorsCommand({
        Bucket: name,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: [...origins],
              AllowedMethods: ["PUT"],
              AllowedHeaders: ["*"],
              ExposeHeaders: ["ETag"],
              MaxAgeSeconds: 600,
            },
          ],
        },
      }),
    );
  } catch (error) {
    throw setupFailed(name, error);
  }
}
