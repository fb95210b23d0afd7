import { z } from "zod";

/**
 * The ids of tenants, clients, engagements and imports, as they stand in keys, paths and tokens: letters, digits,
 * `-`, `_`, `.`; 1–64 characters; starting with a letter or digit (so never `.` or `..`).
 */
export const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only, starting with a letter or digit");
