import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type S3rver from "s3rver";

/*
 * s3rver keeps each object as files named after its key under the data folder (`<bucket>/<key>._S3rver_object`,
 * `._S3rver_metadata.json`, `._S3rver_object.md5`), without checking the key: a `..` segment reaches outside the
 * bucket (and outside the data folder), and a segment longer than the file system allows makes its unguarded write
 * stream emit an 'error' nobody listens to, which ends the whole process (the local stack with it). This module is
 * the guard around it: requests whose bucket or key could do either are refused before s3rver sees them, the store
 * refuses any path outside the bucket's folder, and object writes handle their errors (a 500 to the client, never a
 * crash). Written against s3rver 3.7 (package-lock.json pins it); the parts it touches are typed in types/s3rver.d.ts.
 */

/** S3's own limit on a key: 1 024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/** Longest suffix s3rver appends to a key's last segment (`._S3rver_metadata.json`), in bytes. */
const LONGEST_SUFFIX_BYTES = "._S3rver_metadata.json".length;

/** File systems' limit on one name (ext4, APFS, NTFS): 255 bytes. */
const MAX_NAME_BYTES = 255;

/** The longest key segment the emulator can store: 233 bytes. */
export const MAX_LOCAL_SEGMENT_BYTES = MAX_NAME_BYTES - LONGEST_SUFFIX_BYTES;

/** S3 bucket names (lower case, digits, `.` and `-`, 3–63 characters), without `..`. */
const BUCKET_NAME = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Why the local emulator refuses an object key: S3's error code and a message; undefined when it can store it. */
export interface KeyRefusal {
  code: "KeyTooLongError" | "InvalidArgument";
  message: string;
}

/**
 * Whether the local S3 emulator can store an object under `key` without leaving the bucket's folder or failing on a
 * file name: at most 1 024 bytes (as S3), no `.` or `..` segment, no `\` or NUL, and no segment longer than 233
 * bytes (the file system's 255 less s3rver's suffix). Real S3 stores such keys; saldo's own uploads never make them
 * (lib/imports/uploadKey.ts FileNameSchema).
 */
export function localKeyRefusal(key: string): KeyRefusal | undefined {
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) {
    return {
      code: "KeyTooLongError",
      message: `Your key is too long: keys are at most ${MAX_KEY_BYTES} bytes of UTF-8`,
    };
  }
  if (/[\\\0]/.test(key)) {
    return {
      code: "InvalidArgument",
      message: "saldo's local S3 refuses keys with '\\' or NUL: they are not portable file names",
    };
  }
  const segments = key.split("/");
  if (segments.some((segment) => segment === "." || segment === "..")) {
    return {
      code: "InvalidArgument",
      message: "saldo's local S3 refuses keys with '.' or '..' segments: they would leave the bucket's folder",
    };
  }
  if (segments.some((segment) => Buffer.byteLength(segment, "utf8") > MAX_LOCAL_SEGMENT_BYTES)) {
    return {
      code: "KeyTooLongError",
      message: `saldo's local S3 stores each key segment as a file name: segments are at most ${MAX_LOCAL_SEGMENT_BYTES} bytes of UTF-8 here`,
    };
  }
  return undefined;
}

/** s3rver's own error class (rendered as S3's XML error with the right status). */
interface S3ErrorConstructor {
  new (code: string, message: string, detail?: Record<string, string>): Error;
}
const S3Error = createRequire(import.meta.url)("s3rver/lib/models/error.js") as S3ErrorConstructor;

/** The parts of s3rver's FilesystemStore the guard wraps. */
interface GuardedStore {
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key?: string, resource?: string): string;
  putObject(object: {
    bucket: string;
    key: string;
    content: Buffer | Readable;
    metadata: Record<string, unknown>;
  }): Promise<{ size: number; md5: string }>;
  putPart(
    bucket: string,
    uploadId: string,
    partNumber: number,
    content: Readable,
  ): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5?: string): Promise<void>;
}

/**
 * Puts the guard around an s3rver instance before it starts listening: a first middleware refusing requests whose
 * bucket or key (path, or `x-amz-copy-source`) {@link localKeyRefusal} refuses, with S3's XML error (400); store
 * paths checked to stay inside their bucket's folder (keys that arrive in bodies: POST form uploads, multi-object
 * deletes); object and part writes whose file errors become a 500 answer instead of ending the process.
 */
export function guardS3rver(server: S3rver, directory: string): void {
  server.middleware.unshift(async (context, next) => {
    const refusal = requestRefusal(context.path, context.get("x-amz-copy-source"));
    if (refusal) throw new S3Error(refusal.code, refusal.message);
    await next();
  });

  const store = server.store as unknown as GuardedStore;
  const bucketPath = store.getBucketPath.bind(store);
  const resourcePath = store.getResourcePath.bind(store);
  store.getBucketPath = (bucket) => {
    // Only what would leave the data folder: listing buckets reads every folder name there, valid bucket name or not.
    if (bucket === "" || bucket === "." || bucket === ".." || /[/\\\0]/.test(bucket)) {
      throw new S3Error("InvalidBucketName", "The specified bucket is not valid.");
    }
    return bucketPath(bucket);
  };
  store.getResourcePath = (bucket, key, resource) => {
    if (key !== undefined) {
      const refusal = localKeyRefusal(key);
      if (refusal) throw new S3Error(refusal.code, refusal.message);
    }
    const path = resourcePath(bucket, key, resource);
    const inside = relative(join(directory, bucket), path);
    if (inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
      throw new S3Error("InvalidArgument", "saldo's local S3 refuses keys that would leave the bucket's folder");
    }
    return path;
  };
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, "object");
    const { size, md5 } = await writeHashed(object.content, path);
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size, md5 };
  };
  store.putPart = async (bucket, uploadId, partNumber, content) => {
    const path = join(store.getResourcePath(bucket, undefined, "uploads"), uploadId, String(partNumber));
    const written = await writeHashed(content, path);
    await writeFile(`${path}.md5`, written.md5);
    return written;
  };
}

/** Why a request's path (`/bucket/key`, percent-encoded) or copy source must not reach s3rver, if it must not. */
function requestRefusal(
  path: string,
  copySource: string,
): KeyRefusal | { code: "InvalidBucketName" | "InvalidURI"; message: string } | undefined {
  for (const [where, raw] of [
    ["path", path.replace(/^\//, "")],
    ["copy source", copySource.replace(/^\//, "").replace(/\?versionId=.*$/, "")],
  ] as const) {
    if (raw === "") continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return {
        code: "InvalidURI",
        message: `Couldn't parse the specified URI: the ${where} is not valid percent-encoded UTF-8`,
      };
    }
    const slash = decoded.indexOf("/");
    const bucket = slash === -1 ? decoded : decoded.slice(0, slash);
    if (!BUCKET_NAME.test(bucket)) return { code: "InvalidBucketName", message: "The specified bucket is not valid." };
    if (slash !== -1) {
      const refusal = localKeyRefusal(decoded.slice(slash + 1));
      if (refusal) return refusal;
    }
  }
  return undefined;
}

/**
 * Streams `content` to a new file at `path`, computing its MD5 and size, as s3rver's store does — but with the
 * write stream's errors handled (ENOSPC, EACCES, EISDIR…): the promise rejects, the partial file is removed.
 */
async function writeHashed(content: Buffer | Readable, path: string): Promise<{ size: number; md5: string }> {
  await mkdir(dirname(path), { recursive: true });
  const hash = createHash("md5");
  let size = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    const source = Buffer.isBuffer(content) ? [content] : content;
    await pipeline(source, counting, createWriteStream(path));
  } catch (error) {
    await unlink(path).catch(() => undefined);
    throw error;
  }
  return { size, md5: hash.digest("hex") };
}
