import type { ImportRecord } from "../ledger/records.ts";
import type { Period } from "../ledger/types.ts";
import type { Secret } from "../secrets/Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem } from "../secrets/types.ts";

/**
 * The port every accounting-system connector implements (PowerOffice Go, Tripletex). A connector reads one client
 * company's books over the system's API and yields the same records the file parsers yield (accounts with their
 * opening and closing as the API's trial balance states them, transactions with their lines), so that a sync is an
 * import like a file: the same summarizer, writer, validation and activation.
 */

/** How a connection stands, as last seen (shown on the client's integration resource). */
export type ConnectionStatus = "ok" | "invalid-key" | "no-access" | "rate-limited" | "unavailable";

/** The company a key reaches (Tripletex: a company id an accountant key may log into; PowerOffice Go: the client). */
export interface ConnectedCompany {
  /** The system's own id (Tripletex company id, PowerOffice Go ClientId). */
  id: string;
  name: string;
  /** Digits only, as the system states it. */
  orgNumber?: string;
}

/** The outcome of {@link AccountingConnector.check}. */
export interface ConnectionCheck {
  status: ConnectionStatus;
  /** ISO timestamp of the check. */
  checkedAt: string;
  /** The company reached (status `ok`, or `no-access` when the company is known). */
  company?: ConnectedCompany;
  /** `no-access`: the privileges/modules the key lacks, as the system names them. */
  missingPrivileges?: string[];
  /** For people: why, without any secret. */
  message?: string;
  /** `rate-limited`: when to try again (ISO timestamp), when known. */
  retryAfter?: string;
}

/** What a connector needs to act for one client. */
export interface ConnectorCredentials<S extends IntegrationSystem = IntegrationSystem> {
  /** The key the user stored for the client (read from the vault through `useIntegrationKey`). */
  key: Secret<IntegrationKeyBySystem[S]>;
  /**
   * The company bound to the client, when the key reaches several (Tripletex accountant keys). Absent: the key's
   * own company (Tripletex username `0`; PowerOffice Go: always the client key's client).
   */
  companyId?: string;
}

/** What to pull: one engagement's period (inclusive ISO dates, like every {@link Period} in saldo). */
export interface PullRequest {
  period: Period;
  /**
   * The change marker of the previous successful sync of this engagement, if any. The connector uses it for an
   * incremental refresh (see {@link PullPlan}).
   */
  previousMarker?: ChangeMarker;
  /**
   * An incremental pull (the `windows` of an `incremental` {@link PullPlan}): read the transactions of these inclusive
   * date windows only (in order, inside the period); the chart and the trial balance are read in full as always. The
   * sync takes every other window's transactions from the previous version.
   */
  windows?: Period[];
  /**
   * With `windows`: what the plan saw when it began (its time, and the connector's own marker then), so that a change
   * made between the plan and the pull, in a window the pull does not read, is left for the next sync to find.
   */
  planned?: { startedAt: string; marker?: ChangeMarker };
}

/**
 * What a connector knows about whether the data changed since a sync: opaque to callers, compared for equality
 * (`digest`), stored on the import's provenance. Tripletex: `versionDigest`s of the lists read; PowerOffice Go: the
 * newest `LastChangedDateTimeOffset` / created time seen, plus the trial balance figures' digest.
 */
export interface ChangeMarker {
  digest: string;
  /** ISO timestamp: the data is as of this moment (the newest change seen, or the fetch time). */
  asOf: string;
  /** Connector-specific details for an incremental pull (e.g. last created/changed timestamps). JSON-plain. */
  details?: Record<string, string>;
}

/** One request the connector made, for provenance (no secrets, no tokens: path and query only). */
export interface RequestRecord {
  method: string;
  /** Path and query as sent, with any secret parameter removed (Tripletex `:create` tokens are never recorded). */
  path: string;
  /** The HTTP status answered; 0 when there was no answer (timeout, dropped connection). */
  status: number;
  /** For windowed reads: the inclusive ISO date window. */
  window?: Period;
  rows?: number;
  /** The attempt this was, when a request was retried (2 = first retry); absent on first attempts. */
  attempt?: number;
}

/** Where a pulled ledger came from (kept on the import, like a file's name and digest). */
export interface SyncProvenance {
  system: IntegrationSystem;
  company: ConnectedCompany;
  /** Base URL of the API (no credentials). */
  baseUrl: string;
  fetchedAt: string;
  /** Every request made (or, past a few hundred, the first ones and a count: `requestCount` is always exact). */
  requests: RequestRecord[];
  requestCount: number;
  /** Date windows of transactions read, inclusive. */
  windows: Period[];
  marker?: ChangeMarker;
}

/** The records of a pull, without the header: the sync builds the header from {@link PulledLedger}. */
export type PulledRecord = Exclude<ImportRecord, { type: "header" } | { type: "headerUpdate" }>;

/**
 * A pull in progress. `records` streams (pages go straight through, never the whole year in memory): accounts may come
 * before or after the transactions, once per account, as in a file (see `ImportRecord`). `provenance()` is final once
 * `records` has been consumed to its end.
 */
export interface PulledLedger {
  company: ConnectedCompany;
  /** ISO 4217 currency of the amounts (NOK for Norwegian companies). */
  currency: string;
  period: Period;
  records: AsyncIterable<PulledRecord>;
  provenance(): SyncProvenance;
}

/** Whether a pull is needed: a cheap check (at most a handful of requests) before {@link AccountingConnector.pull}. */
export type PullPlan =
  /** Nothing changed since `previousMarker`: no new version; the sync records "checked, unchanged, data as of …". */
  | { kind: "unchanged"; marker: ChangeMarker; requestCount: number }
  /**
   * Only these windows' transactions changed (inclusive dates, in order, inside the period; possibly none, when only
   * the chart or the trial balance changed): pull them with {@link PullRequest.windows}, keep the rest of the previous
   * version. `reason` says for people what the API showed.
   */
  | {
      kind: "incremental";
      windows: Period[];
      reason: string;
      requestCount: number;
      /** Pass to the pull as {@link PullRequest.planned}. */
      planned: { startedAt: string; marker?: ChangeMarker };
    }
  /** Something changed that the API cannot narrow to windows (or there was no marker): pull in full; `reason` says why. */
  | { kind: "full"; marker?: ChangeMarker; reason: string; requestCount: number };

/** The port. One adapter per system: `PowerOfficeGoConnector`, `TripletexConnector`. */
export interface AccountingConnector<S extends IntegrationSystem = IntegrationSystem> {
  readonly system: S;
  /** Checks the key (and the bound company) and says what it reaches. Never throws for an invalid key: a status. */
  check(credentials: ConnectorCredentials<S>): Promise<ConnectionCheck>;
  /** The companies the key may act for (Tripletex accountant keys: many; otherwise the one). */
  listCompanies(credentials: ConnectorCredentials<S>): Promise<ConnectedCompany[]>;
  /** Decides whether a pull is needed, comparing with `request.previousMarker`. */
  plan(credentials: ConnectorCredentials<S>, request: PullRequest): Promise<PullPlan>;
  /** Pulls the period's figures. Errors are {@link ConnectorError}s (see errors.ts) with a status and a stable code. */
  pull(credentials: ConnectorCredentials<S>, request: PullRequest): Promise<PulledLedger>;
}

/** The connectors a process has, by system (built by `createConnectorRegistry`, lib/connectors/registry.ts). */
export type ConnectorRegistry = { [S in IntegrationSystem]?: AccountingConnector<S> };
