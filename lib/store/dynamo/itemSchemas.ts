import { z } from "zod";
import { StoredReconciliationSchema } from "../../reconcile/reconciliationJson.ts";
import { RememberedCsvLayoutSchema } from "../../imports/uploadOptions.ts";
import {
  AccountingSystemSchema,
  EngagementKindSchema,
  EngagementSourcesSchema,
  RefreshIntervalSchema,
  RefreshOutcomeSchema,
  SourcePlanChoiceSchema,
} from "../../engagements/types.ts";
import { ImportRoleSchema, ImportStatusSchema, ImportTriggerKindSchema } from "../../imports/types.ts";
import { SourceFormatSchema, SeveritySchema } from "../../ledger/types.ts";
import { DecimalAmountSchema, parseOre } from "../../money/ore.ts";
import { IntegrationSystemSchema } from "../../secrets/schemas.ts";

/**
 * zod schemas of every item the DynamoDB stores read back (STYLE.md §6: items read back from DynamoDB are a trust
 * boundary — the table may hold items from an older version, or items someone edited by hand). Key attributes
 * (`pk`, `sk`, `type`) are not part of the schemas: zod strips them, the codec checks `tenantId`.
 *
 * Money is a decimal string with exactly two decimals in DynamoDB (as `formatOre` writes it) and bigint øre in memory.
 */
export const OreStringSchema = DecimalAmountSchema.transform((text) => parseOre(text));

const OptionalString = z.string().optional();

/** A dimension on a line (SAF-T Analysis, SIE object). */
export const DimensionSchema = z.object({ type: z.string(), id: z.string() });

/** A foreign-currency amount, kept as the file's decimal string. */
export const CurrencyAmountSchema = z.object({
  currency: z.string(),
  amount: z.string(),
  exchangeRate: OptionalString,
});

/** SAF-T Period/PeriodYear of a voucher. */
export const PeriodNumberSchema = z.object({ year: z.number().int(), number: z.number().int() });

/** One ledger line inside a chunk's gzipped JSON array. */
export const LedgerLineJsonSchema = z.object({
  transactionId: z.string(),
  lineNumber: z.number().int().nonnegative(),
  journal: OptionalString,
  date: z.string(),
  period: PeriodNumberSchema.optional(),
  transactionDescription: OptionalString,
  account: z.string(),
  amount: OreStringSchema,
  description: OptionalString,
  currencyAmount: CurrencyAmountSchema.optional(),
  taxCode: OptionalString,
  customerId: OptionalString,
  supplierId: OptionalString,
  dimensions: z.array(DimensionSchema).optional(),
  recordId: OptionalString,
});

/** The JSON array inside a chunk's gzipped `lines`. */
export const LedgerLinesJsonSchema = z.array(LedgerLineJsonSchema);

const TenantScoped = { tenantId: z.string() };

/** A client's connection to one accounting system (ClientIntegration in lib/engagements/types.ts). */
export const ClientIntegrationSchema = z
  .object({
    companyId: OptionalString,
    connection: z
      .object({
        status: z.enum(["ok", "invalid-key", "no-access", "rate-limited", "unavailable"]),
        checkedAt: z.string(),
        company: z.object({ id: z.string(), name: z.string(), orgNumber: OptionalString }).optional(),
        missingPrivileges: z.array(z.string()).optional(),
        message: OptionalString,
      })
      .optional(),
  })
  .strict();

/** Client item (`CLIENT#…`). */
export const ClientItemSchema = z.object({
  ...TenantScoped,
  clientId: z.string(),
  orgNumber: OptionalString,
  currency: OptionalString,
  name: z.string(),
  accountingSystem: AccountingSystemSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: OptionalString,
  csvLayout: RememberedCsvLayoutSchema.optional(),
  integrations: z
    .object({ "poweroffice-go": ClientIntegrationSchema.optional(), tripletex: ClientIntegrationSchema.optional() })
    .strict()
    .optional(),
  refresh: z.object({ interval: RefreshIntervalSchema }).strict().optional(),
});

/** The sync lock of an engagement (`SYNC`): which import is its latest sync (a second one waits until it ended). */
export const SyncLockItemSchema = z.object({ ...TenantScoped, importId: z.string() });

/** Organisation-number marker (`ORG#…`): which live client of the tenant holds the number. */
export const OrgNumberMarkerItemSchema = z.object({
  ...TenantScoped,
  clientId: z.string(),
  orgNumber: z.string(),
});

/** Period marker (`PERIOD#{kind}#{start}#{end}`): which engagement holds the client's period. */
export const EngagementPeriodMarkerItemSchema = z.object({
  ...TenantScoped,
  clientId: z.string(),
  engagementId: z.string(),
});

/** Engagement item (`ENG#…`), with the active version written by activateImport. */
export const EngagementItemSchema = z.object({
  ...TenantScoped,
  clientId: z.string(),
  engagementId: z.string(),
  kind: EngagementKindSchema,
  fiscalYear: z.number().int(),
  periodStart: z.string(),
  periodEnd: z.string(),
  createdAt: z.string(),
  activeImportId: OptionalString,
  activeOrderKey: OptionalString,
  closedAt: OptionalString,
  refresh: z
    .object({
      dataAsOf: OptionalString,
      lastRunAt: OptionalString,
      lastOutcome: RefreshOutcomeSchema.optional(),
      lastImportId: OptionalString,
      lastTrigger: z.enum(["schedule", "http", "cli", "s3-event"]).optional(),
      lastError: z.object({ code: z.string(), message: z.string() }).strict().optional(),
    })
    .strict()
    .optional(),
  refreshDueAt: OptionalString,
  /** The active import of each source slot; absent on items activated before slots existed (issue #10). */
  sources: EngagementSourcesSchema.optional(),
  /** The parts of the source plan a person chose. */
  sourcePlan: SourcePlanChoiceSchema.optional(),
});

/** Where an import's figures came from: an uploaded file or an accounting-system API window. */
export const ImportSourceSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("file"),
    bucket: z.string(),
    key: z.string(),
    fileName: z.string(),
    versionId: OptionalString,
    etag: OptionalString,
    sequencer: OptionalString,
    size: z.number().int().nonnegative().optional(),
    sha256: OptionalString,
  }),
  z.object({
    type: z.literal("api"),
    system: IntegrationSystemSchema,
    from: z.string(),
    to: z.string(),
    company: z.object({ id: z.string(), name: z.string(), orgNumber: OptionalString }).optional(),
    baseUrl: OptionalString,
    fetchedAt: OptionalString,
    requestCount: z.number().int().nonnegative().optional(),
    windows: z.array(z.object({ start: z.string(), end: z.string() })).optional(),
    requests: z
      .array(
        z.object({ method: z.string(), path: z.string(), status: z.number().int(), rows: z.number().int().optional() }),
      )
      .optional(),
    marker: z
      .object({ digest: z.string(), asOf: z.string(), details: z.record(z.string(), z.string()).optional() })
      .optional(),
    mode: z.enum(["unchanged", "incremental", "full"]).optional(),
    reason: OptionalString,
    baseImportId: OptionalString,
  }),
]);

/** Figures of a finished import (totals as decimal strings). */
export const ImportCountsSchema = z.object({
  accounts: z.number().int(),
  transactions: z.number().int(),
  lines: z.number().int(),
  totals: z.object({ opening: z.string().nullable(), movement: z.string().nullable(), closing: z.string() }),
  totalDebit: DecimalAmountSchema.optional(),
  totalCredit: DecimalAmountSchema.optional(),
  issues: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
});

/**
 * Import run item (`IMPORT#…`), with the storage-only `leaseUntil`, `leaseOwner`, `redeliveries`, the sweeper's
 * index keys, `issues` (gzip) and `issuePages`.
 */
export const ImportItemSchema = z.object({
  ...TenantScoped,
  clientId: z.string(),
  engagementId: z.string(),
  importId: z.string(),
  status: ImportStatusSchema,
  source: ImportSourceSchema,
  sourceId: z.string(),
  orderKey: z.string(),
  role: ImportRoleSchema.optional(),
  trigger: z.object({ kind: ImportTriggerKindSchema, by: OptionalString }),
  createdAt: z.string(),
  startedAt: OptionalString,
  finishedAt: OptionalString,
  attempts: z.number().int().positive().optional(),
  progress: z
    .object({
      bytesRead: z.number().int().nonnegative(),
      size: z.number().int().nonnegative().optional(),
      lines: z.number().int().nonnegative(),
      updatedAt: z.string(),
    })
    .optional(),
  format: SourceFormatSchema.optional(),
  formatVersion: OptionalString,
  encoding: OptionalString,
  header: z
    .object({
      company: z.object({ orgNumber: OptionalString, name: OptionalString }),
      period: z.object({ start: z.string(), end: z.string() }).optional(),
      currency: OptionalString,
      software: z.object({ name: OptionalString, version: OptionalString }).optional(),
    })
    .optional(),
  counts: ImportCountsSchema.optional(),
  /** The validation report, gzipped JSON (see IssuesJsonSchema), when it fits in the item. */
  issues: z.instanceof(Uint8Array).optional(),
  /** Number of `ISSUES#` pages the report was spilled to when it did not fit. */
  issuePages: z.number().int().positive().optional(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
  heldFor: z.array(z.string()).optional(),
  accepted: z.object({ codes: z.array(z.string()), by: z.string(), at: z.string() }).optional(),
  expiresAt: z.number().int().optional(),
  leaseUntil: OptionalString,
  /** The attempt holding the lease (a random id per attempt); kept after the attempt's final save. */
  leaseOwner: OptionalString,
  /** How often the sweeper re-delivered the import's event. */
  redeliveries: z.number().int().nonnegative().optional(),
  /** The sweeper's index entry (keys.ts): present only while something is due. */
  gsi1pk: OptionalString,
  gsi1sk: OptionalString,
});

/**
 * The attributes of an import item a listing reads (lib/store/DynamoImportStore.ts `listImports`, through a
 * ProjectionExpression): the small summary every import item carries at its top level — ids, status, source,
 * timestamps, attempts, progress, format, counts (with the issue counts per severity), failure, hold, acceptance and
 * expiry. Not the validation report (`issues`, gzip; `issuePages`), the header or the lease, which only a read of the
 * one import needs. Items written before an attribute existed lack it and list as before (every one is optional
 * below but the ids, status, source and creation time, which every import item has always had).
 */
export const IMPORT_SUMMARY_ATTRIBUTES = [
  "tenantId",
  "clientId",
  "engagementId",
  "importId",
  "status",
  "source",
  "sourceId",
  "orderKey",
  "role",
  "trigger",
  "createdAt",
  "startedAt",
  "finishedAt",
  "attempts",
  "progress",
  "format",
  "formatVersion",
  "encoding",
  "counts",
  "failure",
  "heldFor",
  "accepted",
  "expiresAt",
] as const;

/** An import item as a listing reads it (see {@link IMPORT_SUMMARY_ATTRIBUTES}). */
export const ImportSummaryItemSchema = ImportItemSchema.pick(
  Object.fromEntries(IMPORT_SUMMARY_ATTRIBUTES.map((name) => [name, true])) as {
    [K in (typeof IMPORT_SUMMARY_ATTRIBUTES)[number]]: true;
  },
);

/** One issue of a validation report, amount as a decimal string. */
export const IssueJsonSchema = z.object({
  severity: SeveritySchema,
  code: z.string(),
  message: z.string(),
  account: OptionalString,
  amount: OreStringSchema.optional(),
  transactionId: OptionalString,
  field: OptionalString,
  location: z
    .object({ line: z.number().int(), column: z.number().int(), offset: z.number().int().optional() })
    .optional(),
  /** Set by the activation gate: the plan does not take this column from the import (Issue.unusedByPlan). */
  unusedByPlan: z
    .object({ column: z.enum(["opening", "closing"]), openingFrom: z.enum(["prior", "file", "api", "none"]) })
    .optional(),
});

/** The JSON array of a gzipped validation report. */
export const IssuesJsonSchema = z.array(IssueJsonSchema);

/** A page of a validation report too large for the import item (`ISSUES#…`). */
export const IssuesPageItemSchema = z.object({
  ...TenantScoped,
  importId: z.string(),
  page: z.number().int().nonnegative(),
  issues: z.instanceof(Uint8Array),
});

/** Marker of a source id (`SOURCE#…`) naming the import that claimed it. */
export const SourceMarkerItemSchema = z.object({ ...TenantScoped, importId: z.string() });

const MappingSchema = z.object({
  standardAccountId: OptionalString,
  groupingCategory: OptionalString,
  groupingCode: OptionalString,
  sru: OptionalString,
  accountType: OptionalString,
});

/** Chunk numbers as ranges, `0-12,15,17-20` (see transactionChunks.ts). */
export const ChunkRangesSchema = z.string().regex(/^(\d+(-\d+)?(,\d+(-\d+)?)*)?$/, "expected chunk ranges like 0-3,7");

/**
 * A trial-balance row item (`ACC#…`) without its account → chunks index: what reading an import's trial balance
 * needs (DynamoImportDataReader.readTrialBalance reads only these attributes, {@link TRIAL_BALANCE_ROW_ATTRIBUTES}).
 */
export const TrialBalanceRowFieldsSchema = z.object({
  ...TenantScoped,
  importId: z.string(),
  ordinal: z.number().int().nonnegative(),
  account: z.string(),
  name: z.string(),
  mapping: MappingSchema,
  /** Null when unknown (a closing-balance file); items written before that was possible always have a figure. */
  opening: OreStringSchema.nullable(),
  movement: OreStringSchema.nullable(),
  closing: OreStringSchema,
  stated: z.object({
    opening: OreStringSchema.optional(),
    movement: OreStringSchema.optional(),
    closing: OreStringSchema.optional(),
  }),
  posted: z.object({ debit: OreStringSchema, credit: OreStringSchema, lines: z.number().int().nonnegative() }),
  prior: z.object({ opening: OreStringSchema.optional(), closing: OreStringSchema.optional() }).optional(),
  inChart: z.boolean(),
});

/** The attributes of a trial-balance row item a trial-balance read asks for (its keys too, for error messages). */
export const TRIAL_BALANCE_ROW_ATTRIBUTES: readonly string[] = [
  "pk",
  "sk",
  ...Object.keys(TrialBalanceRowFieldsSchema.shape),
];

/** Trial-balance row item (`ACC#…`) with the account → chunks index (only a drill-down by account reads it). */
export const TrialBalanceRowItemSchema = TrialBalanceRowFieldsSchema.extend({ chunks: ChunkRangesSchema });

/** One chunk in the directory: [chunk number, first date, last date, line count]. */
export const DirectoryEntrySchema = z.tuple([
  z.number().int().nonnegative(),
  z.string(),
  z.string(),
  z.number().int().nonnegative(),
]);

/** The JSON array in a directory page's `entries`. */
export const DirectoryEntriesJsonSchema = z.array(DirectoryEntrySchema);

/** Chunk directory page (`DIR#…`): lets date-range reads skip chunks. */
export const DirectoryItemSchema = z.object({
  ...TenantScoped,
  importId: z.string(),
  page: z.number().int().nonnegative(),
  /** JSON of DirectoryEntriesJsonSchema: one string attribute is ~4× smaller than a DynamoDB list of lists. */
  entries: z.string(),
  /**
   * Page 0 only, on imports written with the filter indexes: how many voucher index pages (`VIX#…`) there are. Absent
   * on imports written before them, which are read by scanning every chunk.
   */
  voucherIndexPages: z.number().int().nonnegative().optional(),
  /** Page 0 only, with `voucherIndexPages`: JSON `{account: chunk ranges}` of accounts with lines but no trial-balance row. */
  unlistedAccounts: z.string().optional(),
});

/** The JSON in a directory page's `unlistedAccounts`. */
export const UnlistedAccountsJsonSchema = z.record(z.string(), ChunkRangesSchema);

/** Voucher index page (`VIX#…`): the voucher sets of consecutive chunks (see voucherIndex.ts). */
export const VoucherIndexItemSchema = z.object({
  ...TenantScoped,
  importId: z.string(),
  page: z.number().int().nonnegative(),
  firstChunk: z.number().int().nonnegative(),
  chunkCount: z.number().int().nonnegative(),
  sets: z.instanceof(Uint8Array),
});

/** Transaction-line chunk item (`IMP#…#CH#n` / `CH`). */
export const ChunkItemSchema = z.object({
  ...TenantScoped,
  importId: z.string(),
  chunk: z.number().int().nonnegative(),
  /** gzip of the JSON array of the chunk's lines (LedgerLinesJsonSchema). */
  lines: z.instanceof(Uint8Array),
  lineCount: z.number().int().nonnegative(),
  minDate: z.string(),
  maxDate: z.string(),
  accounts: z.array(z.string()),
});

/** Rejected upload item (`REJECTED#…`). */
export const RejectedUploadItemSchema = z.object({
  ...TenantScoped,
  bucket: z.string(),
  key: z.string(),
  reason: z.string(),
  at: z.string(),
  keptAt: OptionalString,
});

/** A validated import item. */
export type ImportItem = z.infer<typeof ImportItemSchema>;
/** One chunk in the directory: [chunk number, first date, last date, line count]. */
export type DirectoryEntry = z.infer<typeof DirectoryEntrySchema>;

/** Reconciliation item (`T#…#E#…` / `RECON`): one per engagement, replaced on every recomputation. */
export const ReconciliationItemSchema = z.object({
  ...TenantScoped,
  ...StoredReconciliationSchema.shape,
});
