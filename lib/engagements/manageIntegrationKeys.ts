import type { EngagementStore } from "./ports.ts";
import type { KeyVault } from "../secrets/ports.ts";
import type { Secret } from "../secrets/Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem, KeyStatus } from "../secrets/types.ts";
import { getClient } from "./manageClients.ts";
import type { Client, ClientRef } from "./types.ts";

/** Dependencies of the integration-key use cases: the vault and the store (to check the client is the tenant's). */
export interface IntegrationKeyDeps {
  engagementStore: EngagementStore;
  keys: KeyVault;
  /** When a key is used (`lastUsedAt`); default the system clock. */
  now?: () => Date;
}

/**
 * The client's key for an accounting system, for a connector about to read the client's books — the only way use-case
 * code reads a key's value. Records the use (`lastUsedAt` in the key's status) before handing the key out, so a
 * status never says "never used" for a key that was read (a sync, a connection check, a company listing).
 *
 * `client` is the client as the caller has just read it (live, the same id): the key is then read without reading the
 * client again.
 *
 * @throws ClientNotFoundError; KeyNotFoundError when no key is set; KeyVaultError.
 */
export async function useIntegrationKey<S extends IntegrationSystem>(
  deps: IntegrationKeyDeps,
  ref: ClientRef & { system: S },
  client?: Client,
): Promise<Secret<IntegrationKeyBySystem[S]>> {
  if (client?.clientId !== ref.clientId || client.tenantId !== ref.tenantId || client.deletedAt !== undefined)
    await getClient(deps, ref);
  const value = await deps.keys.get(ref);
  await deps.keys.markUsed(ref, (deps.now ?? (() => new Date()))());
  return value;
}

/**
 * Stores a client's key for an accounting system and returns its status (masked to the last 4 characters). The
 * value arrives wrapped in a {@link Secret} and is only revealed inside the vault.
 *
 * @throws ClientNotFoundError; InvalidKeyValueError when the value does not have the system's shape.
 */
export async function putIntegrationKey<S extends IntegrationSystem>(
  deps: IntegrationKeyDeps,
  ref: ClientRef & { system: S },
  value: Secret<IntegrationKeyBySystem[S]>,
): Promise<KeyStatus> {
  await getClient(deps, ref);
  return deps.keys.put(ref, value);
}

/**
 * Whether the client has a key for the system, masked, with when it was stored and last used. Never the value.
 *
 * @throws ClientNotFoundError
 */
export async function getIntegrationKeyStatus(
  deps: IntegrationKeyDeps,
  ref: ClientRef & { system: IntegrationSystem },
): Promise<KeyStatus> {
  await getClient(deps, ref);
  return deps.keys.status(ref);
}

/**
 * Removes the client's key for the system and its connection record (the client is no longer connected to it: the
 * default plan reads files again); `false` when no key was set.
 *
 * @throws ClientNotFoundError
 */
export async function deleteIntegrationKey(
  deps: IntegrationKeyDeps,
  ref: ClientRef & { system: IntegrationSystem },
): Promise<boolean> {
  await getClient(deps, ref);
  const deleted = await deps.keys.delete(ref);
  // Without a key the client is no longer connected: its plan's default reads files again, the schedule skips it, and
  // a Tripletex company binding made with the old key is forgotten with it.
  await deps.engagementStore.removeIntegration(ref, ref.system);
  return deleted;
}
