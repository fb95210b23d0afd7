import { describe, expect, it } from "vitest";
import { InvalidKeyRefError } from "../../../lib/secrets/errors.ts";
import { lastFour, maskKey, secretName } from "../../../lib/secrets/secretName.ts";

describe("secretName", () => {
  it("is saldo/{tenantId}/{clientId}/{system}", () => {
    expect(secretName({ tenantId: "acme", clientId: "c-1.x_y", system: "poweroffice-go" })).toBe(
      "saldo/acme/c-1.x_y/poweroffice-go",
    );
  });

  it("takes another prefix, also of several segments", () => {
    expect(secretName({ tenantId: "acme", clientId: "c1", system: "tripletex" }, "stage/saldo-dev")).toBe(
      "stage/saldo-dev/acme/c1/tripletex",
    );
  });

  it.each([
    ["a tenant id with a slash", { tenantId: "acme/other", clientId: "c1", system: "tripletex" }, "tenantId"],
    ["a tenant id of ..", { tenantId: "..", clientId: "c1", system: "tripletex" }, "tenantId"],
    ["an empty client id", { tenantId: "acme", clientId: "", system: "tripletex" }, "clientId"],
    ["a client id of 65 characters", { tenantId: "acme", clientId: "c".repeat(65), system: "tripletex" }, "clientId"],
    ["a client id with a space", { tenantId: "acme", clientId: "c 1", system: "tripletex" }, "clientId"],
    ["an unknown system", { tenantId: "acme", clientId: "c1", system: "visma" }, "system"],
  ])("refuses %s, naming the field", (_label, ref, field) => {
    expect(() => secretName(ref as never)).toThrow(InvalidKeyRefError);
    expect(() => secretName(ref as never)).toThrow(new RegExp(`^invalid key reference: ${field}:`));
  });

  it("refuses a prefix with characters Secrets Manager does not allow in names", () => {
    expect(() => secretName({ tenantId: "acme", clientId: "c1", system: "tripletex" }, "saldo prod")).toThrow(
      InvalidKeyRefError,
    );
  });
});

describe("masking", () => {
  it("shows the last 4 characters of a key of 8 or more", () => {
    expect(maskKey(lastFour("12345678"))).toBe("••••5678");
  });

  it("shows nothing of a key shorter than 8", () => {
    expect(maskKey(lastFour("1234567"))).toBe("••••");
  });
});
