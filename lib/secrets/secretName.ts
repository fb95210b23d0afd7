import { InvalidKeyRefError } from "./errors.ts";
import { KeyRefSchema } from "./schemas.ts";
import type { IntegrationSystem, KeyRef } from "./types.ts";

/** The default first segment of secret names. */
export const DEFAULT_SECRET_PREFIX = "saldo";

/**
 * Checks a key reference (ids as in upload keys: letters, digits, `.`, `_`, `-`; a known system) and returns it.
 * Ids are checked before they become part of a secret name or a file name, so no reference can address another
 * tenant's secret.
 *
 * @throws InvalidKeyRefError naming the field.
 */
export function checkKeyRef<S extends IntegrationSystem>(ref: KeyRef<S>): KeyRef<S> {
  const checked = KeyRefSchema.safeParse(ref);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue?.path.join(".") || "ref";
    throw new InvalidKeyRefError(`invalid key reference: ${field}: ${issue?.message ?? "invalid"}`, {
      context: { field },
    });
  }
  return { tenantId: ref.tenantId, clientId: ref.clientId, system: ref.system };
}

/**
 * The name of a key's secret: `{prefix}/{tenantId}/{clientId}/{system}` (prefix `saldo` unless a stage sets
 * another, e.g. `saldo-dev`). The tenant comes first so an IAM policy can scope a role to `saldo/{tenantId}/*`.
 *
 * @throws InvalidKeyRefError for an invalid reference or prefix.
 */
export function secretName(ref: KeyRef, prefix: string = DEFAULT_SECRET_PREFIX): string {
  // Secrets Manager names allow letters, digits and /_+=.@-; the prefix may hold several segments.
  if (!/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/.test(prefix)) {
    throw new InvalidKeyRefError(`invalid secret name prefix "${prefix}"`, { context: { field: "prefix" } });
  }
  const checked = checkKeyRef(ref);
  return `${prefix}/${checked.tenantId}/${checked.clientId}/${checked.system}`;
}

/** Bullets shown in front of the last characters of a masked key. */
export const MASK = "••••";

/**
 * The last 4 characters of a credential, or nothing when the credential is shorter than 8 characters: showing 4 of
 * a short key would give away half of it.
 */
export function lastFour(credential: string): string {
  return credential.length >= 8 ? credential.slice(-4) : "";
}

/** How a key is shown: `••••abcd` (see {@link lastFour}). */
export function maskKey(last4: string): string {
  return `${MASK}${last4}`;
}
