import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Transform } from "node:stream";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { z } from "zod";
import { UploadInterruptedError, UploadTransferError } from "./errors.ts";

/** 8 MiB parts: a 2 GiB file makes 256 parts, well inside S3's 10 000, and 4 in flight hold 32 MiB. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** S3 refuses parts below 5 MiB (all but the last); the command line holds to it, tests of the module may not. */
export const MIN_S3_PART_SIZE = 5 * 1024 * 1024;
/** S3's limit on the number of parts of one upload. */
export const MAX_PARTS = 10_000;
/** Parts sent at the same time. */
export const DEFAULT_PART_CONCURRENCY = 4;

/** What to upload, where, and how. */
export interface FileUploadOptions {
  s3: S3Client;
  bucket: string;
  key: string;
  /** The local file, and what `stat` says of it: an unfinished upload resumes only for the same size and mtime. */
  path: string;
  size: number;
  mtimeMs: number;
  /** Bytes per part (the last may be smaller); a file no larger than one part goes in one PutObject. */
  partSize?: number;
  /** Parts in flight at once (default 4). */
  concurrency?: number;
  /** Folder of the resume records (one small JSON file per unfinished upload). */
  stateDir: string;
  /** Called with the bytes stored so far (parts found from an earlier run included) whenever it grows. */
  onProgress?: (bytesSent: number) => void;
  /** Stops starting parts; the parts in flight finish and are recorded, then it throws UploadInterruptedError. */
  signal?: AbortSignal;
  /** S3 object metadata (`x-amz-meta-…`): how to read the file travels with it (the import reads it). */
  metadata?: Record<string, string>;
}

/** How the file went up. */
export interface FileUploadResult {
  /** The object's ETag without quotes (a multipart upload's is `md5-of-part-md5s-N`). */
  etag?: string;
  versionId?: string;
  /** 0 for a single PutObject. */
  parts: number;
  /** Parts an earlier, interrupted run had stored and this run reused. */
  resumedParts: number;
  /** Parts this run sent. */
  sentParts: number;
}

/**
 * The record of an unfinished multipart upload, kept in `stateDir` after every stored part. It is read back from
 * disk (a trust boundary: it may be stale or edited), so it is validated; anything that does not match the file and
 * target of this run is ignored and a new upload begins.
 */
const ResumeRecordSchema = z.strictObject({
  v: z.literal(1),
  bucket: z.string(),
  key: z.string(),
  path: z.string(),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  partSize: z.number().int().positive(),
  uploadId: z.string().min(1),
  parts: z.array(
    z.strictObject({
      partNumber: z.number().int().min(1).max(MAX_PARTS),
      etag: z.string().min(1),
      /** MD5 of the part's bytes (hex), checked against the file again before the part is reused. */
      md5: z.string().regex(/^[0-9a-f]{32}$/),
    }),
  ),
});
type ResumeRecord = z.infer<typeof ResumeRecordSchema>;
type StoredPart = ResumeRecord["parts"][number];

/**
 * Puts a local file to S3: one streamed PutObject when it fits in one part, otherwise a multipart upload whose parts
 * go up `concurrency` at a time. A multipart upload is resumable: after every part, what is stored is recorded in
 * `stateDir` (keyed by bucket, key, file path, size, mtime and part size); running it again for the same file and
 * target continues that upload and sends only the parts it lacks. Before a recorded part is reused, its bytes in the
 * file are hashed again and must match, and where the service can list the upload's parts (S3 can, the local
 * emulator cannot) they must be listed with the same ETag; an upload the service no longer knows starts over.
 *
 * @throws UploadInterruptedError when `signal` stopped it (what was stored is kept for the next run)
 * @throws UploadTransferError when S3 refused or failed a request (what was stored is kept for the next run)
 */
export async function uploadFileToS3(options: FileUploadOptions): Promise<FileUploadResult> {
  const partSize = options.partSize ?? Math.max(DEFAULT_PART_SIZE, Math.ceil(options.size / MAX_PARTS));
  if (options.size <= partSize) return putWhole(options);

  const partCount = Math.ceil(options.size / partSize);
  if (partCount > MAX_PARTS) {
    throw new UploadTransferError(
      `${partCount} parts of ${partSize} bytes are more than S3's ${MAX_PARTS}: use larger parts`,
    );
  }
  const recordPath = join(options.stateDir, `${recordName(options, partSize)}.json`);
  let record = await readRecord(recordPath, options, partSize);
  let reused: StoredPart[] = [];
  if (record !== undefined) {
    const listed = await listedParts(options, record);
    // Listed empty although parts were stored: the service no longer has the upload (aborted or expired).
    if (listed !== undefined && listed.size === 0 && record.parts.length > 0) record = undefined;
    else reused = await reusableParts(options, record, partSize, listed);
  }
  try {
    return await sendParts(options, partSize, partCount, recordPath, record, reused);
  } catch (error) {
    // The service forgot the upload (aborted, expired, or another emulator): begin again, once.
    if (record !== undefined && isNoSuchUpload(error))
      return sendParts(options, partSize, partCount, recordPath, undefined, []);
    throw error;
  }
}

async function sendParts(
  options: FileUploadOptions,
  partSize: number,
  partCount: number,
  recordPath: string,
  existing: ResumeRecord | undefined,
  reused: readonly StoredPart[],
): Promise<FileUploadResult> {
  const { s3, bucket, key } = options;
  let record = existing;
  if (record === undefined) {
    const created = await send(
      () => s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...metadataOf(options) })),
      "start the multipart upload",
    );
    if (!created.UploadId) throw new UploadTransferError("S3 started the multipart upload without an upload id");
    record = {
      v: 1,
      bucket,
      key,
      path: resolve(options.path),
      size: options.size,
      mtimeMs: options.mtimeMs,
      partSize,
      uploadId: created.UploadId,
      parts: [],
    };
  } else {
    record = { ...record, parts: [...reused] };
  }
  const current = record;
  await mkdir(options.stateDir, { recursive: true });
  await writeRecord(recordPath, current);

  const done = new Map<number, StoredPart>(current.parts.map((part) => [part.partNumber, part]));
  const partBytes = (partNumber: number) => Math.min(partSize, options.size - (partNumber - 1) * partSize);
  let sent = [...done.keys()].reduce((sum, partNumber) => sum + partBytes(partNumber), 0);
  options.onProgress?.(sent);

  const missing = Array.from({ length: partCount }, (_, index) => index + 1).filter(
    (partNumber) => !done.has(partNumber),
  );
  let saving = Promise.resolve();
  let failure: unknown;
  let next = 0;
  const worker = async () => {
    while (next < missing.length && failure === undefined && !options.signal?.aborted) {
      const partNumber = missing[next++]!;
      try {
        const body = await readPart(options.path, (partNumber - 1) * partSize, partBytes(partNumber));
        const md5 = createHash("md5").update(body).digest();
        const answer = await send(
          () =>
            s3.send(
              new UploadPartCommand({
                Bucket: bucket,
                Key: key,
                UploadId: current.uploadId,
                PartNumber: partNumber,
                Body: body,
                ContentLength: body.length,
                ContentMD5: md5.toString("base64"),
              }),
            ),
          `store part ${partNumber} of ${partCount}`,
        );
        const part = {
          partNumber,
          etag: (answer.ETag ?? md5.toString("hex")).replace(/"/g, ""),
          md5: md5.toString("hex"),
        };
        done.set(partNumber, part);
        sent += body.length;
        options.onProgress?.(sent);
        // Recorded in part order, one write at a time, so the record on disk is always whole.
        saving = saving.then(() =>
          writeRecord(recordPath, {
            ...current,
            parts: [...done.values()].sort((a, b) => a.partNumber - b.partNumber),
          }),
        );
        await saving;
      } catch (error) {
        failure ??= error;
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_PART_CONCURRENCY, missing.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  await saving;
  if (failure !== undefined) throw failure;
  if (done.size < partCount) {
    throw new UploadInterruptedError(
      `the upload was interrupted after ${done.size} of ${partCount} parts; run the same command again to resume it`,
    );
  }

  const completed = await send(
    () =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: current.uploadId,
          MultipartUpload: {
            Parts: [...done.values()]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map((part) => ({ PartNumber: part.partNumber, ETag: `"${part.etag}"` })),
          },
        }),
      ),
    "complete the multipart upload",
  );
  await rm(recordPath, { force: true });
  const etag = completed.ETag?.replace(/"/g, "");
  return {
    ...(etag ? { etag } : {}),
    ...(completed.VersionId ? { versionId: completed.VersionId } : {}),
    parts: partCount,
    resumedParts: reused.length,
    sentParts: missing.length,
  };
}

/** A file that fits in one part: one PutObject, streamed from disk, counting the bytes as they are read. */
async function putWhole(options: FileUploadOptions): Promise<FileUploadResult> {
  let sent = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      options.onProgress?.(sent);
      callback(null, chunk);
    },
  });
  const put = await send(
    () =>
      options.s3.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: options.key,
          Body: createReadStream(options.path).pipe(counting),
          ContentLength: options.size,
          ...metadataOf(options),
        }),
      ),
    "store the file",
  );
  const etag = put.ETag?.replace(/"/g, "");
  return {
    ...(etag ? { etag } : {}),
    ...(put.VersionId ? { versionId: put.VersionId } : {}),
    parts: 0,
    resumedParts: 0,
    sentParts: 0,
  };
}

/** The recorded parts whose bytes in the file are still the same and which the service (where it can say) still has. */
async function reusableParts(
  options: FileUploadOptions,
  record: ResumeRecord,
  partSize: number,
  listed: Map<number, string> | undefined,
): Promise<StoredPart[]> {
  const reusable: StoredPart[] = [];
  for (const part of record.parts) {
    if (listed !== undefined && listed.get(part.partNumber) !== part.etag) continue;
    const start = (part.partNumber - 1) * partSize;
    const body = await readPart(options.path, start, Math.min(partSize, options.size - start));
    if (createHash("md5").update(body).digest("hex") === part.md5) reusable.push(part);
  }
  return reusable;
}

/**
 * The parts S3 lists for the upload (number → ETag), or undefined where the service cannot list them (the local
 * emulator answers ListParts with 405/501) or the caller may not (403: the grant is optional, the MD5 check of each
 * recorded part still applies); an empty map when the upload is gone.
 */
async function listedParts(options: FileUploadOptions, record: ResumeRecord): Promise<Map<number, string> | undefined> {
  const listed = new Map<number, string>();
  let marker: string | undefined;
  try {
    do {
      const page = await options.s3.send(
        new ListPartsCommand({
          Bucket: record.bucket,
          Key: record.key,
          UploadId: record.uploadId,
          ...(marker === undefined ? {} : { PartNumberMarker: marker }),
        }),
      );
      for (const part of page.Parts ?? []) {
        if (part.PartNumber !== undefined && part.ETag) listed.set(part.PartNumber, part.ETag.replace(/"/g, ""));
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker !== undefined);
  } catch (error) {
    if (isNoSuchUpload(error)) return new Map();
    if (isNotSupported(error)) return undefined;
    throw new UploadTransferError(`S3 could not list the parts of the unfinished upload: ${describe(error)}`, {
      cause: error,
    });
  }
  return listed;
}

async function readRecord(
  path: string,
  options: FileUploadOptions,
  partSize: number,
): Promise<ResumeRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ResumeRecordSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const record = parsed.data;
  const same =
    record.bucket === options.bucket &&
    record.key === options.key &&
    record.path === resolve(options.path) &&
    record.size === options.size &&
    record.mtimeMs === options.mtimeMs &&
    record.partSize === partSize;
  return same ? record : undefined;
}

/** Written to a temporary file and renamed, so an interruption never leaves half a record. */
async function writeRecord(path: string, record: ResumeRecord): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(record), { mode: 0o600 });
  await rename(temporary, path);
}

function recordName(options: FileUploadOptions, partSize: number): string {
  return createHash("sha256")
    .update(
      JSON.stringify([options.bucket, options.key, resolve(options.path), options.size, options.mtimeMs, partSize]),
    )
    .digest("hex")
    .slice(0, 32);
}

async function readPart(path: string, start: number, length: number): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await file.read(buffer, filled, length - filled, start + filled);
      if (bytesRead === 0)
        throw new UploadTransferError(`${path} ended at byte ${start + filled}: it changed during the upload`);
      filled += bytesRead;
    }
    return buffer;
  } finally {
    await file.close();
  }
}

/** Runs one S3 request; SDK failures become UploadTransferError (their cause kept), as the CLI reports them. */
async function send<T>(request: () => Promise<T>, what: string): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new UploadTransferError(`S3 could not ${what}: ${describe(error)}`, { cause: error });
  }
}

function errorName(error: unknown): string | undefined {
  const inner = error instanceof UploadTransferError ? error.cause : error;
  return typeof inner === "object" && inner !== null && "name" in inner ? String(inner.name) : undefined;
}

function isNoSuchUpload(error: unknown): boolean {
  return errorName(error) === "NoSuchUpload";
}

function isNotSupported(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = errorName(error);
  return (
    status === 403 ||
    status === 405 ||
    status === 501 ||
    name === "NotImplemented" ||
    name === "MethodNotAllowed" ||
    name === "AccessDenied"
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`;
  return String(error);
}

function metadataOf(options: FileUploadOptions): { Metadata?: Record<string, string> } {
  return options.metadata !== undefined && Object.keys(options.metadata).length > 0
    ? { Metadata: options.metadata }
    : {};
}
