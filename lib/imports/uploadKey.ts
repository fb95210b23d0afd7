import { z } from "zod";

/** Ids in keys and paths: letters, digits, `-`, `_`, `.`; 1–64 characters; not `.` or `..`. */
export const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only, starting with a letter or digit");

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
  if (fileName.length === 0 || fileName.length > 255)
    return { ok: false, reason: "the file name is empty or too long" };
  return { ok: true, value: { tenantId, clientId, engagementId, fileName } };
}
