import type { ConnectedCompany } from "../connectors/ports.ts";
import { refreshIntervalOf } from "../engagements/refreshSchedule.ts";
import type { Client, Engagement } from "../engagements/types.ts";
import type { IntegrationView } from "../imports/integrationConnection.ts";
import { toReconciliationSummary, type ReconciliationJson } from "../reconcile/reconciliationJson.ts";
import type { IntegrationSystem } from "../secrets/types.ts";
import type {
  ClientJson,
  ConnectedCompanyJson,
  EngagementJson,
  IntegrationCompaniesJson,
  IntegrationStatusJson,
} from "./schemas.ts";

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
    refresh: { interval: refreshIntervalOf(client) },
  };
}

/** An engagement as the API shows it, with the summary of its reconciliation (null when not computed). */
export function toEngagementJson(engagement: Engagement, reconciliation: ReconciliationJson | null): EngagementJson {
  return {
    clientId: engagement.clientId,
    engagementId: engagement.engagementId,
    kind: engagement.kind,
    fiscalYear: engagement.fiscalYear,
    periodStart: engagement.periodStart,
    periodEnd: engagement.periodEnd,
    createdAt: engagement.createdAt,
    activeImportId: engagement.activeImportId ?? null,
    reconciliation: reconciliation === null ? null : toReconciliationSummary(reconciliation),
    closedAt: engagement.closedAt ?? null,
    refresh: {
      dataAsOf: engagement.refresh?.dataAsOf ?? null,
      lastRunAt: engagement.refresh?.lastRunAt ?? null,
      lastOutcome: engagement.refresh?.lastOutcome ?? null,
      lastImportId: engagement.refresh?.lastImportId ?? null,
      lastTrigger: engagement.refresh?.lastTrigger ?? null,
      lastError: engagement.refresh?.lastError ?? null,
      nextRunAt: engagement.refreshDueAt ?? null,
    },
  };
}

/** A client's integration as the API shows it: the key's status (never the key), the binding, the connection. */
export function toIntegrationJson(view: IntegrationView): IntegrationStatusJson {
  const connection = view.connection;
  return {
    system: view.system,
    ...view.key,
    companyId: view.companyId ?? null,
    connection: connection
      ? {
          status: connection.status,
          checkedAt: connection.checkedAt,
          company: connection.company ? toCompanyJson(connection.company) : null,
          missingPrivileges: connection.missingPrivileges ?? [],
          message: connection.message ?? null,
        }
      : null,
  };
}

/** The companies a key may log into, and the one bound to the client. */
export function toCompaniesJson(
  system: IntegrationSystem,
  listed: { companies: ConnectedCompany[]; companyId: string | undefined },
): IntegrationCompaniesJson {
  return { system, companyId: listed.companyId ?? null, companies: listed.companies.map(toCompanyJson) };
}

function toCompanyJson(company: ConnectedCompany): ConnectedCompanyJson {
  return { id: company.id, name: company.name, orgNumber: company.orgNumber ?? null };
}
