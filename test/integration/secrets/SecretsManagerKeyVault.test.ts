import { inspect } from "node:util";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  KeyNotFoundError,
  KeyVaultCorruptError,
  KeyVaultError,
  KeyVaultRequestError,
  KeyVaultUnavailableError,
} from "../../../lib/secrets/errors.ts";
import { SecretsManagerKeyVault, decodeTagValue, encodeTagValue } from "../../../lib/secrets/SecretsManagerKeyVault.ts";
import type { KeyRef } from "../../../lib/secrets/types.ts";
import { startFakeSecretsManager, type FakeSecretsManager } from "./fakeSecretsManager.ts";
import { TestClock } from "./keyVaultContract.ts";

const REF: KeyRef<"tripletex"> = { tenantId: "acme-regnskap", clientId: "fjellbekk", system: "tripletex" };
const NAME = "saldo/acme-regnskap/fjellbekk/tripletex";
const TOKEN = "eyJ0b2tlbklkIjoxMjM0NTYsInRva2VuIjoiZTNiMGM0NDI5OGZjIn0=";

let fake: FakeSecretsManager;
let prefixes = 0;

beforeAll(async () => {
  fake = await startFakeSecretsManager();
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.requests.length = 0;
});

function vault(options: Partial<ConstructorParameters<typeof SecretsManagerKeyVault>[0]> = {}) {
  const clock = new TestClock();
  return {
    clock,
    vault: new SecretsManagerKeyVault({
      client: fake.client(),
      prefix: `p${++prefixes}/saldo`,
      now: clock.now,
      ...options,
    }),
    name: `p${prefixes}/saldo/acme-regnskap/fjellbekk/tripletex`,
  };
}

function tags(name: string): Record<string, string> {
  return Object.fromEntries(fake.secrets.get(name)?.tags ?? []);
}

describe("SecretsManagerKeyVault at the SDK boundary", () => {
  it("names secrets saldo/{tenantId}/{clientId}/{system} by default", async () => {
    const plain = new SecretsManagerKeyVault({ client: fake.client() });
    await plain.put(REF, { employeeToken: TOKEN });
    expect(fake.secrets.has(NAME)).toBe(true);
    await plain.delete(REF);
  });

  it("creates the secret on the first put, with the value as JSON and every tag, in one signed request", async () => {
    const { vault: v, name } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    expect(fake.operations()).toEqual(["CreateSecret"]);
    const request = fake.requests[0]!;
    expect(request.signed).toBe(true);
    expect(request.body).toMatchObject({ Name: name, SecretString: JSON.stringify({ employeeToken: TOKEN }) });
    expect(tags(name)).toEqual({
      "saldo:tenant": "acme-regnskap",
      "saldo:client": "fjellbekk",
      "saldo:system": "tripletex",
      "saldo:last4": "In0=",
      "saldo:updatedAt": "2026-03-01T09:00:00.000Z",
      "saldo:lastUsedAt": "",
    });
  });

  it("replaces the value of an existing secret with PutSecretValue and updates its tags", async () => {
    const { vault: v, name, clock } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    await v.markUsed(REF, new Date("2026-03-01T09:30:00.000Z"));
    clock.advance(60);
    fake.requests.length = 0;
    await v.put(REF, { employeeToken: "second-token-0042" });
    expect(fake.operations()).toEqual(["CreateSecret", "PutSecretValue", "TagResource"]);
    expect(fake.requests[1]!.body).toMatchObject({
      SecretId: name,
      SecretString: '{"employeeToken":"second-token-0042"}',
    });
    expect(tags(name)).toMatchObject({
      "saldo:last4": "0042",
      "saldo:updatedAt": "2026-03-01T09:01:00.000Z",
      "saldo:lastUsedAt": "",
    });
    const versions = fake.secrets.get(name)!.versions;
    expect(versions.map((version) => version.stages)).toEqual([["AWSPREVIOUS"], ["AWSCURRENT"]]);
  });

  it("answers status from DescribeSecret alone, never reading the value", async () => {
    const { vault: v } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    await v.markUsed(REF, new Date("2026-03-01T12:00:00.000Z"));
    fake.requests.length = 0;
    expect(await v.status(REF)).toEqual({
      set: true,
      masked: "••••In0=",
      updatedAt: "2026-03-01T09:00:00.000Z",
      lastUsedAt: "2026-03-01T12:00:00.000Z",
    });
    expect(fake.operations()).toEqual(["DescribeSecret"]);
  });

  it("reads the value with GetSecretValue only in get", async () => {
    const { vault: v } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    fake.requests.length = 0;
    await v.get(REF);
    expect(fake.operations()).toEqual(["GetSecretValue"]);
  });

  it("records use with a single TagResource", async () => {
    const { vault: v, name } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    fake.requests.length = 0;
    await v.markUsed(REF, new Date("2026-03-04T08:00:00.000Z"));
    expect(fake.requests).toEqual([
      expect.objectContaining({
        operation: "TagResource",
        body: { SecretId: name, Tags: [{ Key: "saldo:lastUsedAt", Value: "2026-03-04T08:00:00.000Z" }] },
      }),
    ]);
  });

  it("deletes with a 7-day recovery window by default", async () => {
    const { vault: v, name } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    fake.requests.length = 0;
    expect(await v.delete(REF)).toBe(true);
    expect(fake.requests.at(-1)).toMatchObject({
      operation: "DeleteSecret",
      body: { SecretId: name, RecoveryWindowInDays: 7 },
    });
    expect(fake.secrets.get(name)?.deletedDate).toBeDefined();
  });

  it("deletes without recovery when configured to force", async () => {
    const { vault: v, name } = vault({ deletion: "force" });
    await v.put(REF, { employeeToken: TOKEN });
    await v.delete(REF);
    expect(fake.requests.at(-1)).toMatchObject({
      operation: "DeleteSecret",
      body: { SecretId: name, ForceDeleteWithoutRecovery: true },
    });
    expect(fake.secrets.has(name)).toBe(false);
  });

  it("restores a secret scheduled for deletion before storing a new value in it", async () => {
    const { vault: v, name } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    await v.markUsed(REF, new Date("2026-03-01T10:00:00.000Z"));
    await v.delete(REF);
    fake.requests.length = 0;
    await v.put(REF, { employeeToken: "replacement-token-7777" });
    expect(fake.operations()).toEqual([
      "CreateSecret",
      "DescribeSecret",
      "RestoreSecret",
      "PutSecretValue",
      "TagResource",
    ]);
    expect(fake.secrets.get(name)?.deletedDate).toBeUndefined();
    expect(await v.status(REF)).toEqual({ set: true, masked: "••••7777", updatedAt: "2026-03-01T09:00:00.000Z" });
    expect((await v.get(REF)).reveal()).toEqual({ employeeToken: "replacement-token-7777" });
  });

  it("reports a name still being force-deleted as KeyVaultUnavailableError (retry later)", async () => {
    const { vault: v } = vault({ deletion: "force" });
    fake.failNext("CreateSecret", {
      type: "InvalidRequestException",
      message: "You can't create this secret because a secret with this name is already scheduled for deletion.",
    });
    await expect(v.put(REF, { employeeToken: TOKEN })).rejects.toBeInstanceOf(KeyVaultUnavailableError);
  });

  it("reports other refusals of CreateSecret as KeyVaultRequestError", async () => {
    const { vault: v } = vault();
    fake.failNext("CreateSecret", { type: "InvalidRequestException", message: "The KMS key is disabled." });
    await expect(v.put(REF, { employeeToken: TOKEN })).rejects.toBeInstanceOf(KeyVaultRequestError);
  });

  it("does not call DeleteSecret for a key already scheduled for deletion", async () => {
    const { vault: v } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    await v.delete(REF);
    fake.requests.length = 0;
    expect(await v.delete(REF)).toBe(false);
    expect(fake.operations()).toEqual(["DescribeSecret"]);
  });

  it("passes a customer managed KMS key to CreateSecret", async () => {
    const { vault: v } = vault({ kmsKeyId: "alias/saldo-integration-keys" });
    await v.put(REF, { employeeToken: TOKEN });
    expect(fake.requests[0]!.body).toMatchObject({ KmsKeyId: "alias/saldo-integration-keys" });
  });

  it("encodes a last-4 with characters tags refuse, and status decodes it", async () => {
    const { vault: v, name } = vault();
    await v.put(REF, { employeeToken: "token-ending-in-#!?~" });
    expect(tags(name)["saldo:last4"]).toBe(`b64u:${Buffer.from("#!?~").toString("base64url")}`);
    expect(await v.status(REF)).toMatchObject({ masked: "••••#!?~" });
  });

  it("reports a secret created outside saldo as set, unmasked, dated by LastChangedDate", async () => {
    const { vault: v, name } = vault();
    await fake.client().send(new CreateSecretCommand({ Name: name, SecretString: "{}" }));
    const status = await v.status(REF);
    expect(status.set).toBe(true);
    expect(status.masked).toBeUndefined();
    expect(Date.parse(status.updatedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("refuses to give back a stored value that is not a saldo key, without quoting it", async () => {
    const { vault: v, name } = vault();
    await fake.client().send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"hunter2-plaintext"}' }));
    const error = await v.get(REF).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyVaultCorruptError);
    expect(inspect(error, { depth: 10 })).not.toContain("hunter2");
  });

  it("treats a secret scheduled for deletion as not set in get", async () => {
    const { vault: v } = vault();
    await v.put(REF, { employeeToken: TOKEN });
    await v.delete(REF);
    await expect(v.get(REF)).rejects.toBeInstanceOf(KeyNotFoundError);
  });

  it("lets the SDK retry throttling and succeeds", async () => {
    const { vault: v } = vault({ client: fake.client({ maxAttempts: 3 }) });
    fake.failNext("CreateSecret", { type: "ThrottlingException", message: "Rate exceeded" });
    await v.put(REF, { employeeToken: TOKEN });
    expect(fake.operations()).toEqual(["CreateSecret", "CreateSecret"]);
    expect((await v.get(REF)).reveal()).toEqual({ employeeToken: TOKEN });
  });

  it("turns a server error that outlasts the retries into KeyVaultUnavailableError", async () => {
    const { vault: v } = vault({ client: fake.client({ maxAttempts: 2 }) });
    fake.failNext("DescribeSecret", { type: "InternalServiceError", status: 500 }, 2);
    const error = await v.status(REF).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyVaultUnavailableError);
    expect(error).toMatchObject({
      code: "KEY_VAULT_UNAVAILABLE",
      context: { operation: "DescribeSecret", sdkError: "InternalServiceError" },
    });
  });

  it("turns access denied into KeyVaultRequestError whose rendering never contains the value", async () => {
    const { vault: v, name } = vault();
    fake.failNext("CreateSecret", {
      type: "AccessDeniedException",
      message: "not authorized to perform secretsmanager:CreateSecret",
    });
    const error = await v.put(REF, { employeeToken: "top-secret-token-QX81" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyVaultRequestError);
    expect(error).toMatchObject({ code: "KEY_VAULT_REQUEST_FAILED", context: { secretName: name } });
    expect((error as KeyVaultError).cause).toBeDefined();
    for (const rendering of [String(error), JSON.stringify(error), inspect(error, { depth: 20, showHidden: true })]) {
      expect(rendering).not.toContain("QX81");
    }
  });

  it("never lets a raw SDK error escape", async () => {
    const { vault: v } = vault();
    for (const operation of ["CreateSecret", "GetSecretValue", "DescribeSecret", "TagResource"]) {
      fake.failNext(operation, { type: "DecryptionFailure", message: "KMS refused" });
    }
    await expect(v.put(REF, { employeeToken: TOKEN })).rejects.toBeInstanceOf(KeyVaultError);
    await expect(v.status(REF)).rejects.toBeInstanceOf(KeyVaultError);
    await v.put(REF, { employeeToken: TOKEN });
    await expect(v.get(REF)).rejects.toBeInstanceOf(KeyVaultError);
    await expect(v.markUsed(REF, new Date())).rejects.toBeInstanceOf(KeyVaultError);
  });
});

describe("tag value encoding", () => {
  it("keeps characters tags allow as they are", () => {
    expect(encodeTagValue("ab=+")).toBe("ab=+");
  });

  it("round-trips characters tags refuse through base64url", () => {
    for (const text of ["#!?~", "b64u:abcd", "æøå!", ""]) expect(decodeTagValue(encodeTagValue(text))).toBe(text);
  });
});
