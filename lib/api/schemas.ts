import { z } from "zod";
import { isValidOrgNumber, orgNumberDigits } from "../ids/orgNumber.ts";
import { HOLD_CODES } from "../imports/activationRules.ts";
import { IdSchema } from "../ids/ids.ts";
import { ReconciliationSummaryJsonSchema } from "../reconcile/reconciliationJson.ts";
import {
  AccountingSystemSchema,
  EngagementKindSchema,
  RefreshIntervalSchema,
  RefreshOutcomeSchema,
  SourcePlanChoiceSchema,
} from "../engagements/types.ts";
import { FileNameSchema } from "../imports/uploadKey.ts";
import { RememberedCsvLayoutSchema, UploadOptionsSchema } from "../imports/uploadOptions.ts";
import {
  IntegrationSystemSchema,
  KeyStatusSchema,
  PowerOfficeGoKeySchema,
  TripletexKeySchema,
} from "../secrets/schemas.ts";

/*
 * Request and response schemas of the HTTP API (the trust boundary: every path parameter, query and body is parsed
 * with these before a use case sees it). The OpenAPI document is generated from them (lib/api/openApiDocument.ts).
 * Messages describe what is expected and never quote the input, so a pasted secret cannot come back in a 400.
 */

const TimestampSchema = z.iso.datetime().describe("ISO 8601 timestamp (UTC)");

// ── path parameters ──────────────────────────────────────────────────────────────────────────────────────────

/** Path parameters of the routes under `/clients/{clientId}` (and below: engagements, imports, integrations). */
export const ClientPathSchema = z.object({ clientId: IdSchema });
export const EngagementPathSchema = ClientPathSchema.extend({ engagementId: IdSchema });
export const ImportPathSchema = EngagementPathSchema.extend({ importId: IdSchema });
export const IntegrationPathSchema = ClientPathSchema.extend({ system: IntegrationSystemSchema });

// ── clients ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A Norwegian organisation number: 9 digits, the last a mod-11 check digit (weights 3,2,7,6,5,4,3,2), written with
 * or without spaces, dots or the VAT register's `NO … MVA`. The client use cases store the 9 digits (normalizeOrgNumber).
 */
export const OrgNumberSchema = z
  .string()
  .max(40, { message: "must be 9 digits", abort: true })
  .refine((text) => orgNumberDigits(text) !== undefined, { message: "must be 9 digits", abort: true })
  .refine((text) => isValidOrgNumber(orgNumberDigits(text)!), "the check digit (mod 11) does not match")
  .describe(
    "Norwegian organisation number: 9 digits with a mod-11 check digit; spaces, dots and the VAT form `NO … MVA` are " +
      "accepted and removed (`NO 923 609 016 MVA` is stored as `923609016`)",
  );

const ClientNameSchema = z.string().trim().min(1, "must not be empty").max(200, "at most 200 characters");

/** `POST /clients` body. */
export const CreateClientRequestSchema = z.strictObject({
  orgNumber: OrgNumberSchema,
  name: ClientNameSchema,
  accountingSystem: AccountingSystemSchema,
});

/** `PATCH /clients/{clientId}` body: any of the fields, at least one. */
export const UpdateClientRequestSchema = z
  .strictObject({
    orgNumber: OrgNumberSchema.optional(),
    name: ClientNameSchema.optional(),
    accountingSystem: AccountingSystemSchema.optional(),
    /** How often the schedule refreshes the client's open engagements (README "Scheduled refresh"). */
    refresh: z.strictObject({ interval: RefreshIntervalSchema }).optional(),
  })
  .refine(
    (changes) => Object.keys(changes).length > 0,
    "give at least one of orgNumber, name, accountingSystem, refresh",
  );

/** A client as the API answers it. */
export const ClientSchema = z.object({
  clientId: IdSchema,
  /** Absent only for clients created by `saldo upload` from a file that states none. */
  orgNumber: z.string().nullable(),
  name: z.string(),
  accountingSystem: AccountingSystemSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  /**
   * The CSV layout remembered from the client's last upload imported with explicit layout options; used for its
   * next CSV uploads that give none (explicit > remembered > detected). Null when none was given yet.
   */
  csvLayout: RememberedCsvLayoutSchema.extend({ encoding: z.string().nullable() }).nullable(),
  /** How often the schedule refreshes the client's open engagements from its accounting system (default nightly). */
  refresh: z.object({ interval: RefreshIntervalSchema }),
});
export type ClientJson = z.infer<typeof ClientSchema>;

/** `GET /clients` answer: the tenant's live clients. */
export const ClientListSchema = z.object({ items: z.array(ClientSchema) });

// ── engagements ──────────────────────────────────────────────────────────────────────────────────────────────

/** `POST …/engagements` body: a year-end engagement by fiscal year, or a period-end one by its dates. */
export const CreateEngagementRequestSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("year-end"),
    /** The year closed: the engagement covers 1 January – 31 December. */
    fiscalYear: z.number().int().min(1900).max(2200),
  }),
  z
    .strictObject({
      kind: z.literal("period-end"),
      periodStart: z.iso.date(),
      periodEnd: z.iso.date(),
    })
    .refine((period) => period.periodEnd >= period.periodStart, {
      message: "must not be before periodStart",
      path: ["periodEnd"],
    }),
]);

/** An engagement as the API answers it, with its active import id. */
export const EngagementSchema = z.object({
  clientId: IdSchema,
  engagementId: IdSchema,
  kind: EngagementKindSchema,
  fiscalYear: z.number().int(),
  periodStart: z.iso.date(),
  periodEnd: z.iso.date(),
  createdAt: TimestampSchema,
  /** The import whose figures readers see; null until an import succeeded. */
  activeImportId: z.string().nullable(),
  /**
   * The reconciliation's status, how many differences and how much in all (README "Reconciliation"); null only in
   * the answer of the engagement's creation.
   */
  reconciliation: ReconciliationSummaryJsonSchema.nullable(),
  /** When a person closed the engagement (the schedule no longer refreshes it); null while it is open. */
  closedAt: TimestampSchema.nullable(),
  /** Its syncs from the accounting system: what its data is as of, how the last one ended, when the next is due. */
  refresh: z.object({
    /** When the system's data the engagement shows was read (the last sync that succeeded or found nothing changed). */
    dataAsOf: TimestampSchema.nullable(),
    /** When the last sync (scheduled or manual) ended. */
    lastRunAt: TimestampSchema.nullable(),
    lastOutcome: RefreshOutcomeSchema.nullable(),
    lastImportId: z.string().nullable(),
    /** `schedule`, or who asked: `http`, `cli`. */
    lastTrigger: z.string().nullable(),
    /** The last sync's failure (`failed`) or why it was held (`held`, code `IMPORT_HELD`); null after a good one. */
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    /** When the schedule refreshes it next; null when it does not (closed, not connected, interval `off`). */
    nextRunAt: TimestampSchema.nullable(),
  }),
});
export type EngagementJson = z.infer<typeof EngagementSchema>;

/**
 * `PUT …/engagements/{engagementId}/source-plan` body: the parts of the plan chosen (README "Source plans"); a part
 * left out is decided by default.
 */
export const SourcePlanRequestSchema = SourcePlanChoiceSchema;

/** `GET …/engagements` answer. */
export const EngagementListSchema = z.object({ items: z.array(EngagementSchema) });

// ── uploads ──────────────────────────────────────────────────────────────────────────────────────────────────

/** The last segment of the object key (one rule for every entry point: lib/imports/uploadKey.ts). */
export { FileNameSchema };

/** `POST …/uploads` body: what the web client is about to upload. */
export const UploadRequestSchema = z.strictObject({
  fileName: FileNameSchema,
  /** Exact size in bytes; the URL accepts exactly this many. Above 2 GiB the API answers 413. */
  size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  contentType: z
    .string()
    .max(255)
    .regex(/^[\w.+-]+\/[\w.+-]+$/, "a media type such as application/xml")
    .optional(),
  /**
   * How to read a CSV file when detection cannot tell (or the client's remembered layout should not be used): as
   * `saldo inspect --delimiter --decimal --header-row --columns`. Signed into the upload as object metadata and
   * remembered for the client when the import succeeds.
   */
  layout: UploadOptionsSchema.shape.layout,
  /** The file's character encoding when detection would guess wrong (e.g. `cp865`), as `saldo inspect --encoding`. */
  encoding: UploadOptionsSchema.shape.encoding,
  /**
   * `opening`: the file gives the engagement's opening balances (README "Source plans") — last year's trial balance
   * (CSV, SIE) or a SAF-T file whose opening balances are right; it fills the engagement's opening slot. Default
   * `figures`.
   */
  role: UploadOptionsSchema.shape.role,
});

/** `POST …/uploads` answer: where and how to PUT the file, and until when. */
export const UploadTicketSchema = z.object({
  uploadUrl: z.url(),
  method: z.literal("PUT"),
  /** Headers the PUT must carry (signed). */
  headers: z.record(z.string(), z.string()),
  key: z.string(),
  expiresAt: TimestampSchema,
});

// ── imports ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * `POST …/imports/{importId}/activate` body (optional): the codes of a held import's `heldFor` the caller accepts
 * (README "Activation rules"). Not needed to activate an earlier succeeded or superseded version.
 */
export const ActivateImportRequestSchema = z
  .strictObject({
    accept: z
      .array(z.enum(HOLD_CODES))
      .max(HOLD_CODES.length * 2, `at most ${HOLD_CODES.length * 2} codes`)
      .describe("codes of the activation rules the caller accepts, e.g. ORG_NUMBER_MISMATCH"),
  })
  .optional();

/** `GET …/imports/{importId}/compare` query: the other version. */
export const CompareQuerySchema = z.strictObject({ with: IdSchema });

// ── integrations ─────────────────────────────────────────────────────────────────────────────────────────────

/** `{clientKey}` for poweroffice-go, `{employeeToken}` for tripletex (the vault checks the one of the path). */
export const IntegrationKeyRequestSchema = z.union([PowerOfficeGoKeySchema, TripletexKeySchema]);

/** A company of the accounting system (Tripletex company id, PowerOffice Go client id). */
const ConnectedCompanySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** 9 digits as the system states it; null when it states none. */
  orgNumber: z.string().nullable(),
});

/** How the client's connection was last seen (by storing the key, a check, or a sync). */
export const ConnectionSchema = z.object({
  status: z
    .enum(["ok", "invalid-key", "no-access", "rate-limited", "unavailable"])
    .describe(
      "`ok`; `invalid-key` (the system refuses the key); `no-access` (the key lacks privileges or modules, or a " +
        "Tripletex accountant key is not bound to a company yet); `rate-limited`; `unavailable` (the system, or " +
        "saldo's own platform configuration)",
    ),
  checkedAt: TimestampSchema,
  /** The company reached; null when none was (or the key reaches several and none is bound). */
  company: ConnectedCompanySchema.nullable(),
  /** `no-access`: the privileges or modules the key lacks, as the system names them. */
  missingPrivileges: z.array(z.string()),
  /** Why, for people (never a secret); null when there is nothing to say. */
  message: z.string().nullable(),
});

/**
 * `GET`/`PUT …/integrations/{system}` answer: whether a key is stored (masked to its last 4 characters, never the
 * key), the company bound to the client, and the connection as last seen.
 */
export const IntegrationStatusSchema = KeyStatusSchema.extend({
  system: IntegrationSystemSchema,
  /** The company the client is bound to (Tripletex accountant keys); null: the key's own company. */
  companyId: z.string().nullable(),
  /** Null while no key is stored or it was never checked. */
  connection: ConnectionSchema.nullable(),
});

export type IntegrationStatusJson = z.infer<typeof IntegrationStatusSchema>;
export type ConnectedCompanyJson = z.infer<typeof ConnectedCompanySchema>;
export type IntegrationCompaniesJson = z.infer<typeof IntegrationCompaniesSchema>;

/** `GET …/integrations/tripletex/companies` answer: the companies the key may log into, and the one bound. */
export const IntegrationCompaniesSchema = z.object({
  system: IntegrationSystemSchema,
  companyId: z.string().nullable(),
  companies: z.array(ConnectedCompanySchema),
});

/** `PUT …/integrations/tripletex/company` body: one of the companies listed, or null to remove the binding. */
export const BindCompanyRequestSchema = z.strictObject({
  companyId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a company id as listed by GET …/integrations/tripletex/companies")
    .nullable(),
});

// ── syncs ────────────────────────────────────────────────────────────────────────────────────────────────────

/** `POST …/engagements/{engagementId}/sync` answer (202): the queued sync's import and where to follow it. */
export const SyncAcceptedSchema = z.object({
  importId: IdSchema,
  status: z.literal("queued"),
  /** The import resource (also the `Location` header): its status shows the progress and the outcome. */
  href: z.string(),
});

// ── meta ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** `GET /health` answer. */
export const HealthSchema = z.looseObject({ status: z.literal("ok") });

/** `GET /openapi.json` answer (validated loosely: the document is generated from this module). */
export const OpenApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
