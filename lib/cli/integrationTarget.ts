import type { ConnectorsConfig } from "../config/connectorsConfig.ts";
import { DEFAULT_RETENTION_DAYS } from "../config/functionConfig.ts";
import type { ConnectorRegistry } from "../connectors/ports.ts";
import { createConnectorRegistry } from "../connectors/registry.ts";
import type { SyncDeps, SyncDispatcher } from "../imports/syncFromApi.ts";
import { localConnectorsConfig } from "../local/stack/localFunctionConfig.ts";
import { EncryptedFileKeyVault } from "../secrets/EncryptedFileKeyVault.ts";
import type { KeyVault } from "../secrets/ports.ts";
import { SecretsManagerKeyVault } from "../secrets/SecretsManagerKeyVault.ts";
import { SqsSyncDispatcher } from "../store/SqsSyncDispatcher.ts";
import { TargetNotReachableError } from "./errors.ts";
import { openPipelineTarget, type PipelineTarget } from "./pipelineTarget.ts";

/**
 * The pipeline target (stores) with what `saldo connect` and `saldo sync` need besides: the clients' key vault, the
 * connectors, and — for `sync` — the dispatcher that hands a queued sync to where syncs run.
 */
export interface IntegrationTarget extends PipelineTarget {
  /** The use cases' dependencies (requestSync, checkConnection, putIntegrationKey, the client use cases). */
  deps: SyncDeps;
  /** Where a queued sync is handed over (only when asked for). */
  syncs: SyncDispatcher | undefined;
}

/**
 * Opens the target (lib/cli/resolveTarget.ts) with its key vault and connectors — locally the stack's encrypted file
 * vault and connectors pointed at its fake APIs with the demo platform keys; in AWS Secrets Manager and the vendors'
 * APIs with the deployment's platform-keys secret — and, with `syncs`, an SqsSyncDispatcher to the sync queues: the
 * deployment's in AWS, the local stack's SQS endpoint locally.
 *
 * Why the CLI hands a sync to the queue rather than running it itself, as `saldo upload` hands a file to the bucket
 * rather than importing it: a sync runs where syncs run (the sync worker, with its timeout, retries, rate-limit
 * budget, the dead-letter queue and the sweeper behind it, and the platform keys), so a sync started from the CLI,
 * from the API, by the schedule or by the sweeper is one behaviour — queued by the same use case (`requestSync`),
 * run by the same worker handler.
 *
 * @throws TargetNotReachableError `TARGET_CONFIG_INVALID` naming what to set (AWS) or `LOCAL_STACK_NOT_RUNNING`.
 */
export async function openIntegrationTarget(
  env: Record<string, string | undefined>,
  options: { syncs: boolean },
): Promise<IntegrationTarget> {
  const pipeline = await openPipelineTarget(env);
  try {
    const { integrations } = pipeline.target;
    const keyVault = required(integrations.keyVault);
    const connectors = required(integrations.connectors);
    const keys: KeyVault =
      keyVault.kind === "encrypted-file"
        ? new EncryptedFileKeyVault({ directory: keyVault.directory })
        : new SecretsManagerKeyVault({ prefix: keyVault.prefix });
    const config: ConnectorsConfig =
      "config" in connectors
        ? connectors.config
        : localConnectorsConfig({
            tripletexBaseUrl: connectors.fakes.tripletex,
            powerOfficeGoBaseUrl: connectors.fakes["poweroffice-go"],
          });
    const registry: ConnectorRegistry = createConnectorRegistry(config);
    let syncs: SyncDispatcher | undefined;
    if (options.syncs) {
      // The way the API's sync route and the schedule hand syncs over: the system's sync queue, whose worker runs it.
      const queues = required(integrations.syncQueues);
      syncs = new SqsSyncDispatcher({ queueUrls: queues.urls, clientConfig: queues.clientConfig });
    }
    return {
      ...pipeline,
      deps: {
        engagementStore: pipeline.engagementStore,
        importStore: pipeline.importStore,
        keys,
        connectors: registry,
        // Only runSync writes versions; requestSync, which the CLI calls, keeps nothing for a retention time.
        retentionSeconds: DEFAULT_RETENTION_DAYS * 24 * 60 * 60,
      },
      syncs,
    };
  } catch (error) {
    pipeline.close();
    throw error;
  }
}

function required<T>(value: T | string): T {
  if (typeof value === "string") throw new TargetNotReachableError("TARGET_CONFIG_INVALID", value);
  return value;
}
