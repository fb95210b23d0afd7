import type {
  ClientWriteResult,
  EngagementScheduleChange,
  EngagementStore,
  EngagementWriteResult,
} from "../engagements/ports.ts";
import type {
  Client,
  ClientIntegration,
  ClientRef,
  Engagement,
  EngagementRef,
  RememberedCsvLayout,
} from "../engagements/types.ts";
import type { IntegrationSystem } from "../secrets/types.ts";
import { byEscaped, copy, copyOrUndefined, engagementKey, SEP } from "./inMemoryKeys.ts";

/**
 * An EngagementStore in process memory, for unit tests of the use cases (create one with its import store through
 * createInMemoryStores). It follows DynamoEngagementStore's semantics (tenant scoping, organisation-number markers,
 * optimistic replacement, sort orders) without its storage format; every value goes in and out as a copy, as it would
 * through a database.
 *
 * Like DynamoEngagementStore, `putEngagement`/`createEngagement` leave `activeImportId`/`activeOrderKey` alone: only
 * InMemoryImportStore.activateImport moves them (through {@link InMemoryEngagementStore.storedEngagement}).
 */
export class InMemoryEngagementStore implements EngagementStore {
  private readonly clients = new Map<string, Client>();
  /** The organisation-number markers: tenant + number → the live client holding it. */
  private readonly orgNumbers = new Map<string, string>();
  private readonly engagements = new Map<string, Engagement>();
  /** The period markers: tenant + client + kind + period → the engagement holding it. */
  private readonly periods = new Map<string, string>();

  async createClient(client: Client): Promise<ClientWriteResult> {
    if (this.clients.has(clientKey(client))) return { outcome: "id-taken" };
    const number = liveOrgNumber(client);
    if (number !== undefined) {
      const holder = this.orgNumbers.get(orgNumberKey(client.tenantId, number));
      if (holder !== undefined) return { outcome: "org-number-taken", clientId: holder };
      this.orgNumbers.set(orgNumberKey(client.tenantId, number), client.clientId);
    }
    this.clients.set(clientKey(client), copy(client));
    return { outcome: "written" };
  }

  async replaceClient(previous: Client, next: Client): Promise<ClientWriteResult> {
    // Everything below runs without an await: atomic, as DynamoEngagementStore's one transaction.
    const current = this.clients.get(clientKey(next));
    if (current === undefined || current.deletedAt !== undefined || current.updatedAt !== previous.updatedAt) {
      return { outcome: "stale" };
    }
    const before = liveOrgNumber(current);
    const after = liveOrgNumber(next);
    if (after !== undefined && after !== before) {
      const holder = this.orgNumbers.get(orgNumberKey(next.tenantId, after));
      if (holder !== undefined && holder !== next.clientId) return { outcome: "org-number-taken", clientId: holder };
      this.orgNumbers.set(orgNumberKey(next.tenantId, after), next.clientId);
    }
    if (
      before !== undefined &&
      before !== after &&
      this.orgNumbers.get(orgNumberKey(next.tenantId, before)) === next.clientId
    ) {
      this.orgNumbers.delete(orgNumberKey(next.tenantId, before));
    }
    this.clients.set(clientKey(next), copy(next));
    return { outcome: "written" };
  }

  async getClient(ref: ClientRef): Promise<Client | undefined> {
    return copyOrUndefined(this.clients.get(clientKey(ref)));
  }

  async rememberCsvLayout(ref: ClientRef, remembered: RememberedCsvLayout): Promise<boolean> {
    const client = this.clients.get(clientKey(ref));
    if (client === undefined || client.deletedAt !== undefined) return false;
    this.clients.set(clientKey(ref), copy({ ...client, csvLayout: remembered }));
    return true;
  }

  async recordIntegration(ref: ClientRef, system: IntegrationSystem, integration: ClientIntegration): Promise<boolean> {
    const client = this.clients.get(clientKey(ref));
    if (client === undefined || client.deletedAt !== undefined) return false;
    this.clients.set(
      clientKey(ref),
      copy({ ...client, integrations: { ...client.integrations, [system]: integration } }),
    );
    return true;
  }

  async removeIntegration(ref: ClientRef, system: IntegrationSystem): Promise<boolean> {
    const client = this.clients.get(clientKey(ref));
    if (client === undefined || client.deletedAt !== undefined || client.integrations?.[system] === undefined)
      return false;
    const { [system]: _removed, ...rest } = client.integrations;
    this.clients.set(clientKey(ref), copy({ ...client, integrations: rest }));
    return true;
  }

  async listClients(tenantId: string): Promise<Client[]> {
    return [...this.clients.values()]
      .filter((client) => client.tenantId === tenantId)
      .sort(byEscaped((client) => client.clientId))
      .map(copy);
  }

  async putEngagement(engagement: Engagement): Promise<void> {
    const existing = this.engagements.get(engagementKey(engagement));
    this.engagements.set(engagementKey(engagement), {
      ...withoutActivation(copy(engagement)),
      ...(existing?.activeImportId === undefined ? {} : { activeImportId: existing.activeImportId }),
      ...(existing?.activeOrderKey === undefined ? {} : { activeOrderKey: existing.activeOrderKey }),
      ...(existing?.closedAt === undefined ? {} : { closedAt: existing.closedAt }),
      ...(existing?.refresh === undefined ? {} : { refresh: existing.refresh }),
      ...(existing?.refreshDueAt === undefined ? {} : { refreshDueAt: existing.refreshDueAt }),
      ...(existing?.sources === undefined ? {} : { sources: existing.sources }),
      ...(existing?.sourcePlan === undefined ? {} : { sourcePlan: existing.sourcePlan }),
    });
  }

  async createEngagement(engagement: Engagement): Promise<EngagementWriteResult> {
    if (this.engagements.has(engagementKey(engagement))) return { outcome: "id-taken" };
    const period = periodKey(engagement);
    const holder = this.periods.get(period);
    if (holder !== undefined) return { outcome: "period-taken", engagementId: holder };
    this.engagements.set(engagementKey(engagement), withoutActivation(copy(engagement)));
    this.periods.set(period, engagement.engagementId);
    return { outcome: "written" };
  }

  async getEngagement(ref: EngagementRef): Promise<Engagement | undefined> {
    return copyOrUndefined(this.engagements.get(engagementKey(ref)));
  }

  async listEngagements(ref: ClientRef): Promise<Engagement[]> {
    return [...this.engagements.values()]
      .filter((engagement) => engagement.tenantId === ref.tenantId && engagement.clientId === ref.clientId)
      .sort(byEscaped((engagement) => engagement.engagementId))
      .map(copy);
  }

  async updateEngagementSchedule(ref: EngagementRef, change: EngagementScheduleChange): Promise<boolean> {
    const stored = this.engagements.get(engagementKey(ref));
    if (stored === undefined) return false;
    // In place: the in-memory ImportStore holds this object (storedEngagement), as activation writes the same item.
    if (change.closedAt === null) delete stored.closedAt;
    else if (change.closedAt !== undefined) stored.closedAt = change.closedAt;
    if (change.refresh !== undefined) stored.refresh = copy(change.refresh);
    if (change.refreshDueAt === null) delete stored.refreshDueAt;
    else if (change.refreshDueAt !== undefined) stored.refreshDueAt = change.refreshDueAt;
    return true;
  }

  async listDueRefreshes(now: string, limit: number): Promise<Engagement[]> {
    return [...this.engagements.values()]
      .filter((engagement) => engagement.refreshDueAt !== undefined && engagement.refreshDueAt <= now)
      .sort((a, b) => (a.refreshDueAt! < b.refreshDueAt! ? -1 : a.refreshDueAt! > b.refreshDueAt! ? 1 : 0))
      .slice(0, limit)
      .map(copy);
  }

  /**
   * The stored engagement itself, not a copy: the in-memory ImportStore switches its active version there, as
   * DynamoImportStore's activation writes the engagement item of the shared table.
   */
  storedEngagement(ref: EngagementRef): Engagement | undefined {
    return this.engagements.get(engagementKey(ref));
  }
}

function clientKey(ref: ClientRef): string {
  return [ref.tenantId, ref.clientId].join(SEP);
}

function periodKey(engagement: Engagement): string {
  return [engagement.tenantId, engagement.clientId, engagement.kind, engagement.periodStart, engagement.periodEnd].join(
    SEP,
  );
}

function orgNumberKey(tenantId: string, orgNumber: string): string {
  return [tenantId, orgNumber].join(SEP);
}

/** The organisation number a client holds a marker for: only live clients hold one. */
function liveOrgNumber(client: Client): string | undefined {
  return client.deletedAt === undefined ? client.orgNumber : undefined;
}

/** The engagement as putEngagement/createEngagement write it: without the fields other writes own. */
function withoutActivation(engagement: Engagement): Engagement {
  const {
    activeImportId: _activeImportId,
    activeOrderKey: _activeOrderKey,
    closedAt: _closedAt,
    refresh: _refresh,
    refreshDueAt: _refreshDueAt,
    sources: _sources,
    sourcePlan: _sourcePlan,
    ...rest
  } = engagement;
  return rest;
}
