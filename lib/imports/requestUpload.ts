import { getEngagement } from "../engagements/manageEngagements.ts";
import type { EngagementRef } from "../engagements/types.ts";
import { InvalidUploadError, UploadTooLargeError } from "./errors.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import { FileNameSchema, parseUploadKey, uploadKey } from "./uploadKey.ts";
import { uploadMetadataOf, type UploadOptions } from "./uploadOptions.ts";

/** The largest file a presigned upload URL is issued for: 2 GiB, the size the ingest function is sized for. */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/** How long an upload URL stays valid when not configured otherwise: 15 minutes. */
export const DEFAULT_UPLOAD_URL_SECONDS = 15 * 60;

/**
 * Signs single-PUT upload URLs for object keys of the uploads bucket (port; adapter: S3UploadUrlSigner). The size is
 * part of the signature, so the URL accepts exactly `contentLength` bytes.
 */
export interface UploadUrlSigner {
  signPut(request: {
    key: string;
    contentLength: number;
    contentType?: string;
    /** User metadata (keys without `x-amz-meta-`), signed as headers the PUT must carry. */
    metadata?: Record<string, string>;
    expiresInSeconds: number;
  }): Promise<{ url: string; headers: Record<string, string> }>;
}

/** A request to upload a file into an engagement. */
export interface UploadRequest extends EngagementRef {
  /** Becomes the last segment of the object key (no `/`). */
  fileName: string;
  /** Exact size in bytes of the file that will be PUT. */
  size: number;
  contentType?: string;
  /** How to read the file (CSV layout, encoding): travels with the upload as signed object metadata. */
  layout?: UploadOptions["layout"];
  encoding?: UploadOptions["encoding"];
  /** `opening`: the file gives the engagement's opening balances (source plans); travels as object metadata too. */
  role?: UploadOptions["role"];
}

/** Where and how to upload: PUT the file's bytes to `uploadUrl` with `headers`, before `expiresAt`. */
export interface UploadTicket {
  uploadUrl: string;
  method: "PUT";
  /**
   * Headers the PUT must carry because they are signed: `content-type` when one was given, and the
   * `x-amz-meta-saldo-…` headers of a layout or encoding.
   */
  headers: Record<string, string>;
  /** `uploads/{tenantId}/{clientId}/{engagementId}/{fileName}`: the object-created event of this key starts the import. */
  key: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** Dependencies of {@link requestUpload}. */
export interface RequestUploadDeps {
  engagementStore: EngagementStore;
  signer: UploadUrlSigner;
  now?: () => Date;
  maxBytes?: number;
  expiresInSeconds?: number;
}

/**
 * The part of {@link checkUpload} that needs no store: the size limit and the file name. `saldo upload` runs it before
 * it creates a client or an engagement for the file.
 *
 * @throws UploadTooLargeError, InvalidUploadError
 */
export function checkUploadFile(
  deps: Pick<RequestUploadDeps, "maxBytes">,
  file: { fileName: string; size: number },
): void {
  const limit = deps.maxBytes ?? MAX_UPLOAD_BYTES;
  if (file.size > limit) throw new UploadTooLargeError(file.size, limit);
  const name = FileNameSchema.safeParse(file.fileName);
  if (!name.success) {
    throw new InvalidUploadError(
      `"${file.fileName}" cannot be the name of an upload: ${name.error.issues[0]?.message ?? "invalid"}`,
    );
  }
}

/**
 * The checks every upload goes through, whatever its entry point (`POST …/uploads` before signing a URL, `saldo
 * upload` before its PUT): the size limit, the engagement (its client live, both the tenant's), and a file name that
 * can be the last segment of an upload key ({@link FileNameSchema}). Returns the object key.
 *
 * @throws UploadTooLargeError, ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids),
 * InvalidUploadError.
 */
export async function checkUpload(
  deps: Pick<RequestUploadDeps, "engagementStore" | "maxBytes">,
  request: Omit<UploadRequest, "contentType">,
): Promise<string> {
  checkUploadFile(deps, request);
  await getEngagement(deps, request);
  const key = uploadKey(request);
  const parsed = parseUploadKey(key);
  if (!parsed.ok || parsed.value.fileName !== request.fileName) {
    throw new InvalidUploadError(`"${request.fileName}" cannot be used as a file name in an upload key`);
  }
  return key;
}

/**
 * Issues a presigned PUT URL for a file of an engagement, after {@link checkUpload}. The upload itself then takes the
 * same path as every other upload (issue #3): the bucket's object-created event runs the import. Nothing is recorded
 * here; an URL never used simply expires.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError (also for another tenant's ids), UploadTooLargeError,
 * InvalidUploadError, UploadSigningError.
 */
export async function requestUpload(deps: RequestUploadDeps, request: UploadRequest): Promise<UploadTicket> {
  const key = await checkUpload(deps, request);
  const expiresInSeconds = deps.expiresInSeconds ?? DEFAULT_UPLOAD_URL_SECONDS;
  const now = (deps.now ?? (() => new Date()))();
  const metadata = uploadMetadataOf({
    ...(request.layout !== undefined ? { layout: request.layout } : {}),
    ...(request.encoding !== undefined ? { encoding: request.encoding } : {}),
    ...(request.role !== undefined ? { role: request.role } : {}),
  });
  const signed = await deps.signer.signPut({
    key,
    contentLength: request.size,
    expiresInSeconds,
    ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  });
  return {
    uploadUrl: signed.url,
    method: "PUT",
    headers: signed.headers,
    key,
    expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString(),
  };
}
