import { z } from "zod";
import type { EngagementRef } from "../engagements/types.ts";
import type { Company, Issue, Period, SourceFormat } from "../ledger/types.ts";
import type { IntegrationSystem } from "../secrets/types.ts";

/**
 * queued → running → succeeded | held | failed | unchanged; a succeeded import becomes superseded when a newer one is
 * activated; a held one (the activation gate, lib/imports/activationRules.ts) stays out of sight until a person
 * activates it; `unchanged` is an API sync that found nothing new since the active version (no new version: it records
 * "checked, unchanged, data as of …").
 */
export const ImportStatusSchema = z.enum([
  "queued",
  "running",
  "succeeded",
  "held",
  "failed",
  "superseded",
  "unchanged",
]);
export type ImportStatus = z.infer<typeof ImportStatusSchema>;

/** Where the figures of an import came from. */
export type ImportSource =
  | {
      type: "file";
      bucket: string;
      key: string;
      fileName: string;
      versionId?: string;
      etag?: string;
      /** The S3 event sequencer of the upload (orders events for one key; identifies duplicate deliveries). */
      sequencer?: string;
      size?: number;
      /** SHA-256 of the bytes read, hex; computed while streaming. */
      sha256?: string;
    }
  | ApiSource;

/** An accounting system's API, read by a sync (lib/imports/syncFromApi.ts): what was read, from where, when. */
export interface ApiSource {
  type: "api";
  system: IntegrationSystem;
  /** The period read, inclusive ISO dates. */
  from: string;
  to: string;
  /** The company read (the system's own id and name), once the sync knows it. */
  company?: { id: string; name: string; orgNumber?: string };
  /** Base URL of the API (no credentials). */
  baseUrl?: string;
  /** When the figures were fetched (ISO time). */
  fetchedAt?: string;
  /** Requests made by the sync (all of them, with the check that preceded the pull). */
  requestCount?: number;
  /** Date windows of transactions read, inclusive. */
  windows?: Array<{ start: string; end: string }>;
  /** The first requests (method, path and query without secrets, status, rows), for provenance; at most 100. */
  requests?: Array<{ method: string; path: string; status: number; rows?: number }>;
  /** The API's change marker of the data read (compared by the next sync), and the time the data is as of. */
  marker?: { digest: string; asOf: string; details?: Record<string, string> };
}

/**
 * What an import is for: its `figures` (the default), or the engagement's **opening** balances (issue #10, source
 * plans) — last year's trial balance, or a file whose opening balances are right. It fills its own slot.
 */
export const ImportRoleSchema = z.enum(["figures", "opening"]);
export type ImportRole = z.infer<typeof ImportRoleSchema>;

/** What started an import. */
export const ImportTriggerKindSchema = z.enum(["s3-event", "http", "cli", "schedule"]);

/** Who or what started an import. */
export interface ImportTrigger {
  kind: z.infer<typeof ImportTriggerKindSchema>;
  /** A user id, a request id or an event id. */
  by?: string;
}

export interface ImportRef extends EngagementRef {
  importId: string;
}

/**
 * How far a running import has got, recorded by its heartbeat every few seconds (lib/imports/importHeartbeat.ts):
 * bytes of the file read so far (of `size`, when the size is known) and transaction lines read.
 */
export interface ImportProgress {
  bytesRead: number;
  size?: number;
  lines: number;
  /** When the heartbeat recorded it (ISO time). */
  updatedAt: string;
}

/** The claim of one attempt on a running import: who holds it (a random attempt id) and until when (ISO time). */
export interface ImportLease {
  owner: string;
  until: string;
}

/** Figures of a finished import, for listing without reading its rows. */
export interface ImportCounts {
  accounts: number;
  transactions: number;
  lines: number;
  /** Decimal strings, two decimals; opening/movement null when unknown (a closing-balance file). */
  totals: { opening: string | null; movement: string | null; closing: string };
  /** Debit-side and credit-side sums of the transaction lines (decimal strings), as `saldo inspect` reports them. */
  totalDebit?: string;
  totalCredit?: string;
  issues: { error: number; warning: number; info: number };
}

/** One import of figures into an engagement, and its validation report. */
export interface ImportRun extends ImportRef {
  status: ImportStatus;
  source: ImportSource;
  /** Stable identity of the source (duplicate deliveries of one S3 event share it). */
  sourceId: string;
  /** Sorts imports of one engagement by recency of their source (upload time, then S3 sequencer). */
  orderKey: string;
  /** `opening`: uploaded with the opening role (its own source slot); absent or `figures`: the figures. */
  role?: ImportRole;
  trigger: ImportTrigger;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Attempts that claimed this import so far (the first one included; a retry that takes it over counts too). */
  attempts?: number;
  /** While running: how far it has got (see {@link ImportProgress}). */
  progress?: ImportProgress;
  format?: SourceFormat;
  formatVersion?: string;
  encoding?: string;
  /** What the file says about itself: company, period and currency (provenance of every figure). */
  header?: ImportHeader;
  counts?: ImportCounts;
  /** The validation report (bounded: at most 100 issues per code, see LedgerSummarizer). */
  issues?: Issue[];
  /** Why the import failed (structural error, or an unexpected failure). */
  failure?: { code: string; message: string };
  /**
   * The activation rules that held the import (status `held`), e.g. `ORG_NUMBER_MISMATCH`; each also has its issue.
   * Kept after a person activated it, with {@link ImportRun.accepted}.
   */
  heldFor?: string[];
  /** A person activated the import although it was held, accepting these codes (provenance). */
  accepted?: ImportAcceptance;
  /** Epoch seconds after which a superseded or failed import may be deleted (DynamoDB TTL). */
  expiresAt?: number;
}

/** The facts a file states about itself, kept with its import. */
export interface ImportHeader {
  company: Company;
  period?: Period;
  /** Absent when the file does not state its currency (see FileHeader.currency). */
  currency?: string;
  software?: { name?: string; version?: string };
}

/** Who accepted which reasons of a held import, and when. */
export interface ImportAcceptance {
  codes: string[];
  /** The API token's subject, or `cli:<user>` for `saldo activate`. */
  by: string;
  at: string;
}
