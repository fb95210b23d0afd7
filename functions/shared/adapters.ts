import type { Logger } from "@aws-lambda-powertools/logger";
import { retryConfigFor, type FunctionConfig } from "../../lib/config/functionConfig.ts";
import type { ConnectorRegistry } from "../../lib/connectors/ports.ts";
import { createConnectorRegistry } from "../../lib/connectors/registry.ts";
import type { SyncDeps, SyncDispatcher } from "../../lib/imports/syncFromApi.ts";
import { SqsSyncDispatcher } from "../../lib/store/SqsSyncDispatcher.ts";
import { required } from "./environment.ts";
import { EncryptedFileKeyVault } from "../../lib/secrets/EncryptedFileKeyVault.ts";
import type { KeyVault } from "../../lib/secrets/ports.ts";
import { SecretsManagerKeyVault } from "../../lib/secrets/SecretsManagerKeyVault.ts";
import { createDynamoStores, type DynamoStores } from "../../lib/store/createDynamoStores.ts";
import { DynamoEngagementStore } from "../../lib/store/DynamoEngagementStore.ts";

/** Both stores on the configured table, sharing one client (each handler creates its own, in its `createHandler`). */
export function createStores(config: FunctionConfig): DynamoStores {
  return createDynamoStores({ tableName: config.tableName, clientConfig: config.dynamoClientConfig });
}

/** The client/engagement store alone, for the handlers that read or write no import. */
export function createEngagementStore(config: FunctionConfig): DynamoEngagementStore {
  return new DynamoEngagementStore({ tableName: config.tableName, clientConfig: config.dynamoClientConfig });
}

/**
 * The configured key vault: Secrets Manager (names `${prefix}/{tenant}/{client}/{system}`), or — in the local stack
 * only, which has no Secrets Manager emulator — the AES-GCM file store in its data folder.
 */
export function createKeyVault(config: FunctionConfig["keyVault"]): KeyVault {
  if (config.kind === "encrypted-file") return new EncryptedFileKeyVault({ directory: config.directory });
  return new SecretsManagerKeyVault({ prefix: config.prefix });
}

/** The configured connectors (none without a platform-keys secret): lib/connectors/registry.ts builds them. */
export function createConnectors(config: FunctionConfig): ConnectorRegistry {
  return config.connectors === undefined ? {} : createConnectorRegistry(config.connectors);
}

/**
 * What running a sync needs (the sync worker, the schedule's round): both stores, the key vault,
 * the connectors, the retention of superseded versions, and a log line per step through the function's logger.
 */
export function createSyncDeps(config: FunctionConfig, logger: Logger): SyncDeps {
  return {
    ...createStores(config),
    keys: createKeyVault(config.keyVault),
    connectors: createConnectors(config),
    retentionSeconds: config.retentionSeconds,
    log: (message, fields) => logger.info(message, fields),
  };
}

/**
 * Hands queued syncs over (the API's sync route, the schedule's fan-out, the sweeper) to the system's sync queue,
 * whose worker runs them under the system's rate limit — SQS in the cloud, the local stack's SQS endpoint locally.
 */
export function createSyncDispatcher(config: FunctionConfig): SyncDispatcher {
  return new SqsSyncDispatcher({
    queueUrls: required(config.syncQueueUrls, "SALDO_SYNC_QUEUE_TRIPLETEX_URL", "the sync queues"),
    clientConfig: { ...retryConfigFor(config.retryProfile), ...config.sqsClientConfig },
  });
}
