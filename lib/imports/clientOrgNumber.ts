import { EngagementError } from "../engagements/errors.ts";
import { updateClient } from "../engagements/manageClients.ts";
import type { Client, ClientRef } from "../engagements/types.ts";
import { normaliseOrgNumber, orgNumberToAdopt } from "./activationRules.ts";
import type { EngagementStore } from "../engagements/ports.ts";

/**
 * For a client without an organisation number: the id of another live client of the tenant whose number is the
 * file's (the activation rule ORG_NUMBER_OF_OTHER_CLIENT holds such an import). Undefined when the client has a
 * number of its own, the file states none, or no other client has it.
 */
export async function otherClientWithOrgNumber(
  engagementStore: Pick<EngagementStore, "listClients">,
  client: Client,
  fileOrgNumber: string | undefined,
): Promise<string | undefined> {
  if (client.orgNumber !== undefined || fileOrgNumber === undefined) return undefined;
  const wanted = normaliseOrgNumber(fileOrgNumber);
  const other = (await engagementStore.listClients(client.tenantId)).find(
    (candidate) =>
      candidate.clientId !== client.clientId &&
      candidate.deletedAt === undefined &&
      candidate.orgNumber !== undefined &&
      normaliseOrgNumber(candidate.orgNumber) === wanted,
  );
  return other?.clientId;
}

/**
 * A client without an organisation number takes the one of the first file activated into it — through the client
 * use case (updateClient), so the same checks apply as to a change by hand (mod-11, unique per tenant). Returns the
 * number taken, or undefined when the client already has one, the file states no valid Norwegian number, or the
 * number is taken by another client meanwhile (the import stays active either way: the number is a convenience for
 * the checks of later files, not a condition of this one).
 */
export async function adoptClientOrgNumber(
  deps: { engagementStore: EngagementStore; now?: () => Date },
  ref: ClientRef,
  fileOrgNumber: string | undefined,
): Promise<string | undefined> {
  const orgNumber = orgNumberToAdopt(fileOrgNumber);
  if (orgNumber === undefined) return undefined;
  const client = await deps.engagementStore.getClient({ tenantId: ref.tenantId, clientId: ref.clientId });
  if (client === undefined || client.deletedAt !== undefined || client.orgNumber !== undefined) return undefined;
  try {
    await updateClient(deps, { tenantId: ref.tenantId, clientId: ref.clientId }, { orgNumber });
    return orgNumber;
  } catch (error) {
    if (error instanceof EngagementError) return undefined;
    throw error;
  }
}
