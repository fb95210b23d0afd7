import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { EncryptedFileKeyVault } from "../../lib/secrets/EncryptedFileKeyVault.ts";
import type { KeyVault } from "../../lib/secrets/ports.ts";
import { SecretsManagerKeyVault } from "../../lib/secrets/SecretsManagerKeyVault.ts";
import { DynamoLedgerStore } from "../../lib/store/DynamoLedgerStore.ts";

/** The store on the configured table (each handler creates its own once, in its `createHandler`). */
export function createStore(config: FunctionConfig): DynamoLedgerStore {
  return new DynamoLedgerStore({ tableName: config.tableName, clientConfig: config.dynamoClientConfig });
}

/**
 * The configured key vault: Secrets Manager (names `${prefix}/{tenant}/{client}/{system}`), or — in the local stack
 * only, which has no Secrets Manager emulator — the AES-GCM file store in its data folder.
 */
export function createKeyVault(config: FunctionConfig["keyVault"]): KeyVault {
  if (config.kind === "encrypted-file") return new EncryptedFileKeyVault({ directory: config.directory });
  return new SecretsManagerKeyVault({ prefix: config.prefix });
}
