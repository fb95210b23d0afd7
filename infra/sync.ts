// The sync function: a queued sync (the API's sync route, the sweeper) → functions/sync/runSync.ts → the connector's
// pull into the table. And the platform-keys secret it and the connection-checking routes read. See infra/config.ts.
import { platformKeysSecretName, secretPrefix, SYNC_CONFIG, SYNC_PERMISSIONS } from "./config.ts";
import { table } from "./storage.ts";

/**
 * saldo's own keys at PowerOffice Go and Tripletex (README "Platform keys"). Created without a value: an operator
 * sets it out of band (`aws secretsmanager put-secret-value`), so the keys never pass through the deployment's code
 * or state. Outside the clients' `saldo/{stage}/` prefix, so no grant on client keys reaches it.
 */
export const platformKeysSecret = new aws.secretsmanager.Secret("PlatformKeys", {
  name: platformKeysSecretName($app.stage),
  description:
    'saldo platform keys: {"poweroffice-go": {"applicationKey", "subscriptionKey"}, "tripletex": {"consumerToken"}}',
});

const clientKeysArn = $interpolate`arn:aws:secretsmanager:${aws.getRegionOutput().region}:${aws.getCallerIdentityOutput().accountId}:secret:${secretPrefix($app.stage)}/*`;

export const syncFunction = new sst.aws.Function("Sync", {
  handler: SYNC_CONFIG.handler,
  runtime: SYNC_CONFIG.runtime,
  architecture: SYNC_CONFIG.architecture,
  memory: `${SYNC_CONFIG.memoryMb} MB`,
  timeout: `${SYNC_CONFIG.timeoutSeconds} seconds`,
  retries: SYNC_CONFIG.asyncRetries,
  // Names come through the environment and the event; these grants are the function's only permissions (no `link`).
  permissions: [
    { actions: [...SYNC_PERMISSIONS.table], resources: [table.arn] },
    { actions: [...SYNC_PERMISSIONS.clientKeys], resources: [clientKeysArn] },
    { actions: [...SYNC_PERMISSIONS.platformKeys], resources: [platformKeysSecret.arn] },
  ],
  environment: {
    SALDO_TABLE_NAME: table.name,
    SALDO_KEY_VAULT: "secrets-manager",
    SALDO_SECRET_PREFIX: secretPrefix($app.stage),
    SALDO_PLATFORM_KEYS_SECRET: platformKeysSecret.arn,
    SALDO_RETRY_PROFILE: "background",
    POWERTOOLS_SERVICE_NAME: SYNC_CONFIG.powertools.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: SYNC_CONFIG.powertools.metricsNamespace,
  },
  logging: { format: "json", retention: SYNC_CONFIG.logRetention },
});
