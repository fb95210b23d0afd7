import { rescheduleClientEngagements } from "../engagements/refreshSchedule.ts";
import { ConnectorError } from "../connectors/errors.ts";
import type { AccountingConnector, ConnectedCompany } from "../connectors/ports.ts";
import { getClient } from "../engagements/manageClients.ts";
import { putIntegrationKey, useIntegrationKey } from "../engagements/manageIntegrationKeys.ts";
import type { Client, ClientConnection, ClientRef } from "../engagements/types.ts";
import type { Secret } from "../secrets/Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem, KeyStatus } from "../secrets/types.ts";
import { IntegrationCompanyUnreachableError, SyncNotConnectedError } from "./errors.ts";
import { checkConnection, type SyncDeps } from "./syncFromApi.ts";

/** What the integration use cases need: the client store, the key vault and the connectors. */
export type IntegrationDeps = Pick<SyncDeps, "engagementStore" | "keys" | "connectors" | "now">;

type IntegrationRef<S extends IntegrationSystem = IntegrationSystem> = ClientRef & { system: S };

/**
 * A client's integration with one accounting system as the API shows it: the key's status (never the key), the
 * company bound to the client, and how the connection was last seen (shown only while a key is stored: the status of
 * a deleted key would describe a key that is gone).
 */
export interface IntegrationView {
  system: IntegrationSystem;
  key: KeyStatus;
  companyId: string | undefined;
  connection: ClientConnection | undefined;
}

/**
 * The client's integration with `ref.system`.
 *
 * @throws ClientNotFoundError
 */
export async function getIntegration(deps: IntegrationDeps, ref: IntegrationRef): Promise<IntegrationView> {
  const client = await getClient(deps, ref);
  const key = await deps.keys.status(ref);
  const integration = client.integrations?.[ref.system];
  return {
    system: ref.system,
    key,
    companyId: integration?.companyId,
    connection: key.set ? integration?.connection : undefined,
  };
}

/**
 * Stores the client's key and checks it at once with the system (when this deployment has its connector), recording
 * the connection's status: a wrong key is seen when it is entered, not at the first sync.
 *
 * @throws ClientNotFoundError; InvalidKeyValueError; KeyVaultError
 */
export async function storeIntegrationKey<S extends IntegrationSystem>(
  deps: IntegrationDeps,
  ref: IntegrationRef<S>,
  value: Secret<IntegrationKeyBySystem[S]>,
): Promise<IntegrationView> {
  await putIntegrationKey(deps, ref, value);
  await keepCompanyBindingIfReachable(deps, ref);
  if (deps.connectors[ref.system] !== undefined) await checkConnection(deps, ref);
  // A connected client's open engagements join the schedule (README "Scheduled refresh").
  await rescheduleClientEngagements(deps, ref);
  return getIntegration(deps, ref);
}

/**
 * Checks the client's stored key live with the system and records the outcome (`POST …/integrations/{system}/check`).
 *
 * @throws ClientNotFoundError; KeyNotFoundError (no key stored); SyncNotConnectedError (no connector)
 */
export async function recheckIntegration(deps: IntegrationDeps, ref: IntegrationRef): Promise<IntegrationView> {
  await checkConnection(deps, ref);
  return getIntegration(deps, ref);
}

/**
 * The companies the client's key may act for (a Tripletex accountant key: its client companies; any other key: its
 * own company), with the one bound to the client, if any.
 *
 * @throws ClientNotFoundError; KeyNotFoundError; SyncNotConnectedError; ConnectorError (the key refused, no access,
 *   the system unavailable)
 */
export async function listIntegrationCompanies(
  deps: IntegrationDeps,
  ref: IntegrationRef,
): Promise<{ companies: ConnectedCompany[]; companyId: string | undefined }> {
  const client = await getClient(deps, ref);
  const companies = await companiesOf(deps, ref, client);
  return { companies, companyId: client.integrations?.[ref.system]?.companyId };
}

/** The companies the key of `client` (as just read) may act for, without reading the client again. */
async function companiesOf(deps: IntegrationDeps, ref: IntegrationRef, client: Client): Promise<ConnectedCompany[]> {
  const connector = connectorOf(deps, ref);
  const key = await useIntegrationKey(deps, ref, client);
  return connector.listCompanies({ key });
}

/**
 * Binds the client to one of the companies its key may act for (Tripletex accountant keys act for a client company
 * through its id), or removes the binding (`companyId` null: the key's own company again); then checks the
 * connection as bound and records it. A company the key does not reach is refused and nothing changes.
 *
 * @throws IntegrationCompanyUnreachableError; as {@link listIntegrationCompanies}
 */
export async function bindIntegrationCompany(
  deps: IntegrationDeps,
  ref: IntegrationRef,
  companyId: string | null,
): Promise<IntegrationView> {
  await getClient(deps, ref);
  if (companyId !== null) {
    const { companies } = await listIntegrationCompanies(deps, ref);
    if (!companies.some((company) => company.id === companyId)) {
      throw new IntegrationCompanyUnreachableError(
        { clientId: ref.clientId, system: ref.system, companyId },
        companies.length,
      );
    }
  }
  // The previous connection described the previous binding: the check below records the new one.
  await deps.engagementStore.recordIntegration(ref, ref.system, companyId === null ? {} : { companyId });
  return recheckIntegration(deps, ref);
}

/**
 * After a new key is stored: the company bound with the previous key stays bound only when the new key reaches it
 * (the same accountant key pasted again, or a new one of the same firm); otherwise the binding goes, and the client
 * acts for the new key's own company until one is bound (an accountant key unbound is refused at sync). When the
 * system cannot answer now (rate-limited, unavailable) the binding is kept: the check that follows records that.
 * Reads the client once.
 */
async function keepCompanyBindingIfReachable(deps: IntegrationDeps, ref: IntegrationRef): Promise<void> {
  const client = await getClient(deps, ref);
  const companyId = client.integrations?.[ref.system]?.companyId;
  if (companyId === undefined) return;
  let reachable = false;
  if (deps.connectors[ref.system] !== undefined) {
    try {
      reachable = (await companiesOf(deps, ref, client)).some((company) => company.id === companyId);
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      reachable = error.status === "rate-limited" || error.status === "unavailable";
    }
  }
  if (!reachable) await deps.engagementStore.recordIntegration(ref, ref.system, {});
}

function connectorOf(deps: IntegrationDeps, ref: IntegrationRef): AccountingConnector {
  const connector = deps.connectors[ref.system] as AccountingConnector | undefined;
  if (connector === undefined) {
    throw new SyncNotConnectedError(`this deployment has no ${ref.system} connector`, {
      clientId: ref.clientId,
      system: ref.system,
      reason: "no-connector",
    });
  }
  return connector;
}
