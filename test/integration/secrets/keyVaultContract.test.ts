import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { EncryptedFileKeyVault } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { SecretsManagerKeyVault } from "../../../lib/secrets/SecretsManagerKeyVault.ts";
import { startFakeSecretsManager, type FakeSecretsManager } from "./fakeSecretsManager.ts";
import { describeKeyVaultContract } from "./keyVaultContract.ts";

let fake: FakeSecretsManager;
let folder: string;
let vaults = 0;

beforeAll(async () => {
  fake = await startFakeSecretsManager();
  folder = await mkdtemp(join(tmpdir(), "saldo-key-vault-"));
});

afterAll(async () => {
  await fake.stop();
  await rm(folder, { recursive: true, force: true });
});

// Each vault gets its own prefix (Secrets Manager) or folder (files), so every test starts empty.
describeKeyVaultContract(
  "SecretsManagerKeyVault (real SDK client, fake Secrets Manager over HTTP)",
  async (clock) =>
    new SecretsManagerKeyVault({ client: fake.client(), prefix: `saldo-contract-${++vaults}`, now: clock.now }),
);

describeKeyVaultContract(
  "EncryptedFileKeyVault (AES-256-GCM files)",
  async (clock) => new EncryptedFileKeyVault({ directory: join(folder, `vault-${++vaults}`), now: clock.now }),
);
