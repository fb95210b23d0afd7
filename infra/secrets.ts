// saldo's own secret: the platform-keys secret the sync workers and the connection-checking routes read (README
// "Platform keys"). The clients' keys are created at run time under `saldo/{stage}/` by the API (never here).
import { platformKeysSecretName } from "./config.ts";

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
