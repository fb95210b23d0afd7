import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from "@aws-sdk/client-secrets-manager";
import { KeyNotFoundError, KeyVaultCorruptError, translateSecretsManagerError } from "./errors.ts";
import { parsePlatformKeys } from "./platformKeys.ts";
import type { PlatformKeysSource } from "./ports.ts";
import type { PlatformKeys } from "./types.ts";

/** How long keys read are used before the secret is read again (a rotation is seen within this time). */
export const PLATFORM_KEYS_CACHE_SECONDS = 300;

export interface SecretsManagerPlatformKeysOptions {
  /** The secret's name or ARN (infra/connectors.ts creates it; its value is set out of band, README "Platform keys"). */
  secretId: string;
  client?: SecretsManagerClient;
  clientConfig?: SecretsManagerClientConfig;
  /** Seconds a read value is reused (default {@link PLATFORM_KEYS_CACHE_SECONDS}). */
  cacheSeconds?: number;
  now?: () => number;
}

/**
 * saldo's platform keys from one Secrets Manager secret (GetSecretValue, AWSCURRENT), holding the JSON of
 * PlatformKeysSchema. Read on first use and cached for a few minutes per process (one read per warm Lambda container
 * rather than one per request); concurrent first reads share one request; a failed read is not cached. SDK failures
 * become KeyVaultErrors; no value ever appears in an error or a log line.
 */
export class SecretsManagerPlatformKeys implements PlatformKeysSource {
  readonly #client: SecretsManagerClient;
  readonly #secretId: string;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #cached: { keys: Promise<PlatformKeys>; until: number } | undefined;

  constructor(options: SecretsManagerPlatformKeysOptions) {
    this.#client = options.client ?? new SecretsManagerClient(options.clientConfig ?? {});
    this.#secretId = options.secretId;
    this.#cacheMs = (options.cacheSeconds ?? PLATFORM_KEYS_CACHE_SECONDS) * 1000;
    this.#now = options.now ?? Date.now;
  }

  read(): Promise<PlatformKeys> {
    const now = this.#now();
    if (this.#cached !== undefined && now < this.#cached.until) return this.#cached.keys;
    const keys = this.#fetch();
    const entry = { keys, until: now + this.#cacheMs };
    this.#cached = entry;
    keys.catch(() => {
      if (this.#cached === entry) this.#cached = undefined;
    });
    return keys;
  }

  async #fetch(): Promise<PlatformKeys> {
    const context = { secretId: this.#secretId };
    let secretString: string | undefined;
    try {
      const output = await this.#client.send(new GetSecretValueCommand({ SecretId: this.#secretId }));
      secretString = output.SecretString;
    } catch (error) {
      const translated = translateSecretsManagerError(error, "GetSecretValue", context);
      // Also what AWS answers for a secret that has no value yet (infra creates it empty; an operator sets it).
      if (translated instanceof KeyNotFoundError) {
        throw new KeyNotFoundError(
          `the platform-keys secret ${this.#secretId} does not exist or has no value yet: set it (README "Platform keys")`,
          { cause: error, context },
        );
      }
      throw translated;
    }
    if (secretString === undefined) {
      throw new KeyVaultCorruptError(
        `the platform-keys secret ${this.#secretId} has no string value (a binary secret?): set its JSON as a string (README "Platform keys")`,
        { context },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(secretString);
    } catch {
      // No cause: JSON.parse's message quotes the text, which is the secret.
      throw new KeyVaultCorruptError(`the platform-keys secret ${this.#secretId} is not JSON`, { context });
    }
    return parsePlatformKeys(json, `the platform-keys secret ${this.#secretId}`);
  }
}
