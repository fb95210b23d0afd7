import type { Secret } from "./Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem, KeyRef, KeyStatus, PlatformKeys } from "./types.ts";

/**
 * Where integration keys (the credentials saldo uses to read a client's books from PowerOffice Go or Tripletex) are
 * kept: one secret per tenant, client and system. The API stores and deletes them and shows their status; only the
 * connectors read values, through {@link KeyVault.get}.
 *
 * Adapters: SecretsManagerKeyVault (AWS Secrets Manager, in the cloud) and EncryptedFileKeyVault (AES-256-GCM files,
 * the local stack). Both validate references and values, translate failures into KeyVaultError
 * (lib/secrets/errors.ts), and never put a value in an error, a log line or a status.
 */
export interface KeyVault {
  /**
   * Stores the key (creating its secret on first use, replacing the value after) and returns the new status.
   * Storing a new value clears `lastUsedAt`: it was the old key that was used.
   *
   * @throws InvalidKeyRefError, InvalidKeyValueError (the value does not match its system's schema), KeyVaultError.
   */
  put<S extends IntegrationSystem>(
    ref: KeyRef<S>,
    value: IntegrationKeyBySystem[S] | Secret<IntegrationKeyBySystem[S]>,
  ): Promise<KeyStatus>;

  /**
   * The key's value, wrapped so it does not leak; validated against its system's schema when read back.
   *
   * @throws KeyNotFoundError when no key is set; KeyVaultCorruptError when the stored value is not one saldo wrote.
   */
  get<S extends IntegrationSystem>(ref: KeyRef<S>): Promise<Secret<IntegrationKeyBySystem[S]>>;

  /** Whether a key is set, masked to its last 4 characters, and when it was stored and last used. Never reads the value. */
  status(ref: KeyRef): Promise<KeyStatus>;

  /**
   * Records that a connector used the key at `at`. Does nothing when no key is set (it may have been deleted while a
   * sync was using it): a status must never come back because a sync finished.
   */
  markUsed(ref: KeyRef, at: Date): Promise<void>;

  /** Removes the key; `false` when none was set. Afterwards `status` says `set: false` and `get` throws KeyNotFoundError. */
  delete(ref: KeyRef): Promise<boolean>;
}

/**
 * saldo's own keys at the accounting systems (see {@link PlatformKeys}). Adapters: SecretsManagerPlatformKeys (one
 * secret, in the cloud) and FixedPlatformKeys (values given in code: the local stack's demo values).
 */
export interface PlatformKeysSource {
  /**
   * The keys, validated. May be cached: a rotated secret is seen within the adapter's cache time.
   *
   * @throws KeyNotFoundError (no such secret), KeyVaultCorruptError (not the documented JSON shape: the message names
   *   the fields, never a value), KeyVaultUnavailableError (retry later), KeyVaultRequestError (e.g. access denied).
   */
  read(): Promise<PlatformKeys>;
}
