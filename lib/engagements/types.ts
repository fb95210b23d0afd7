/**
 * Tenancy: a tenant is an accounting firm; it has clients (the companies whose books it closes); each client has
 * engagements (one closing job: year-end "Årsavslutning" or period-end "Periodeavslutning"). Every key and every
 * query in saldo starts with the tenant id, so one tenant can never reach another's data.
 */
import { z } from "zod";
import type { CsvLayout } from "../formats/csv/CsvLayoutSchema.ts";
import { IntegrationSystemSchema } from "../secrets/schemas.ts";

/** The client's accounting system: one saldo connects to (lib/secrets IntegrationSystemSchema), or any other (files only). */
export const AccountingSystemSchema = z.enum([...IntegrationSystemSchema.options, "other"]);
export type AccountingSystem = z.infer<typeof AccountingSystemSchema>;

/** Identifies a client: always with its tenant, so no lookup can cross tenants. */
export interface ClientRef {
  tenantId: string;
  clientId: string;
}

/** A company whose books the accounting firm (the tenant) closes. */
export interface Client extends ClientRef {
  /** Norwegian organisation number, 9 digits (validated with mod-11 at the API boundary). */
  orgNumber?: string;
  /** ISO 4217 code of the currency the client keeps its books in; NOK when not set (the activation gate checks it). */
  currency?: string;
  name: string;
  accountingSystem: AccountingSystem;
  createdAt: string;
  updatedAt: string;
  /** Soft delete: set when the client was deleted; reads hide it. */
  deletedAt?: string;
  /** The CSV layout of the client's last upload imported with explicit layout options, for its next CSV files. */
  csvLayout?: RememberedCsvLayout;
  /**
   * What saldo knows about the client's connection to each accounting system (never a key: keys live in the vault).
   * Written only through LedgerStore.recordIntegration, so it does not change the client's `updatedAt`.
   */
  integrations?: Partial<Record<"poweroffice-go" | "tripletex", ClientIntegration>>;
  /** How often the schedule refreshes the client's open engagements from its accounting system (absent: nightly). */
  refresh?: ClientRefresh;
}

/** How often the schedule syncs a connected client's open engagements (README "Scheduled refresh"). */
export const RefreshIntervalSchema = z.enum(["hourly", "nightly", "weekly", "off"]);
export type RefreshInterval = z.infer<typeof RefreshIntervalSchema>;

/** The default refresh interval of a client that names none. */
export const DEFAULT_REFRESH_INTERVAL: RefreshInterval = "nightly";

/** A client's refresh setting. */
export interface ClientRefresh {
  interval: RefreshInterval;
}

/** The connection of a client to one accounting system: the company bound to it and how the connection was last seen. */
export interface ClientIntegration {
  /**
   * The system's company the client is bound to (Tripletex: the company id an accountant key acts for, the Basic-auth
   * username; absent: the key's own company).
   */
  companyId?: string;
  /** How the connection was last seen (by `saldo connect`, a check or a sync). */
  connection?: ClientConnection;
}

/** The outcome of the last check or sync of a client's connection. */
export interface ClientConnection {
  status: "ok" | "invalid-key" | "no-access" | "rate-limited" | "unavailable";
  /** When it was seen (ISO time). */
  checkedAt: string;
  company?: { id: string; name: string; orgNumber?: string };
  /** `no-access`: the privileges or modules the key lacks, as the system names them. */
  missingPrivileges?: string[];
  /** For people, never a secret. */
  message?: string;
}

/**
 * A CSV layout remembered for a client (zod: RememberedCsvLayoutSchema in lib/imports/uploadOptions.ts): the explicit
 * options of an upload whose import succeeded with them. Written only by the import pipeline
 * (EngagementStore.rememberCsvLayout), so it does not change the client's `updatedAt`.
 */
export interface RememberedCsvLayout {
  layout: CsvLayout;
  /** The encoding given with the layout, if any; applied to the client's CSV files only. */
  encoding?: string;
  /** The import that was read with it. */
  importId: string;
  rememberedAt: string;
}

/** `year-end` (Årsavslutning) or `period-end` (Periodeavslutning). */
export const EngagementKindSchema = z.enum(["year-end", "period-end"]);
export type EngagementKind = z.infer<typeof EngagementKindSchema>;

/** Identifies an engagement of a tenant's client. */
export interface EngagementRef extends ClientRef {
  engagementId: string;
}

/** One closing job for a client and a period, filled with the figures of its active import. */
export interface Engagement extends EngagementRef {
  kind: EngagementKind;
  /** The fiscal year the engagement closes (year-end), or the year of the period start (period-end). */
  fiscalYear: number;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
  /** The import whose figures readers see; switched atomically (see ImportStore.activateImport). */
  activeImportId?: string;
  /** Order key of the active import: a later upload only replaces it when its key sorts after this one. */
  activeOrderKey?: string;
  /** Set when a person closed the engagement (ISO time): the schedule no longer refreshes it; reopen clears it. */
  closedAt?: string;
  /** How the engagement's last sync (scheduled or manual) ended: written by runSync for every outcome. */
  refresh?: EngagementRefresh;
  /** When the schedule refreshes it next (ISO time); absent when the schedule does not refresh it. */
  refreshDueAt?: string;
  /**
   * The active import of each source slot (issue #10). `activeImportId` is the one of the slot the plan's movement
   * names. Absent on engagements activated before slots existed: their active import is the slot of its kind.
   */
  sources?: EngagementSources;
  /** The parts of the source plan a person chose (`PUT …/source-plan`); absent parts are decided by default. */
  sourcePlan?: SourcePlanChoice;
}

/** How a sync ended, as the engagement records it. */
export const RefreshOutcomeSchema = z.enum(["succeeded", "unchanged", "held", "failed", "superseded"]);
export type RefreshOutcome = z.infer<typeof RefreshOutcomeSchema>;

/** The engagement's refresh record: what its data is as of, and how its last sync ended. */
export interface EngagementRefresh {
  /** When the accounting system's data the engagement shows was read (the last sync that ended succeeded or unchanged). */
  dataAsOf?: string;
  /** When the last sync (of any outcome) ended. */
  lastRunAt?: string;
  lastOutcome?: RefreshOutcome;
  /** The sync's import. */
  lastImportId?: string;
  /** What started it: `schedule`, or a person (`http`, `cli`). */
  lastTrigger?: "schedule" | "http" | "cli" | "s3-event";
  /** The last sync's failure (`failed`) or the codes that held it (`held`); absent after a sync that succeeded. */
  lastError?: { code: string; message: string };
}

/*
 * Source plans (issue #10): where each part of an engagement's figures comes from. The opening balance (IB) from the
 * prior engagement's closing, a file, the API or nowhere; the movement and the transactions from a file or the API;
 * and whether a newer import may replace the active one of its slot. Closing = opening + movement, computed.
 */

/** Where the opening balances come from. */
export const OpeningSourceSchema = z.enum(["prior", "file", "api", "none"]);
export type OpeningSource = z.infer<typeof OpeningSourceSchema>;

/** Where the movement and the transactions come from. */
export const MovementSourceSchema = z.enum(["file", "api"]);
export type MovementSource = z.infer<typeof MovementSourceSchema>;

/** A complete source plan (what `resolveSourcePlan` answers, every part decided). */
export const SourcePlanSchema = z.strictObject({
  opening: OpeningSourceSchema,
  movement: MovementSourceSchema,
  /** Whether a newer import of a slot replaces its active import (false: it is held, SOURCE_REPLACE_NOT_ALLOWED). */
  replace: z.boolean(),
});
export type SourcePlan = z.infer<typeof SourcePlanSchema>;

/** The parts of a plan a person chose for the engagement; a part left out is decided by default at read time. */
export const SourcePlanChoiceSchema = SourcePlanSchema.partial();
export type SourcePlanChoice = z.infer<typeof SourcePlanChoiceSchema>;

/**
 * The slots an engagement holds one active import in: the file import, the API sync, and the import uploaded with the
 * opening role. Each is versioned and switched atomically (ImportStore.activateImport).
 */
export const SourceSlotSchema = z.enum(["file", "api", "opening"]);
export type SourceSlot = z.infer<typeof SourceSlotSchema>;

/** The active import of a slot and its order key (a later import replaces it only when its key sorts after). */
export const ActiveSlotSchema = z.object({ importId: z.string(), orderKey: z.string() });
export type ActiveSlot = z.infer<typeof ActiveSlotSchema>;

/** The active import of each slot that has one. */
export const EngagementSourcesSchema = z.object({
  file: ActiveSlotSchema.optional(),
  api: ActiveSlotSchema.optional(),
  opening: ActiveSlotSchema.optional(),
});
export type EngagementSources = z.infer<typeof EngagementSourcesSchema>;
