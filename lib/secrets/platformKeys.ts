import { PlatformKeysSchema, type PlatformKeysValue } from "../config/connectorsConfig.ts";
import { KeyVaultCorruptError } from "./errors.ts";
import type { PlatformKeysSource } from "./ports.ts";
import { Secret } from "./Secret.ts";
import type { PlatformKeys } from "./types.ts";

/**
 * Validates the platform-keys JSON and wraps each key in a {@link Secret}. The error names the offending fields and
 * what was expected, never a value (the zod messages of PlatformKeysSchema echo none).
 *
 * @throws KeyVaultCorruptError
 */
export function parsePlatformKeys(value: unknown, where: string): PlatformKeys {
  const parsed = PlatformKeysSchema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(value)"}: ${issue.message}`);
    throw new KeyVaultCorruptError(
      `${where} is not saldo's platform-keys JSON ({"poweroffice-go": {"applicationKey", "subscriptionKey"}, "tripletex": {"consumerToken"}}): ${fields.join("; ")}`,
      { context: { fields: parsed.error.issues.map((issue) => issue.path.join(".")) } },
    );
  }
  return wrap(parsed.data);
}

function wrap(value: PlatformKeysValue): PlatformKeys {
  const powerOffice = value["poweroffice-go"];
  return {
    ...(powerOffice
      ? {
          "poweroffice-go": {
            applicationKey: new Secret(powerOffice.applicationKey),
            subscriptionKey: new Secret(powerOffice.subscriptionKey),
          },
        }
      : {}),
    ...(value.tripletex ? { tripletex: { consumerToken: new Secret(value.tripletex.consumerToken) } } : {}),
  };
}

/** Platform keys given in code (the local stack's demo values, which the fakes accept). */
export class FixedPlatformKeys implements PlatformKeysSource {
  readonly #keys: PlatformKeys;

  constructor(value: PlatformKeysValue) {
    this.#keys = parsePlatformKeys(value, "the fixed platform keys");
  }

  async read(): Promise<PlatformKeys> {
    return this.#keys;
  }
}
