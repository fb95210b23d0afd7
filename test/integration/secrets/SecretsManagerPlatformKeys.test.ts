import { inspect } from "node:util";
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  KeyNotFoundError,
  KeyVaultCorruptError,
  KeyVaultRequestError,
  KeyVaultUnavailableError,
} from "../../../lib/secrets/errors.ts";
import { SecretsManagerPlatformKeys } from "../../../lib/secrets/SecretsManagerPlatformKeys.ts";
import { startFakeSecretsManager, type FakeSecretsManager } from "./fakeSecretsManager.ts";

/** The platform-keys reader at its SDK boundary: the real SecretsManagerClient against the fake over HTTP. */

const KEYS = {
  "poweroffice-go": { applicationKey: "app-0d1f-4e2a", subscriptionKey: "sub-77aa-91bc" },
  tripletex: { consumerToken: "eyJjb25zdW1lciI6InNhbGRvIn0=" },
};

let fake: FakeSecretsManager;
let names = 0;
let clock = 0;

beforeAll(async () => {
  fake = await startFakeSecretsManager();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.requests.length = 0;
  clock = 1_000_000;
});

async function secret(value: string | undefined): Promise<string> {
  const name = `saldo/test-${++names}/platform-keys`;
  await fake
    .client()
    .send(new CreateSecretCommand({ Name: name, ...(value !== undefined ? { SecretString: value } : {}) }));
  fake.requests.length = 0;
  return name;
}

function reader(secretId: string) {
  return new SecretsManagerPlatformKeys({ secretId, client: fake.client(), now: () => clock, cacheSeconds: 300 });
}

describe("SecretsManagerPlatformKeys", () => {
  it("reads the secret's JSON with one signed GetSecretValue, and wraps every key so it never shows", async () => {
    const name = await secret(JSON.stringify(KEYS));
    const keys = await reader(name).read();
    expect(fake.operations()).toEqual(["GetSecretValue"]);
    expect(fake.requests[0]).toMatchObject({ body: { SecretId: name }, signed: true });
    expect(keys["poweroffice-go"]!.applicationKey.reveal()).toBe("app-0d1f-4e2a");
    expect(keys["poweroffice-go"]!.subscriptionKey.reveal()).toBe("sub-77aa-91bc");
    expect(keys.tripletex!.consumerToken.reveal()).toBe(KEYS.tripletex.consumerToken);
    const shown = JSON.stringify(keys) + inspect(keys, { depth: 5 });
    for (const value of ["app-0d1f-4e2a", "sub-77aa-91bc", KEYS.tripletex.consumerToken])
      expect(shown).not.toContain(value);
  });

  it("keeps the keys for the cache time, shares one request between concurrent first reads, then reads a rotated value", async () => {
    const name = await secret(JSON.stringify(KEYS));
    const keys = reader(name);
    await Promise.all([keys.read(), keys.read(), keys.read()]);
    clock += 299_000;
    await keys.read();
    expect(fake.operations()).toEqual(["GetSecretValue"]);
    await fake.client().send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: JSON.stringify({ tripletex: { consumerToken: "rotated" } }),
      }),
    );
    clock += 2_000;
    const rotated = await keys.read();
    expect(rotated.tripletex!.consumerToken.reveal()).toBe("rotated");
    expect(rotated["poweroffice-go"]).toBeUndefined();
  });

  it("does not keep a failed read: the next read asks again", async () => {
    const name = await secret(JSON.stringify(KEYS));
    const keys = reader(name);
    fake.failNext("GetSecretValue", { type: "InternalServiceError", status: 500 });
    await expect(keys.read()).rejects.toBeInstanceOf(KeyVaultUnavailableError);
    await expect(keys.read()).resolves.toHaveProperty("tripletex");
  });

  it("says when the secret is missing, not allowed, empty, not JSON or not the documented shape — never quoting it", async () => {
    const missing = reader("saldo/nowhere/platform-keys").read();
    await expect(missing).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(missing).rejects.toThrow(/does not exist or has no value yet: set it/);

    fake.failNext("GetSecretValue", { type: "AccessDeniedException", message: "not authorized" });
    await expect(reader(await secret(JSON.stringify(KEYS))).read()).rejects.toBeInstanceOf(KeyVaultRequestError);

    const empty = await secret(undefined);
    await expect(reader(empty).read()).rejects.toThrow(/has no value yet: set it \(README "Platform keys"\)/);

    const garbled = await secret("sub-77aa-91bc, app-0d1f-4e2a");
    const notJson = await reader(garbled)
      .read()
      .catch((error: unknown) => error);
    expect(notJson).toBeInstanceOf(KeyVaultCorruptError);
    expect(inspect(notJson, { depth: 5 })).not.toContain("sub-77aa-91bc");

    const wrongShape = await secret(
      JSON.stringify({ "poweroffice-go": { applicationKey: "app-0d1f-4e2a" }, extra: "x y" }),
    );
    const shape = await reader(wrongShape)
      .read()
      .catch((error: unknown) => error);
    expect(shape).toBeInstanceOf(KeyVaultCorruptError);
    expect((shape as Error).message).toMatch(/poweroffice-go\.subscriptionKey/);
    expect(inspect(shape, { depth: 5 })).not.toContain("app-0d1f-4e2a");
  });
});
