import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Every `code` a problem+json answer can carry is listed in the README's **Errors** paragraph of the HTTP API. The
 * codes are read from the modules whose errors lib/api/problem.ts turns into answers (each error class's own codes,
 * except those it maps to another code) and from problem.ts itself.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");
const codesIn = (text: string): Set<string> =>
  new Set([...text.matchAll(/"([A-Z][A-Z0-9]*_[A-Z0-9_]+)"/g)].map((match) => match[1]!));

/**
 * Codes of those modules that never reach an answer as themselves (problem.ts answers them with another code, or no
 * route meets them).
 */
const MAPPED_TO_ANOTHER = new Set([
  "INVALID_ENGAGEMENT_INPUT", // 400 VALIDATION_FAILED with the field
  "KEY_INVALID_VALUE", // 400 VALIDATION_FAILED
  "KEY_INVALID_REF", // 404 CLIENT_NOT_FOUND
  "KEY_NOT_FOUND", // the key use cases answer `set: false` (GET) and 204 (DELETE)
  "KEY_VAULT_UNAVAILABLE", // 503 SERVICE_UNAVAILABLE
  "KEY_VAULT_CORRUPT", // 500 INTERNAL_ERROR
  "KEY_VAULT_MASTER_KEY",
  "KEY_VAULT_REQUEST_FAILED",
  "KEY_VAULT_TAMPERED",
  "STORE_UNAVAILABLE", // 503 SERVICE_UNAVAILABLE
  "INVALID_UPLOAD", // 400 VALIDATION_FAILED with the field
  // Errors of the import attempt (ingest and sync functions), recorded on the import as its failure; a route that
  // met one would answer the category's generic 500 (`internal`) or, for SYNC_NOT_QUEUED, never meets it.
  "SOURCE_FILE_MISSING",
  "SOURCE_UNAVAILABLE",
  "FIELD_TOO_LONG",
  "IMPORT_LEASE_LOST",
  "UPLOAD_SIGNING_FAILED", // 500 INTERNAL_ERROR
  "SYNC_NOT_QUEUED",
]);

describe("README: API error codes", () => {
  const readme = read("README.md");
  const start = readme.indexOf("**Errors** are RFC 9457");
  const errorsParagraph = readme.slice(start, readme.indexOf("\n\n", start));
  const documented = new Set([...errorsParagraph.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((match) => match[1]!));

  it("finds the paragraph", () => {
    expect(start).toBeGreaterThan(0);
    expect(documented).toContain("ROUTE_NOT_FOUND");
    expect(documented).toContain("METHOD_NOT_ALLOWED");
  });

  it("lists every code an error answer can carry", () => {
    const answered = new Set([
      ...codesIn(read("lib/api/errors.ts")),
      ...codesIn(read("lib/api/problem.ts")),
      ...codesIn(read("lib/auth/errors.ts")),
      ...codesIn(read("lib/engagements/errors.ts")),
      ...codesIn(read("lib/imports/errors.ts")),
      ...codesIn(read("lib/paging/errors.ts")),
      ...codesIn(read("lib/export/errors.ts")),
      ...codesIn(read("lib/secrets/errors.ts")),
    ]);
    const missing = [...answered].filter((code) => !MAPPED_TO_ANOTHER.has(code) && !documented.has(code));
    expect(missing).toEqual([]);
  });
});
