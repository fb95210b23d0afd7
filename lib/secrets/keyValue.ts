import { InvalidKeyValueError, KeyVaultCorruptError } from "./errors.ts";
import { CREDENTIAL_FIELD, IntegrationKeySchemas } from "./schemas.ts";
import { Secret } from "./Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem } from "./types.ts";

/**
 * Validates a value against its system's schema (a trust boundary: it comes from an HTTP body or a store).
 * Returns `undefined` on failure with the offending field paths — never zod's issues themselves, which may quote the
 * input.
 */
function parseKeyValue<S extends IntegrationSystem>(
  system: S,
  value: unknown,
): { ok: true; value: IntegrationKeyBySystem[S] } | { ok: false; fields: string[] } {
  const checked = IntegrationKeySchemas[system].safeParse(value);
  if (checked.success) return { ok: true, value: checked.data as IntegrationKeyBySystem[S] };
  const fields = [
    ...new Set(
      checked.error.issues.flatMap((issue) =>
        issue.code === "unrecognized_keys" ? issue.keys.map(String) : [issue.path.join(".") || "(value)"],
      ),
    ),
  ];
  return { ok: false, fields };
}

/**
 * Unwraps and validates a value given to `put`.
 *
 * @throws InvalidKeyValueError naming the fields (and the expected field) but never quoting the value.
 */
export function checkKeyValue<S extends IntegrationSystem>(
  system: S,
  value: IntegrationKeyBySystem[S] | Secret<IntegrationKeyBySystem[S]>,
): IntegrationKeyBySystem[S] {
  const plain = value instanceof Secret ? value.reveal() : value;
  const parsed = parseKeyValue(system, plain);
  if (parsed.ok) return parsed.value;
  throw new InvalidKeyValueError(
    `invalid ${system} key: expected {"${CREDENTIAL_FIELD[system]}": "…"} (visible ASCII, 1–4096 characters); problem with: ${parsed.fields.join(", ")}`,
    { context: { system, fields: parsed.fields } },
  );
}

/**
 * Reads back a stored value (JSON text) and wraps it.
 *
 * @throws KeyVaultCorruptError when the text is not a value of this system (without quoting it).
 */
export function readStoredKeyValue<S extends IntegrationSystem>(
  system: S,
  text: string,
  context: Record<string, unknown>,
): Secret<IntegrationKeyBySystem[S]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyVaultCorruptError(`the stored ${system} key is not JSON`, { context });
  }
  const parsed = parseKeyValue(system, json);
  if (!parsed.ok) {
    throw new KeyVaultCorruptError(
      `the stored ${system} key does not have the ${system} shape (${parsed.fields.join(", ")})`,
      {
        context,
      },
    );
  }
  return new Secret(parsed.value);
}

/** The credential string of a value (its last 4 characters are what a status shows). */
export function credentialOf<S extends IntegrationSystem>(system: S, value: IntegrationKeyBySystem[S]): string {
  return (value as Record<string, string>)[CREDENTIAL_FIELD[system]] ?? "";
}
