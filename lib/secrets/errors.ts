import { translateAwsSdkError } from "../errors/awsSdkErrors.ts";
import { SaldoError, type SaldoErrorOptions } from "../errors/SaldoError.ts";

/** Stable codes of the key vault's errors. */
export type KeyVaultErrorCode =
  /** The tenant, client or system of a key reference is not a valid id / known system. */
  | "KEY_INVALID_REF"
  /** The value given to `put` does not have the shape its system needs (the message names fields, never values). */
  | "KEY_INVALID_VALUE"
  /** No key is set for this tenant/client/system (never set, or deleted). */
  | "KEY_NOT_FOUND"
  /** The secret store could not be reached or kept throttling after every retry: retry later. */
  | "KEY_VAULT_UNAVAILABLE"
  /** Any other failure of the secret store (access denied, KMS refused, bad request). */
  | "KEY_VAULT_REQUEST_FAILED"
  /** A stored secret does not have the shape saldo writes (written by something else, or unreadable). */
  | "KEY_VAULT_CORRUPT"
  /** An encrypted secret failed authentication: its file was altered or moved to another key's place. */
  | "KEY_VAULT_TAMPERED"
  /** The master key is not the one the secret was encrypted with, or is not a valid 32-byte key. */
  | "KEY_VAULT_MASTER_KEY";

/**
 * Base error of lib/secrets. Adapters translate every SDK or file-system failure into one of its subclasses
 * (STYLE.md §7). No message, context or cause ever contains a secret value: context holds the secret *name*
 * (`saldo/{tenantId}/{clientId}/{system}`), which is not secret.
 */
export class KeyVaultError extends SaldoError<KeyVaultErrorCode> {}

type KeyVaultErrorOptions = SaldoErrorOptions;

/** A key reference with an invalid tenant id, client id or system. */
export class InvalidKeyRefError extends KeyVaultError {
  constructor(message: string, options: KeyVaultErrorOptions = {}) {
    super("KEY_INVALID_REF", message, { ...options, category: "not-found" });
  }
}

/** A value of the wrong shape for its system; `context.fields` lists the offending field paths. */
export class InvalidKeyValueError extends KeyVaultError {
  constructor(message: string, options: KeyVaultErrorOptions = {}) {
    // The API answers each offending field as "invalid for this system": the message names the expected shape.
    const fields = Array.isArray(options.context?.fields)
      ? (options.context.fields as unknown[]).map(String)
      : ["(value)"];
    super("KEY_INVALID_VALUE", message, {
      ...options,
      category: "invalid",
      invalidFields: fields.map((field) => ({ field, message: "invalid for this system" })),
    });
  }
}

/** No key is set under this reference. The API answers 404. */
export class KeyNotFoundError extends KeyVaultError {
  constructor(message: string, options: KeyVaultErrorOptions = {}) {
    super("KEY_NOT_FOUND", message, { ...options, category: "not-found" });
  }
}

/** Throttling, a 5xx, a timeout or a broken connection: a retry later may succeed. */
export class KeyVaultUnavailableError extends KeyVaultError {
  constructor(message: string, options: KeyVaultErrorOptions = {}) {
    super("KEY_VAULT_UNAVAILABLE", message, { ...options, category: "unavailable" });
  }
}

/** Any other failed request: retrying as is will not help. */
export class KeyVaultRequestError extends KeyVaultError {
  constructor(message: string, options: KeyVaultErrorOptions = {}) {
    super("KEY_VAULT_REQUEST_FAILED", message, options);
  }
}

/** A stored secret that saldo cannot read back as the value it wrote. */
export class KeyVaultCorruptError extends KeyVaultError {
  constructor(message: string, options: KeyVaultErrorOptions = {}) {
    super("KEY_VAULT_CORRUPT", message, options);
  }
}

/** AES-GCM authentication failed under the right master key: the ciphertext, IV, tag or name was altered. */
export class KeyVaultTamperedError extends KeyVaultError {
  constructor(message: string, options: KeyVaultErrorOptions = {}) {
    super("KEY_VAULT_TAMPERED", message, options);
  }
}

/** The master key is malformed, or the secret was encrypted under a different master key. */
export class KeyVaultMasterKeyError extends KeyVaultError {
  constructor(message: string, options: KeyVaultErrorOptions = {}) {
    super("KEY_VAULT_MASTER_KEY", message, options);
  }
}

/**
 * Turns any failure of a Secrets Manager request into a KeyVaultError (a KeyVaultError passes through unchanged),
 * through the translator saldo's adapters share (lib/errors/awsSdkErrors.ts). Only the SDK error's name and message
 * are quoted: Secrets Manager's messages name the secret, never its value.
 */
export function translateSecretsManagerError(
  error: unknown,
  operation: string,
  context: Record<string, unknown> = {},
): KeyVaultError {
  return translateAwsSdkError(
    error,
    { service: "Secrets Manager", operation, context },
    {
      base: KeyVaultError,
      unavailable: KeyVaultUnavailableError,
      notFound: KeyNotFoundError,
      failed: KeyVaultRequestError,
    },
  );
}
