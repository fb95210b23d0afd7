import { PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { UploadSigningError } from "../imports/errors.ts";
import type { UploadUrlSigner } from "../imports/requestUpload.ts";

/**
 * Presigned S3 PUT URLs (SigV4 query authentication) for the uploads bucket.
 *
 * - `content-length` (and `content-type` when given) are signed headers, so S3 refuses a body of another size than
 *   the one the API allowed (SignatureDoesNotMatch), which is what makes the size limit hold.
 * - User metadata (`x-amz-meta-saldo-…`: how to read the file) is signed as headers too, and answered in `headers`:
 *   the PUT must carry exactly those values.
 * - The client computes checksums only when required: since SDK v3.729 the default adds an `x-amz-checksum-crc32`
 *   of the *empty* body to presigned PUT URLs, which S3 then refuses for the real body.
 */
export class S3UploadUrlSigner implements UploadUrlSigner {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: { bucket: string; client?: S3Client; clientConfig?: S3ClientConfig }) {
    this.bucket = options.bucket;
    this.client =
      options.client ??
      new S3Client({
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        ...options.clientConfig,
      });
  }

  async signPut(request: {
    key: string;
    contentLength: number;
    contentType?: string;
    metadata?: Record<string, string>;
    expiresInSeconds: number;
  }): Promise<{ url: string; headers: Record<string, string> }> {
    const metadata = request.metadata ?? {};
    const metadataHeaders = Object.fromEntries(
      Object.entries(metadata).map(([name, value]) => [`x-amz-meta-${name.toLowerCase()}`, value]),
    );
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: request.key,
      ContentLength: request.contentLength,
      ...(request.contentType === undefined ? {} : { ContentType: request.contentType }),
      ...(Object.keys(metadata).length > 0 ? { Metadata: metadata } : {}),
    });
    try {
      const url = await getSignedUrl(this.client, command, {
        expiresIn: request.expiresInSeconds,
        signableHeaders: new Set(["content-length", "content-type", ...Object.keys(metadataHeaders)]),
        // Left as signed headers rather than hoisted into the query: the PUT must carry exactly this metadata.
        unhoistableHeaders: new Set(Object.keys(metadataHeaders)),
      });
      return {
        url,
        headers: {
          ...(request.contentType === undefined ? {} : { "content-type": request.contentType }),
          ...metadataHeaders,
        },
      };
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new UploadSigningError(`could not sign an upload URL (${detail})`, { cause: error });
    }
  }
}
