import { createClient } from "../engagements/manageClients.ts";
import { createEngagement, type NewEngagement } from "../engagements/manageEngagements.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { AccountingSystem, ClientRef, Engagement } from "../engagements/types.ts";

/** A client to seed: its ids and what the client card shows. */
export interface SeedClient extends ClientRef {
  name: string;
  accountingSystem: AccountingSystem;
  orgNumber?: string;
}

/** An engagement to seed under the client, with the id it is reached by. */
export type SeedEngagement = { engagementId: string } & NewEngagement;

/**
 * Creates a client and its engagements in a store, as the benchmarks and the tests that need them set up: through
 * the use cases every entry point uses (`createClient`, `createEngagement`), so what is seeded obeys the same rules
 * (a valid and unique organisation number, one engagement per kind and period) as what a user creates.
 *
 * @throws what the use cases throw (e.g. EngagementConflictError `ID_TAKEN` when the client is there already).
 */
export async function seedClient(
  deps: { engagementStore: EngagementStore; now?: () => Date },
  client: SeedClient,
  engagements: readonly SeedEngagement[],
): Promise<Engagement[]> {
  const { engagementStore, now } = deps;
  const useCaseDeps = { engagementStore, ...(now === undefined ? {} : { now }) };
  const { tenantId, clientId, name, accountingSystem, orgNumber } = client;
  await createClient(useCaseDeps, { tenantId, clientId, name, accountingSystem, orgNumber });
  const created: Engagement[] = [];
  for (const { engagementId, ...period } of engagements) {
    created.push(await createEngagement(useCaseDeps, { tenantId, clientId, engagementId }, period));
  }
  return created;
}
