import { ulid } from "ulid";
import type { LedgerStore } from "../imports/ports.ts";
import type { KeyVault } from "../secrets/ports.ts";
import { IntegrationSystemSchema } from "../secrets/schemas.ts";
import { ClientNotFoundError, EngagementConflictError, InvalidEngagementInputError } from "./errors.ts";
import type { AccountingSystem, Client, ClientRef } from "./types.ts";

/** Weights of the Norwegian organisation number's check digit (Brønnøysundregistrene, modulus 11 on digits 1–8). */
const ORG_NUMBER_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * Whether `text` is a valid Norwegian organisation number: 9 digits whose last is the mod-11 check digit of the
 * first 8 (weights 3,2,7,6,5,4,3,2; check = 11 − sum mod 11, 11 → 0, 10 → no valid number has this prefix).
 */
export function isValidOrgNumber(text: string): boolean {
  if (!/^\d{9}$/.test(text)) return false;
  const sum = ORG_NUMBER_WEIGHTS.reduce((total, weight, index) => total + weight * Number(text[index]), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(text[8]);
}

/** What a client is made of when created (the ids and timestamps are the use case's). */
export interface NewClient {
  orgNumber: string;
  name: string;
  accountingSystem: AccountingSystem;
}

/** Dependencies of the client use cases. */
export interface ClientDeps {
  store: LedgerStore;
  now?: () => Date;
  /** New client ids; default ULIDs (time-ordered, 26 characters, valid in keys and paths). */
  newId?: () => string;
}

/**
 * Creates a client of the tenant with a generated id.
 *
 * @throws InvalidEngagementInputError for an organisation number that fails mod-11; EngagementConflictError
 * ORG_NUMBER_TAKEN when another client of the tenant (not deleted) has the same number.
 */
export async function createClient(deps: ClientDeps, input: NewClient & { tenantId: string }): Promise<Client> {
  checkOrgNumber(input.orgNumber);
  await assertOrgNumberFree(deps.store, input.tenantId, input.orgNumber);
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const client: Client = {
    tenantId: input.tenantId,
    clientId: (deps.newId ?? ulid)(),
    orgNumber: input.orgNumber,
    name: input.name,
    accountingSystem: input.accountingSystem,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await deps.store.createClient(client))) {
    throw new EngagementConflictError("ID_TAKEN", "a client with this id already exists", {
      clientId: client.clientId,
    });
  }
  return client;
}

/** The tenant's clients that are not deleted, by name. */
export async function listClients(deps: Pick<ClientDeps, "store">, tenantId: string): Promise<Client[]> {
  const clients = await deps.store.listClients(tenantId);
  return clients
    .filter((client) => client.deletedAt === undefined)
    .sort((a, b) => a.name.localeCompare(b.name, "nb") || a.clientId.localeCompare(b.clientId));
}

/**
 * The client, unless it does not exist for this tenant or was deleted.
 *
 * @throws ClientNotFoundError
 */
export async function getClient(deps: Pick<ClientDeps, "store">, ref: ClientRef): Promise<Client> {
  const client = await deps.store.getClient(ref);
  if (!client || client.deletedAt !== undefined) throw new ClientNotFoundError(ref.clientId);
  return client;
}

/**
 * Changes a client's name, organisation number or accounting system.
 *
 * @throws ClientNotFoundError, InvalidEngagementInputError, EngagementConflictError ORG_NUMBER_TAKEN.
 */
export async function updateClient(
  deps: ClientDeps,
  ref: ClientRef,
  changes: Partial<NewClient>,
): Promise<Client> {
  const client = await getClient(deps, ref);
  if (changes.orgNumber !== undefined && changes.orgNumber !== client.orgNumber) {
    checkOrgNumber(changes.orgNumber);
    await assertOrgNumberFree(deps.store, ref.tenantId, changes.orgNumber);
  }
  const updated: Client = {
    ...client,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.orgNumber !== undefined ? { orgNumber: changes.orgNumber } : {}),
    ...(changes.accountingSystem !== undefined ? { accountingSystem: changes.accountingSystem } : {}),
    updatedAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  await deps.store.putClient(updated);
  return updated;
}

/**
 * Soft-deletes a client: it is kept (with `deletedAt`) but hidden from every read, its engagements become
 * unreachable, and new uploads for it are rejected by the import pipeline. Its integration keys are removed from
 * the vault: credentials to a client's books must not outlive the client.
 *
 * @throws ClientNotFoundError when it does not exist or was already deleted.
 */
export async function deleteClient(
  deps: Pick<ClientDeps, "store" | "now"> & { keys: Pick<KeyVault, "delete"> },
  ref: ClientRef,
): Promise<void> {
  const client = await getClient(deps, ref);
  const now = (deps.now ?? (() => new Date()))().toISOString();
  await deps.store.putClient({ ...client, deletedAt: now, updatedAt: now });
  await Promise.all(
    IntegrationSystemSchema.options.map((system) => deps.keys.delete({ tenantId: ref.tenantId, clientId: ref.clientId, system })),
  );
}

function checkOrgNumber(orgNumber: string): void {
  if (!isValidOrgNumber(orgNumber)) {
    throw new InvalidEngagementInputError("the organisation number is not 9 digits with a valid mod-11 check digit", {
      field: "orgNumber",
    });
  }
}

/**
 * Organisation numbers are unique among a tenant's live clients. The check reads the tenant's clients before the
 * write, so two concurrent creations of the same number can both pass: a firm's staff creating the same client in
 * the same second is rare, and the duplicate is visible and deletable.
 */
async function assertOrgNumberFree(store: LedgerStore, tenantId: string, orgNumber: string): Promise<void> {
  const taken = (await store.listClients(tenantId)).find(
    (client) => client.deletedAt === undefined && client.orgNumber === orgNumber,
  );
  if (taken) {
    throw new EngagementConflictError("ORG_NUMBER_TAKEN", `client "${taken.clientId}" already has this organisation number`, {
      clientId: taken.clientId,
    });
  }
}
