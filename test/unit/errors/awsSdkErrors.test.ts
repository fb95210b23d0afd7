import { describe, expect, it } from "vitest";
import {
  KeyNotFoundError,
  KeyVaultRequestError,
  KeyVaultUnavailableError,
  translateSecretsManagerError,
} from "../../../lib/secrets/errors.ts";
import {
  StoreItemTooLargeError,
  StoreRequestError,
  StoreUnavailableError,
  translateSdkError,
} from "../../../lib/store/errors.ts";

function sdkError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe("one translation of AWS SDK failures for the store and the key vault", () => {
  it.each([
    ["ThrottlingException", 400],
    ["InternalServerError", 500],
    ["InternalServiceError", 500],
    ["AnythingElse", 503],
  ])("%s (%i) is transient for both", (name, status) => {
    expect(translateSdkError(sdkError(name, status), "GetItem")).toBeInstanceOf(StoreUnavailableError);
    expect(translateSecretsManagerError(sdkError(name, status), "GetSecretValue")).toBeInstanceOf(
      KeyVaultUnavailableError,
    );
  });

  it("a broken connection is transient for both", () => {
    const reset = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(translateSdkError(reset(), "Query")).toBeInstanceOf(StoreUnavailableError);
    expect(translateSecretsManagerError(reset(), "DescribeSecret")).toBeInstanceOf(KeyVaultUnavailableError);
  });

  it("access denied is a failed request for both, naming the operation and the SDK error, with the cause", () => {
    const denied = sdkError("AccessDeniedException", 400, "not authorized");
    const store = translateSdkError(denied, "PutItem", { pk: "T#a" });
    const vault = translateSecretsManagerError(denied, "CreateSecret", { secretName: "saldo/a/b/tripletex" });
    expect(store).toBeInstanceOf(StoreRequestError);
    expect(vault).toBeInstanceOf(KeyVaultRequestError);
    expect(store.context).toMatchObject({ operation: "PutItem", sdkError: "AccessDeniedException", pk: "T#a" });
    expect(vault.context).toMatchObject({ operation: "CreateSecret", sdkError: "AccessDeniedException" });
    expect(store.cause).toBe(denied);
    expect(vault.cause).toBe(denied);
  });

  it("ResourceNotFoundException is a missing key in the vault, but a failed request in the store (a missing table)", () => {
    const missing = sdkError("ResourceNotFoundException", 400);
    expect(translateSecretsManagerError(missing, "GetSecretValue")).toBeInstanceOf(KeyNotFoundError);
    expect(translateSdkError(missing, "GetItem")).toBeInstanceOf(StoreRequestError);
  });

  it("an item over 400 KB is the store's own error", () => {
    const tooLarge = sdkError("ValidationException", 400, "Item size has exceeded the maximum allowed size");
    expect(translateSdkError(tooLarge, "PutItem")).toBeInstanceOf(StoreItemTooLargeError);
  });
});
