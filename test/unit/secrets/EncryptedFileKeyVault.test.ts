import { randomBytes } from "node:crypto";
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EncryptedFileKeyVault, localKeyVaultDirectory } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { KeyVaultCorruptError, KeyVaultMasterKeyError, KeyVaultTamperedError } from "../../../lib/secrets/errors.ts";
import type { KeyRef } from "../../../lib/secrets/types.ts";

const REF: KeyRef<"poweroffice-go"> = { tenantId: "acme-regnskap", clientId: "fjellbekk", system: "poweroffice-go" };
const OTHER: KeyRef<"poweroffice-go"> = { ...REF, tenantId: "other-firm" };
const CLIENT_KEY = "6f1c2a4e-9b0d-4c3e-8f7a-2d5b1e0c9a41";

let dataDir: string;
let directory: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "saldo-file-vault-"));
  directory = localKeyVaultDirectory(dataDir);
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function keyFiles(): Promise<string[]> {
  return (await readdir(join(directory, "keys"))).map((file) => join(directory, "keys", file));
}

async function onlyKeyFile(): Promise<string> {
  const files = await keyFiles();
  expect(files).toHaveLength(1);
  return files[0]!;
}

describe("EncryptedFileKeyVault", () => {
  it("keeps its files under ${dataDir}/secrets", () => {
    expect(directory).toBe(join(dataDir, "secrets"));
  });

  it("creates a 32-byte master key file with mode 0600 on first use, in a 0700 folder", async () => {
    await new EncryptedFileKeyVault({ directory }).put(REF, { clientKey: CLIENT_KEY });
    const keyFile = join(directory, "master.key");
    expect(Buffer.from((await readFile(keyFile, "utf8")).trim(), "base64")).toHaveLength(32);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
  });

  it("writes each key file with mode 0600", async () => {
    await new EncryptedFileKeyVault({ directory }).put(REF, { clientKey: CLIENT_KEY });
    expect((await stat(await onlyKeyFile())).mode & 0o777).toBe(0o600);
  });

  it("reads a key written by another instance over the same folder (the master key file is reused)", async () => {
    await new EncryptedFileKeyVault({ directory }).put(REF, { clientKey: CLIENT_KEY });
    expect((await new EncryptedFileKeyVault({ directory }).get(REF)).reveal()).toEqual({ clientKey: CLIENT_KEY });
  });

  it("agrees on one master key when two instances create it at the same time", async () => {
    const first = new EncryptedFileKeyVault({ directory });
    const second = new EncryptedFileKeyVault({ directory });
    await Promise.all([
      first.put(REF, { clientKey: CLIENT_KEY }),
      second.put(OTHER, { clientKey: "other-firm-key-0001" }),
    ]);
    expect((await second.get(REF)).reveal()).toEqual({ clientKey: CLIENT_KEY });
    expect((await first.get(OTHER)).reveal()).toEqual({ clientKey: "other-firm-key-0001" });
  });

  it("never writes the plaintext (nor its base64) to disk", async () => {
    await new EncryptedFileKeyVault({ directory }).put(REF, { clientKey: CLIENT_KEY });
    const text = await readFile(await onlyKeyFile(), "utf8");
    expect(text).not.toContain(CLIENT_KEY);
    expect(text).not.toContain(Buffer.from(CLIENT_KEY).toString("base64").slice(0, 24));
    expect(text).not.toContain("clientKey");
    expect(JSON.parse(text)).toMatchObject({
      format: "saldo-key-vault/1",
      name: "saldo/acme-regnskap/fjellbekk/poweroffice-go",
      last4: "9a41",
    });
  });

  it("uses a fresh IV for every write, so equal values encrypt differently", async () => {
    const vault = new EncryptedFileKeyVault({ directory });
    await vault.put(REF, { clientKey: CLIENT_KEY });
    const first = JSON.parse(await readFile(await onlyKeyFile(), "utf8")) as { iv: string; ciphertext: string };
    await vault.put(REF, { clientKey: CLIENT_KEY });
    const second = JSON.parse(await readFile(await onlyKeyFile(), "utf8")) as { iv: string; ciphertext: string };
    expect(Buffer.from(first.iv, "base64")).toHaveLength(12);
    expect(second.iv).not.toBe(first.iv);
    expect(second.ciphertext).not.toBe(first.ciphertext);
  });

  it("leaves no temporary files behind", async () => {
    const vault = new EncryptedFileKeyVault({ directory });
    await vault.put(REF, { clientKey: CLIENT_KEY });
    await vault.markUsed(REF, new Date("2026-03-01T10:00:00.000Z"));
    expect((await readdir(directory)).sort()).toEqual(["keys", "master.key"]);
    expect(await keyFiles()).toHaveLength(1);
  });

  it("detects an altered ciphertext as tampering", async () => {
    const vault = new EncryptedFileKeyVault({ directory });
    await vault.put(REF, { clientKey: CLIENT_KEY });
    const file = await onlyKeyFile();
    const record = JSON.parse(await readFile(file, "utf8")) as { ciphertext: string };
    const bytes = Buffer.from(record.ciphertext, "base64");
    bytes[0] = bytes[0]! ^ 0x01;
    await writeFile(file, JSON.stringify({ ...record, ciphertext: bytes.toString("base64") }));
    await expect(vault.get(REF)).rejects.toBeInstanceOf(KeyVaultTamperedError);
  });

  it("detects an altered authentication tag as tampering", async () => {
    const vault = new EncryptedFileKeyVault({ directory });
    await vault.put(REF, { clientKey: CLIENT_KEY });
    const file = await onlyKeyFile();
    const record = JSON.parse(await readFile(file, "utf8")) as { tag: string };
    await writeFile(file, JSON.stringify({ ...record, tag: randomBytes(16).toString("base64") }));
    await expect(vault.get(REF)).rejects.toMatchObject({ code: "KEY_VAULT_TAMPERED" });
  });

  it("refuses another tenant's file copied into this tenant's place (the name is authenticated)", async () => {
    const vault = new EncryptedFileKeyVault({ directory });
    await vault.put(OTHER, { clientKey: "other-firm-key-0001" });
    const otherFile = await onlyKeyFile();
    await vault.put(REF, { clientKey: CLIENT_KEY });
    const ownFile = (await keyFiles()).find((file) => file !== otherFile)!;
    await copyFile(otherFile, ownFile);
    await expect(vault.get(REF)).rejects.toBeInstanceOf(KeyVaultTamperedError);
  });

  it("reports a wrong master key as such, cleanly and without the value", async () => {
    await new EncryptedFileKeyVault({ directory }).put(REF, { clientKey: CLIENT_KEY });
    const error = await new EncryptedFileKeyVault({ directory, masterKey: randomBytes(32) })
      .get(REF)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyVaultMasterKeyError);
    expect(error).toMatchObject({ code: "KEY_VAULT_MASTER_KEY" });
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain("9a41");
  });

  it("still answers status with a wrong master key (status never decrypts)", async () => {
    await new EncryptedFileKeyVault({ directory }).put(REF, { clientKey: CLIENT_KEY });
    const status = await new EncryptedFileKeyVault({ directory, masterKey: randomBytes(32) }).status(REF);
    expect(status).toMatchObject({ set: true, masked: "••••9a41" });
  });

  it("uses a given master key instead of creating a key file", async () => {
    const masterKey = randomBytes(32);
    await new EncryptedFileKeyVault({ directory, masterKey }).put(REF, { clientKey: CLIENT_KEY });
    expect(await readdir(directory)).toEqual(["keys"]);
    expect((await new EncryptedFileKeyVault({ directory, masterKey }).get(REF)).reveal()).toEqual({
      clientKey: CLIENT_KEY,
    });
  });

  it("refuses a master key that is not 32 bytes", async () => {
    const vault = new EncryptedFileKeyVault({ directory, masterKey: randomBytes(16) });
    await expect(vault.put(REF, { clientKey: CLIENT_KEY })).rejects.toBeInstanceOf(KeyVaultMasterKeyError);
  });

  it("refuses a master key file that does not hold 32 bytes", async () => {
    await new EncryptedFileKeyVault({ directory }).put(REF, { clientKey: CLIENT_KEY });
    await writeFile(join(directory, "master.key"), "c2hvcnQ=\n");
    await expect(new EncryptedFileKeyVault({ directory }).get(REF)).rejects.toBeInstanceOf(KeyVaultMasterKeyError);
  });

  it("reports a key file that is not JSON as corrupt", async () => {
    const vault = new EncryptedFileKeyVault({ directory });
    await vault.put(REF, { clientKey: CLIENT_KEY });
    await writeFile(await onlyKeyFile(), "{ not json");
    await expect(vault.status(REF)).rejects.toBeInstanceOf(KeyVaultCorruptError);
  });

  it("deletes the key file", async () => {
    const vault = new EncryptedFileKeyVault({ directory });
    await vault.put(REF, { clientKey: CLIENT_KEY });
    await vault.delete(REF);
    expect(await keyFiles()).toEqual([]);
  });

  it("does not lose a put that races with markUsed", async () => {
    const vault = new EncryptedFileKeyVault({ directory });
    await vault.put(REF, { clientKey: CLIENT_KEY });
    await Promise.all([
      vault.markUsed(REF, new Date("2026-03-01T10:00:00.000Z")),
      vault.put(REF, { clientKey: "replacement-key-5555" }),
      vault.markUsed(REF, new Date("2026-03-01T10:00:01.000Z")),
    ]);
    expect((await vault.get(REF)).reveal()).toEqual({ clientKey: "replacement-key-5555" });
    expect(await vault.status(REF)).toMatchObject({ masked: "••••5555", lastUsedAt: "2026-03-01T10:00:01.000Z" });
  });
});
