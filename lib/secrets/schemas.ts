import { z } from "zod";
import { IdSchema } from "../ids/ids.ts";

/** The accounting systems saldo can hold an integration key for (issue #4: `/clients/{clientId}/integrations/{system}`). */
export const IntegrationSystemSchema = z.enum(["poweroffice-go", "tripletex"]);

/**
 * Characters of a credential: visible ASCII, no spaces. PowerOffice Go client keys and Tripletex employee tokens are
 * GUID-like strings; a key pasted with a trailing newline is trimmed rather than refused. The messages never echo the
 * value (zod issues are turned into field paths only).
 */
const CredentialSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(4096, "at most 4096 characters")
  .regex(/^[\x21-\x7e]+$/, "visible ASCII characters only, no spaces");

/** PowerOffice Go: the client key the customer generates for saldo's application key (PowerOffice Go API v2 auth). */
export const PowerOfficeGoKeySchema = z.object({ clientKey: CredentialSchema }).strict();
export type PowerOfficeGoKey = z.infer<typeof PowerOfficeGoKeySchema>;

/** Tripletex: the employee token the customer creates for saldo's consumer token (Tripletex API v2 session auth). */
export const TripletexKeySchema = z.object({ employeeToken: CredentialSchema }).strict();
export type TripletexKey = z.infer<typeof TripletexKeySchema>;

/** The value schema of each system, so the API can validate `PUT …/integrations/{system}` bodies with the right one. */
export const IntegrationKeySchemas = {
  "poweroffice-go": PowerOfficeGoKeySchema,
  tripletex: TripletexKeySchema,
} as const;

/** The one field of each system's value that is the credential (its last 4 characters are shown, masked). */
export const CREDENTIAL_FIELD = {
  "poweroffice-go": "clientKey",
  tripletex: "employeeToken",
} as const satisfies {
  [S in z.infer<typeof IntegrationSystemSchema>]: keyof z.infer<(typeof IntegrationKeySchemas)[S]>;
};

/** Which key: one secret per tenant, client and system. */
export const KeyRefSchema = z.object({
  tenantId: IdSchema,
  clientId: IdSchema,
  system: IntegrationSystemSchema,
});

/**
 * What `GET /clients/{clientId}/integrations/{system}` answers: whether a key is set and, when it is, its last four
 * characters behind bullets and when it was stored and last used (ISO 8601). Never the value.
 */
export const KeyStatusSchema = z.object({
  set: z.boolean(),
  masked: z.string().optional(),
  updatedAt: z.iso.datetime().optional(),
  lastUsedAt: z.iso.datetime().optional(),
});
