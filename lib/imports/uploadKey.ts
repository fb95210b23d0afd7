import { z } from "zod";
import { IdSchema } from "../ids/ids.ts";

/**
 * Longest file name of an upload, in UTF-8 bytes. File systems allow 255 bytes per name, and the local stack's S3
 * emulator stores each key segment as a file named after it plus a suffix of up to 22 bytes, so a longer name would
 * fail there (or, unguarded, take the stack down); 200 bytes holds any accounting export's name with room to spare,
 * and the same limit applies in the cloud so that no entry point behaves differently.
 */
export const MAX_FILE_NAME_BYTES = 200;

/**
 * The last segment of an upload key: 1–200 bytes of UTF-8, no `/` or `\`, no control characters, not `.` or `..`.
 * One rule for every entry point: the API's `POST …/uploads`, `saldo upload`, and keys dropped into the bucket by any
 * S3 client (the ingest pipeline rejects the others).
 */
export const FileNameSchema = z
  .string()
  .describe(`1–${MAX_FILE_NAME_BYTES} bytes of UTF-8; no '/', '\\' or control characters; not '.' or '..'`)
  .min(1, "must not be empty")
  .max(MAX_FILE_NAME_BYTES, {
    message: `at most ${MAX_FILE_NAME_BYTES} bytes in UTF-8 (æ, ø and å count as two)`,
    abort: true,
  })
  .refine((name) => Buffer.byteLength(name, "utf8") <= MAX_FILE_NAME_BYTES, {
    message: `at most ${MAX_FILE_NAME_BYTES} bytes in UTF-8 (æ, ø and å count as two)`,
    abort: true,
  })
  .regex(/^[^/\\\x00-\x1f\x7f]+$/, "no '/', '\\' or control characters")
  .refine((name) => name !== "." && name !== "..", "must not be '.' or '..'");

/** The prefix under which uploads are dropped: `uploads/{tenantId}/{clientId}/{engagementId}/{fileName}`. */
export const UPLOADS_PREFIX = "uploads/";

/** Where rejected uploads are copied for people to look at (never imported; the original stays in place). */
export const REJECTED_PREFIX = "rejected/";

export interface UploadKey {
  tenantId: string;
  clientId: string;
  engagementId: string;
  fileName: string;
}

/** Builds the object key for an upload. */
export function uploadKey(parts: UploadKey): string {
  return `${UPLOADS_PREFIX}${parts.tenantId}/${parts.clientId}/${parts.engagementId}/${parts.fileName}`;
}

/**
 * Reads `uploads/{tenantId}/{clientId}/{engagementId}/{fileName}`. Returns the reason when the key does not follow
 * the layout, so the upload can be rejected with it.
 */
export function parseUploadKey(key: string): { ok: true; value: UploadKey } | { ok: false; reason: string } {
  if (!key.startsWith(UPLOADS_PREFIX)) return { ok: false, reason: `the key does not start with "${UPLOADS_PREFIX}"` };
  const parts = key.slice(UPLOADS_PREFIX.length).split("/");
  if (parts.length !== 4) {
    return {
      ok: false,
      reason: `expected uploads/{tenantId}/{clientId}/{engagementId}/{fileName}, got ${parts.length} part(s) after uploads/`,
    };
  }
  const [tenantId, clientId, engagementId, fileName] = parts as [string, string, string, string];
  for (const [label, value] of [
    ["tenantId", tenantId],
    ["clientId", clientId],
    ["engagementId", engagementId],
  ] as const) {
    const checked = IdSchema.safeParse(value);
    if (!checked.success)
      return { ok: false, reason: `${label} "${value}" is not a valid id (${checked.error.issues[0]?.message})` };
  }
  const checkedName = FileNameSchema.safeParse(fileName);
  if (!checkedName.success) return { ok: false, reason: `the file name ${checkedName.error.issues[0]?.message}` };
  return { ok: true, value: { tenantId, clientId, engagementId, fileName } };
}
