import {
  CopyObjectCommand,
  GetObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { SourceFileMissingError, SourceUnavailableError } from "../imports/errors.ts";
import type { FileSource, OpenedFile } from "../imports/ports.ts";
import { REJECTED_PREFIX, UPLOADS_PREFIX } from "../imports/uploadKey.ts";

/**
 * Uploaded files in S3. `open` streams the object (never reads it whole); `keepRejected` copies a rejected upload
 * under `rejected/` with the reason in its metadata and leaves the original untouched — nothing is ever deleted.
 * S3 errors are translated: a missing object is permanent (SourceFileMissingError), anything else may pass
 * (SourceUnavailableError).
 */
export class S3FileSource implements FileSource {
  private readonly client: S3Client;

  constructor(options: { client?: S3Client; clientConfig?: S3ClientConfig } = {}) {
    this.client = options.client ?? new S3Client(options.clientConfig ?? {});
  }

  async open(location: { bucket: string; key: string; versionId?: string }): Promise<OpenedFile> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          ...(location.versionId ? { VersionId: location.versionId } : {}),
        }),
      );
      if (!response.Body) throw new SourceFileMissingError(location);
      return {
        body: translatingErrors(response.Body as AsyncIterable<Uint8Array>, location),
        ...(response.ContentLength !== undefined ? { size: response.ContentLength } : {}),
        ...(response.ETag ? { etag: response.ETag.replace(/"/g, "") } : {}),
        ...(response.VersionId ? { versionId: response.VersionId } : {}),
        ...(response.LastModified ? { lastModified: response.LastModified.toISOString() } : {}),
        // User metadata (x-amz-meta-*): the SDK gives the keys lower case, without the prefix.
        ...(response.Metadata && Object.keys(response.Metadata).length > 0
          ? { metadata: { ...response.Metadata } }
          : {}),
      };
    } catch (error) {
      throw translate(error, location);
    }
  }

  async keepRejected(location: { bucket: string; key: string; versionId?: string }, reason: string): Promise<string> {
    const relative = location.key.startsWith(UPLOADS_PREFIX) ? location.key.slice(UPLOADS_PREFIX.length) : location.key;
    const target = `${REJECTED_PREFIX}${relative}`;
    const source = `${location.bucket}/${encodeURIComponent(location.key).replace(/%2F/g, "/")}`;
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: location.bucket,
          Key: target,
          CopySource: location.versionId ? `${source}?versionId=${encodeURIComponent(location.versionId)}` : source,
          MetadataDirective: "REPLACE",
          // No tags from the source: copying them would need s3:GetObjectTagging and s3:PutObjectTagging.
          TaggingDirective: "REPLACE",
          // S3 metadata is ASCII: keep the reason readable but safe.
          Metadata: {
            "saldo-rejected-reason": encodeURIComponent(reason.slice(0, 1000)),
            "saldo-original-key": encodeURIComponent(location.key),
          },
        }),
      );
      return target;
    } catch (error) {
      throw translate(error, location);
    }
  }
}

/**
 * The object's body, with failures while it streams (a reset connection, a timeout mid-file) translated like those of
 * the request itself, so no raw SDK or socket error reaches the use case (STYLE.md §7).
 */
async function* translatingErrors(
  body: AsyncIterable<Uint8Array>,
  location: { bucket: string; key: string; versionId?: string },
): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    throw translate(error, location);
  }
}

function translate(error: unknown, location: { bucket: string; key: string; versionId?: string }): Error {
  if (error instanceof SourceFileMissingError) return error;
  if (
    error instanceof S3ServiceException &&
    (error.name === "NoSuchKey" || error.name === "NoSuchVersion" || error.$metadata.httpStatusCode === 404)
  ) {
    return new SourceFileMissingError(location, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SourceUnavailableError(`reading s3://${location.bucket}/${location.key} failed: ${message}`, {
    cause: error,
  });
}
