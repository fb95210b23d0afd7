import type { IntegrationSystem } from "../secrets/types.ts";
import type {
  Client,
  ClientIntegration,
  ClientRef,
  Engagement,
  EngagementRef,
  EngagementRefresh,
  RememberedCsvLayout,
} from "./types.ts";

/** The outcome of {@link EngagementStore.createClient} and {@link EngagementStore.replaceClient}. */
export type ClientWriteResult =
  | { outcome: "written" }
  /** createClient: a client with this id exists already (live or deleted). */
  | { outcome: "id-taken" }
  /** replaceClient: the client was changed or deleted since `previous` was read. */
  | { outcome: "stale" }
  /** Another live client of the tenant has the organisation number (`clientId`: which, when still known). */
  | { outcome: "org-number-taken"; clientId?: string };

/** The outcome of {@link EngagementStore.createEngagement}. */
export type EngagementWriteResult =
  | { outcome: "written" }
  /** An engagement with this id exists already. */
  | { outcome: "id-taken" }
  /** The client has an engagement of this kind and period already (`engagementId`: which, when still known). */
  | { outcome: "period-taken"; engagementId?: string };

/**
 * The port the client and engagement use cases store through. Keys are tenant-scoped: every method takes the tenant
 * id in its ref and can only see that tenant's items. An engagement's active version (`activeImportId`,
 * `activeOrderKey`) is read here but written only by ImportStore.activateImport (lib/imports/ports.ts): writes of the
 * engagement leave it alone. Adapters: DynamoEngagementStore (DynamoDB), InMemoryEngagementStore (tests); they
 * translate SDK failures into StoreError (lib/store/errors.ts).
 */
export interface EngagementStore {
  /**
   * Creates the client only if its id is free and, when it has an organisation number, no live client of the tenant
   * has that number: the client and the number's marker item (`ORG#{orgNumber}` under the tenant) are written in one
   * transaction, so two simultaneous creations of the same number cannot both succeed. The number is stored as given
   * (the use cases normalise it first).
   */
  createClient(client: Client): Promise<ClientWriteResult>;
  /**
   * Replaces the client `previous` (as read, live) with `next` in one transaction, unless it changed meanwhile
   * (`stale`): moves the organisation number's marker when the number changes (`org-number-taken` when the new one
   * belongs to another live client), and releases it when `next` is deleted (`deletedAt` set).
   */
  replaceClient(previous: Client, next: Client): Promise<ClientWriteResult>;
  getClient(ref: ClientRef): Promise<Client | undefined>;
  listClients(tenantId: string): Promise<Client[]>;
  /**
   * Sets the client's remembered CSV layout (and nothing else: not `updatedAt`, which tracks people's edits).
   * Returns false when the client does not exist or is deleted.
   */
  rememberCsvLayout(ref: ClientRef, remembered: RememberedCsvLayout): Promise<boolean>;
  /**
   * Sets what saldo knows about the client's connection to an accounting system (the bound company, how the
   * connection was last seen), replacing the previous record of that system; not `updatedAt`. Returns false when the
   * client does not exist or is deleted.
   */
  recordIntegration(ref: ClientRef, system: IntegrationSystem, integration: ClientIntegration): Promise<boolean>;
  /**
   * Forgets the client's connection to an accounting system (its key was deleted): the client is no longer
   * connected to it. Returns false when the client does not exist, is deleted, or had no record of that system.
   */
  removeIntegration(ref: ClientRef, system: IntegrationSystem): Promise<boolean>;

  putEngagement(engagement: Engagement): Promise<void>;
  /**
   * Creates the engagement only if its id is free and the client has no engagement of the same kind and period: the
   * engagement and its period's marker item (`PERIOD#{kind}#{start}#{end}` under the client) are written in one
   * transaction, so two simultaneous creations of the same period cannot both succeed.
   */
  createEngagement(engagement: Engagement): Promise<EngagementWriteResult>;
  getEngagement(ref: EngagementRef): Promise<Engagement | undefined>;
  listEngagements(ref: ClientRef): Promise<Engagement[]>;

  /**
   * Changes the engagement's schedule fields in one conditional write, and nothing else: `closedAt` (a time closes it,
   * `null` reopens it), `refresh` (the record of its last sync, replaced whole) and `refreshDueAt` (when the schedule
   * refreshes it next — the entry of the schedule's sparse index; `null` takes it out of the schedule). Fields not
   * given are left as they are. Returns false when the engagement does not exist.
   */
  updateEngagementSchedule(ref: EngagementRef, change: EngagementScheduleChange): Promise<boolean>;
  /**
   * The engagements whose refresh is due at `now` or earlier (`refreshDueAt <= now`), earliest first, at most `limit`
   * — of every tenant: the schedule's fan-out is the one reader across tenants, and it reads only the schedule's
   * sparse index (never the table), so a round costs what is due, not what is stored.
   */
  listDueRefreshes(now: string, limit: number): Promise<Engagement[]>;
}

/** See {@link EngagementStore.updateEngagementSchedule}. */
export interface EngagementScheduleChange {
  closedAt?: string | null;
  refresh?: EngagementRefresh;
  refreshDueAt?: string | null;
}
