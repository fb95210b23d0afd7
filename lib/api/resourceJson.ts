import type { Client, Engagement } from "../engagements/types.ts";
import type { ClientJson, EngagementJson } from "./schemas.ts";

/** A client as the API shows it (no tenant id: the caller's tenant is implied; no deletion mark: deleted ones are gone). */
export function toClientJson(client: Client): ClientJson {
  return {
    clientId: client.clientId,
    orgNumber: client.orgNumber ?? null,
    name: client.name,
    accountingSystem: client.accountingSystem,
    createdAt: client.createdAt,
    updatedAt: client.updatedAt,
    csvLayout: client.csvLayout
      ? {
          layout: client.csvLayout.layout,
          encoding: client.csvLayout.encoding ?? null,
          importId: client.csvLayout.importId,
          rememberedAt: client.csvLayout.rememberedAt,
        }
      : null,
  };
}

/** An engagement as the API shows it. */
export function toEngagementJson(engagement: Engagement): EngagementJson {
  return {
    clientId: engagement.clientId,
    engagementId: engagement.engagementId,
    kind: engagement.kind,
    fiscalYear: engagement.fiscalYear,
    periodStart: engagement.periodStart,
    periodEnd: engagement.periodEnd,
    createdAt: engagement.createdAt,
    activeImportId: engagement.activeImportId ?? null,
  };
}
