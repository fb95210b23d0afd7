import { ulid } from "ulid";
import type { ClientWriteResult, EngagementStore } from "./ports.ts";
import { IdSchema } from "../ids/ids.ts";
import type { KeyVault } from "../secrets/ports.ts";
import { IntegrationSystemSchema } from "../secrets/schemas.ts";
import { ClientNotFoundError, EngagementConflictError, InvalidEngagementInputError } from "./errors.ts";
import { normalizeOrgNumber, orgNumberDigits } from "../ids/orgNumber.ts";
import { rescheduleClientEngagements } from "./refreshSchedule.ts";
import type { AccountingSystem, Client, ClientRef, RefreshInterval } from "./types.ts";

/** What a client is made of when created (the ids and timestamps are the use case's). */
export interface NewClient {
  /** Any of the forms {@link normalizeOrgNumber} accepts; stored as its 9 digits. */
  orgNumber: string;
  name: string;
  accountingSystem: AccountingSystem;
}

/** Dependencies of the client use cases. */
export interface ClientDeps {
  engagementStore: EngagementStore;
  now?: () => Date;
  /** New client ids; default ULIDs (time-ordered, 26 characters, valid in keys and paths). */
  newId?: () => string;
}

/** How many times an update re-reads the client when another write changed it in between. */
const STALE_RETRIES = 3;

/**
 * Creates a client of the tenant, with a generated id — or with `clientId` when the caller names it (`saldo upload`
 * creating the client of a file on first use). The organisation number is normalised ({@link normalizeOrgNumber}:
 * `NO 923 609 016 MVA` → `923609016`) and made unique among the tenant's live clients by the store in the same
 * transaction as the client (a marker item), so two simultaneous creations cannot both get it. It may be left out
 * only by callers that have none (a file that states none); the HTTP API requires it.
 *
 * @throws InvalidEngagementInputError for an organisation number that is not 9 digits with a valid mod-11 check
 * digit, an empty name or an invalid chosen id; EngagementConflictError ORG_NUMBER_TAKEN when another live client of
 * the tenant has the number, ID_TAKEN when the chosen id exists (also when that client was deleted).
 */
export async function createClient(
  deps: ClientDeps,
  input: Omit<NewClient, "orgNumber"> & { tenantId: string; clientId?: string; orgNumber?: string | undefined },
): Promise<Client> {
  const orgNumber = input.orgNumber === undefined ? undefined : checkOrgNumber(input.orgNumber);
  const name = checkName(input.name);
  if (input.clientId !== undefined && !IdSchema.safeParse(input.clientId).success) {
    throw new InvalidEngagementInputError(`"${input.clientId}" is not a valid client id`, { field: "clientId" });
  }
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const client: Client = {
    tenantId: input.tenantId,
    clientId: input.clientId ?? (deps.newId ?? ulid)(),
    ...(orgNumber === undefined ? {} : { orgNumber }),
    name,
    accountingSystem: input.accountingSystem,
    createdAt: now,
    updatedAt: now,
  };
  const result = await deps.engagementStore.createClient(client);
  if (result.outcome === "id-taken") {
    const existing = await deps.engagementStore.getClient(client);
    throw new EngagementConflictError(
      "ID_TAKEN",
      existing?.deletedAt !== undefined
        ? `client "${client.clientId}" was deleted; its id cannot be used for a new client`
        : `a client with id "${client.clientId}" already exists`,
      { clientId: client.clientId, ...(existing?.deletedAt !== undefined ? { deleted: true } : {}) },
    );
  }
  assertWritten(result, orgNumber);
  return client;
}

/** The tenant's clients that are not deleted, by name. */
export async function listClients(deps: Pick<ClientDeps, "engagementStore">, tenantId: string): Promise<Client[]> {
  const clients = await deps.engagementStore.listClients(tenantId);
  return clients
    .filter((client) => client.deletedAt === undefined)
    .sort((a, b) => a.name.localeCompare(b.name, "nb") || a.clientId.localeCompare(b.clientId));
}

/**
 * The client, unless it does not exist for this tenant or was deleted.
 *
 * @throws ClientNotFoundError
 */
export async function getClient(deps: Pick<ClientDeps, "engagementStore">, ref: ClientRef): Promise<Client> {
  const client = await deps.engagementStore.getClient(ref);
  if (!client || client.deletedAt !== undefined) throw new ClientNotFoundError(ref);
  return client;
}

/**
 * Changes a client's name, organisation number (normalised, unique as for {@link createClient}: the number's marker
 * moves with it in one transaction) or accounting system.
 *
 * @throws ClientNotFoundError, InvalidEngagementInputError, EngagementConflictError ORG_NUMBER_TAKEN.
 */
export async function updateClient(
  deps: ClientDeps,
  ref: ClientRef,
  changes: Partial<NewClient> & { refresh?: { interval: RefreshInterval } },
): Promise<Client> {
  const orgNumber = changes.orgNumber === undefined ? undefined : checkOrgNumber(changes.orgNumber);
  const name = changes.name === undefined ? undefined : checkName(changes.name);
  const updated = await replaceLiveClient(
    deps,
    ref,
    (client) => ({
      ...client,
      ...(name !== undefined ? { name } : {}),
      ...(orgNumber !== undefined ? { orgNumber } : {}),
      ...(changes.accountingSystem !== undefined ? { accountingSystem: changes.accountingSystem } : {}),
      ...(changes.refresh !== undefined ? { refresh: { interval: changes.refresh.interval } } : {}),
      updatedAt: (deps.now ?? (() => new Date()))().toISOString(),
    }),
    orgNumber,
  );
  // The interval and the accounting system decide whether and when the schedule refreshes its engagements.
  if (changes.refresh !== undefined || changes.accountingSystem !== undefined) {
    await rescheduleClientEngagements(deps, ref);
  }
  return updated;
}

/**
 * Soft-deletes a client: it is kept (with `deletedAt`) but hidden from every read, its engagements become
 * unreachable, new uploads for it are rejected by the import pipeline, and its organisation number is released (in
 * the same transaction) for another client. Its integration keys are removed from the vault: credentials to a
 * client's books must not outlive the client.
 *
 * @throws ClientNotFoundError when it does not exist or was already deleted.
 */
export async function deleteClient(
  deps: Pick<ClientDeps, "engagementStore" | "now"> & { keys: Pick<KeyVault, "delete"> },
  ref: ClientRef,
): Promise<void> {
  await replaceLiveClient(deps, ref, (client) => {
    const now = (deps.now ?? (() => new Date()))().toISOString();
    return { ...client, deletedAt: now, updatedAt: now };
  });
  await Promise.all(
    IntegrationSystemSchema.options.map((system) =>
      deps.keys.delete({ tenantId: ref.tenantId, clientId: ref.clientId, system }),
    ),
  );
}

/** Reads the live client, writes `change(client)` over it; re-reads and tries again when another write came between. */
async function replaceLiveClient(
  deps: Pick<ClientDeps, "engagementStore">,
  ref: ClientRef,
  change: (client: Client) => Client,
  orgNumber?: string,
): Promise<Client> {
  for (let attempt = 1; ; attempt++) {
    const client = await getClient(deps, ref);
    const next = change(client);
    const result = await deps.engagementStore.replaceClient(client, next);
    if (result.outcome !== "stale") {
      assertWritten(result, orgNumber);
      return next;
    }
    if (attempt >= STALE_RETRIES) {
      throw new EngagementConflictError(
        "CONFLICT",
        `client "${ref.clientId}" kept changing while it was being written: try again`,
        {
          tenantId: ref.tenantId,
          clientId: ref.clientId,
        },
      );
    }
  }
}

/**
 * The organisation number in its stored form.
 *
 * @throws InvalidEngagementInputError naming what is wrong (never more than the field).
 */
function checkOrgNumber(text: string): string {
  const normalized = normalizeOrgNumber(text);
  if (normalized !== undefined) return normalized;
  throw new InvalidEngagementInputError(
    orgNumberDigits(text) === undefined
      ? "the organisation number is not 9 digits (spaces, dots and NO … MVA are allowed around them)"
      : "the organisation number's check digit (mod 11) does not match",
    { field: "orgNumber" },
  );
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) {
    throw new InvalidEngagementInputError("the client's name must be 1–200 characters", { field: "name" });
  }
  return trimmed;
}

function assertWritten(result: ClientWriteResult, orgNumber: string | undefined): void {
  if (result.outcome === "org-number-taken") {
    throw new EngagementConflictError(
      "ORG_NUMBER_TAKEN",
      result.clientId === undefined
        ? `another client already has organisation number ${orgNumber ?? ""}`.trimEnd()
        : `client "${result.clientId}" already has organisation number ${orgNumber ?? ""}`.trimEnd(),
      { ...(result.clientId === undefined ? {} : { clientId: result.clientId }), ...(orgNumber ? { orgNumber } : {}) },
    );
  }
}
