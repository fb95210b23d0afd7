import { z } from "zod";
import { EngagementKindSchema, type Engagement } from "../engagements/types.ts";
import { formatKnownOre, LedgerJsonAccountSchema, LedgerJsonSchema, toLedgerJson } from "../ledger/ledgerJson.ts";
import { SourceFormatSchema, type LedgerLine } from "../ledger/types.ts";
import { DecimalAmountSchema, formatOre } from "../money/ore.ts";
import { CURSOR_MAX_LENGTH } from "../paging/cursorCodec.ts";
import { IntegrationSystemSchema } from "../secrets/schemas.ts";
import type { ActivationOutcome } from "./activateEarlierImport.ts";
import type { AccountFigures, ImportComparison } from "./compareImports.ts";
import { TRANSACTION_LINES_MAX_LIMIT, type TransactionLinesPage } from "./listTransactionLines.ts";
import type { ImportRunSummary } from "./ports.ts";
import type { TrialBalanceView } from "./trialBalanceView.ts";
import { FigureSourceSchema, SourcePlanViewSchema, toFigureSourceJson, toSourcePlanJson } from "./sourcePlanView.ts";
import { ImportStatusSchema } from "./types.ts";

/*
 * The public JSON of the read/activate use cases (HTTP API, and the OpenAPI document generated from these schemas).
 * Amounts are decimal strings with exactly two decimals (formatOre), never numbers: øre-exact and float-free.
 * Optional facts are `null` rather than absent, so every field is always there for clients to read.
 */

/** Opening balance (IB), movement and closing balance (UB); opening/movement null when unknown (see OPENING_NOT_STATED). */
export const FiguresSchema = z.object({
  opening: DecimalAmountSchema.nullable(),
  movement: DecimalAmountSchema.nullable(),
  closing: DecimalAmountSchema,
});

/** The engagement a trial balance belongs to. */
export const EngagementViewSchema = z.object({
  engagementId: z.string(),
  clientId: z.string(),
  kind: EngagementKindSchema,
  fiscalYear: z.number().int(),
  periodStart: z.iso.date(),
  periodEnd: z.iso.date(),
});

const FormatFieldsSchema = {
  /** How the figures were read: null for an import that failed before its format was known. */
  format: SourceFormatSchema.nullable(),
  formatVersion: z.string().nullable(),
  encoding: z.string().nullable(),
};

/** Where an import's figures came from: an uploaded file or an accounting system's API window. */
export const ImportSourceViewSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("file"),
    fileName: z.string(),
    /** The S3 object key the file was uploaded to. */
    key: z.string(),
    /** SHA-256 (hex) of the bytes read; null until the import has read the file. */
    sha256: z.string().nullable(),
    size: z.number().int().nonnegative().nullable(),
    ...FormatFieldsSchema,
  }),
  z.object({
    type: z.literal("api"),
    system: IntegrationSystemSchema,
    /** The period read, inclusive ISO dates. */
    from: z.iso.date(),
    to: z.iso.date(),
    /** The company read (the system's id, name and organisation number); null until the sync reached it. */
    company: z.object({ id: z.string(), name: z.string(), orgNumber: z.string().nullable() }).nullable(),
    /** When the figures were fetched; null until then. */
    fetchedAt: z.string().nullable(),
    /** The time the data is as of (the newest change the API showed, or the fetch time); null until known. */
    dataAsOf: z.string().nullable(),
    /** Requests the sync made. */
    requestCount: z.number().int().nonnegative().nullable(),
    /** Date windows of transactions read, inclusive. */
    windows: z.array(z.object({ start: z.iso.date(), end: z.iso.date() })),
    ...FormatFieldsSchema,
  }),
]);

/** One version (import) of an engagement's figures, without its report. */
export const ImportVersionSchema = z.object({
  importId: z.string(),
  /** `held`: read completely but not activated by the activation gate; see `heldFor`. */
  status: ImportStatusSchema,
  source: ImportSourceViewSchema,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /**
   * The codes of the activation rules that held the import (README "Activation rules"), e.g. `ORG_NUMBER_MISMATCH`;
   * empty when it was never held. Kept after a person activated it.
   */
  heldFor: z.array(z.string()),
  /** Which of those codes a person accepted when activating it, who and when; null unless that happened. */
  accepted: z.object({ codes: z.array(z.string()), by: z.string(), at: z.string() }).nullable(),
});
export type ImportVersionJson = z.infer<typeof ImportVersionSchema>;

/** Where one account's figures came from (every figure of the trial balance says it). */
export const ProvenanceSchema = z.object({
  importId: z.string(),
  format: SourceFormatSchema,
  source: z.discriminatedUnion("type", [
    z.object({ type: z.literal("file"), fileName: z.string(), key: z.string() }),
    z.object({
      type: z.literal("api"),
      system: IntegrationSystemSchema,
      from: z.string(),
      to: z.string(),
    }),
  ]),
});

/** An account of the trial-balance view: the `saldo inspect --json` account plus provenance and prior closing. */
export const TrialBalanceViewAccountSchema = LedgerJsonAccountSchema.extend({
  provenance: ProvenanceSchema,
  /** The account's closing balance in the prior engagement; null when there is none or it has no such account. */
  priorClosing: DecimalAmountSchema.nullable(),
  /** Where each column came from by the source plan (README "Source plans"); the closing is opening + movement. */
  sources: z.object({ opening: FigureSourceSchema, movement: FigureSourceSchema, closing: z.literal("computed") }),
  /** The closing balance the movement source states for the account; null when it states none. */
  statedClosing: DecimalAmountSchema.nullable(),
});

/** The prior engagement whose closing balances the opening balances were reconciled with. */
export const PriorReferenceSchema = z.object({
  engagementId: z.string(),
  importId: z.string(),
  kind: EngagementKindSchema,
  periodStart: z.iso.date(),
  periodEnd: z.iso.date(),
});

/**
 * `GET …/engagements/{engagementId}/trial-balance`: the active version in the shape of `saldo inspect --json`
 * (LedgerJsonSchema), plus the engagement, the import the figures come from, per-account provenance and prior
 * closing, and the prior engagement reconciled against (`OPENING_DIFFERS_FROM_PRIOR_CLOSING`, `PRIOR_ACCOUNT_MISSING`
 * and `PRIOR_CLOSING_NOT_COMPARED` issues follow the import's own issues).
 */
export const TrialBalanceViewSchema = LedgerJsonSchema.extend({
  accounts: z.array(TrialBalanceViewAccountSchema),
  engagement: EngagementViewSchema,
  import: ImportVersionSchema,
  prior: PriorReferenceSchema.nullable(),
  /** The engagement's source plan and the import each part takes its figures from (as `GET …/source-plan`). */
  sourcePlan: SourcePlanViewSchema,
});
export type TrialBalanceViewJson = z.infer<typeof TrialBalanceViewSchema>;

/** One account whose figures differ between two versions; a side is null when that version lacks the account. */
export const AccountDifferenceSchema = z.object({
  account: z.string(),
  name: z.string(),
  before: FiguresSchema.nullable(),
  after: FiguresSchema.nullable(),
  /** after − before (a missing side counts as 0). */
  difference: FiguresSchema,
});

/**
 * `GET …/imports/{importId}/compare?with={otherImportId}`: `base` is `{importId}` (its figures are `after`),
 * `other` is `with` (its figures are `before`).
 */
export const ImportComparisonSchema = z.object({
  base: ImportVersionSchema,
  other: ImportVersionSchema,
  accounts: z.array(AccountDifferenceSchema),
  unchangedAccounts: z.number().int().nonnegative(),
  totals: z.object({ before: FiguresSchema, after: FiguresSchema, difference: FiguresSchema }),
});
export type ImportComparisonJson = z.infer<typeof ImportComparisonSchema>;

/** `POST …/imports/{importId}/activate`. */
export const ImportActivationSchema = z.object({
  import: ImportVersionSchema,
  /** The version that was active before; null when none was or nothing changed. */
  previousImportId: z.string().nullable(),
  /** False when the import already was the active version. */
  changed: z.boolean(),
});
export type ImportActivationJson = z.infer<typeof ImportActivationSchema>;

/** One transaction line with the fields of its transaction (voucher). */
export const TransactionLineSchema = z.object({
  transactionId: z.string(),
  /** 0-based position of the line within its transaction. */
  lineNumber: z.number().int().nonnegative(),
  /** The line's id in the file (SAF-T RecordID), when it has one. */
  recordId: z.string().nullable(),
  journal: z.string().nullable(),
  /** The voucher date (SAF-T TransactionDate, SIE #VER date). */
  date: z.string(),
  period: z.object({ year: z.number().int(), number: z.number().int() }).nullable(),
  account: z.string(),
  /** In the ledger's currency; debit positive, credit negative. */
  amount: DecimalAmountSchema,
  description: z.string().nullable(),
  transactionDescription: z.string().nullable(),
  /** The amount in a foreign currency, as the file states it (up to 18 decimals in SAF-T 1.40). */
  currency: z.object({ code: z.string(), amount: z.string(), exchangeRate: z.string().nullable() }).nullable(),
  taxCode: z.string().nullable(),
  customerId: z.string().nullable(),
  supplierId: z.string().nullable(),
  dimensions: z.array(z.object({ type: z.string(), id: z.string() })),
});
export type TransactionLineJson = z.infer<typeof TransactionLineSchema>;

/** `GET …/engagements/{engagementId}/transactions`: one page; `nextCursor` is null on the last page. */
export const TransactionLinesPageSchema = z.object({
  importId: z.string(),
  items: z.array(TransactionLineSchema),
  nextCursor: z.string().nullable(),
});
export type TransactionLinesPageJson = z.infer<typeof TransactionLinesPageSchema>;

/**
 * The query string of `GET …/transactions` (strings in, as a query string carries them; `limit` is coerced).
 * listTransactionLines checks the same bounds again.
 */
export const TransactionLinesQuerySchema = z
  .object({
    account: z.string().min(1).max(100).optional(),
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    voucher: z.string().min(1).max(200).optional(),
    cursor: z.string().min(1).max(CURSOR_MAX_LENGTH).optional(),
    limit: z.coerce.number().int().min(1).max(TRANSACTION_LINES_MAX_LIMIT).optional(),
  })
  .refine((query) => query.from === undefined || query.to === undefined || query.from <= query.to, {
    message: "from must not be after to",
    path: ["to"],
  });
export type TransactionLinesQueryInput = z.infer<typeof TransactionLinesQuerySchema>;

/** Renders an import as a version (no report). */
export function toImportVersionJson(run: ImportRunSummary): ImportVersionJson {
  const formatFields = {
    format: run.format ?? null,
    formatVersion: run.formatVersion ?? null,
    encoding: run.encoding ?? null,
  };
  const source: ImportVersionJson["source"] =
    run.source.type === "file"
      ? {
          type: "file",
          fileName: run.source.fileName,
          key: run.source.key,
          sha256: run.source.sha256 ?? null,
          size: run.source.size ?? null,
          ...formatFields,
        }
      : {
          type: "api",
          system: run.source.system,
          from: run.source.from,
          to: run.source.to,
          company: run.source.company
            ? {
                id: run.source.company.id,
                name: run.source.company.name,
                orgNumber: run.source.company.orgNumber ?? null,
              }
            : null,
          fetchedAt: run.source.fetchedAt ?? null,
          dataAsOf: run.source.marker?.asOf ?? run.source.fetchedAt ?? null,
          requestCount: run.source.requestCount ?? null,
          windows: (run.source.windows ?? []).map((window) => ({ start: window.start, end: window.end })),
          ...formatFields,
        };
  return {
    importId: run.importId,
    status: run.status,
    source,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt ?? null,
    heldFor: run.heldFor ?? [],
    accepted: run.accepted ? { codes: [...run.accepted.codes], by: run.accepted.by, at: run.accepted.at } : null,
  };
}

/** Renders {@link TrialBalanceView} (the result of getTrialBalanceView) as {@link TrialBalanceViewSchema}. */
export function toTrialBalanceViewJson(view: TrialBalanceView): TrialBalanceViewJson {
  const ledger = toLedgerJson(view.summary);
  const { run } = view;
  const provenance: z.infer<typeof ProvenanceSchema> = {
    importId: run.importId,
    format: run.format ?? view.summary.header.format,
    source:
      run.source.type === "file"
        ? { type: "file", fileName: run.source.fileName, key: run.source.key }
        : { type: "api", system: run.source.system, from: run.source.from, to: run.source.to },
  };
  const priorClosing = new Map((view.prior?.rows ?? []).map((row) => [row.account, row.closing]));
  const composed = new Map(view.composed.accounts.map((account) => [account.account, account]));
  const columnSources = {
    opening: toFigureSourceJson(view.composed.sources.opening),
    movement: toFigureSourceJson(view.composed.sources.movement),
    closing: "computed" as const,
  };
  return {
    ...ledger,
    accounts: ledger.accounts.map((account) => {
      const closing = priorClosing.get(account.account);
      const stated = composed.get(account.account)?.statedClosing;
      return {
        ...account,
        provenance: structuredClone(provenance),
        priorClosing: closing === undefined ? null : formatOre(closing),
        sources: structuredClone(columnSources),
        statedClosing: stated === undefined || stated === null ? null : formatOre(stated),
      };
    }),
    engagement: toEngagementViewJson(view.engagement),
    import: toImportVersionJson(run),
    prior: view.prior
      ? {
          engagementId: view.prior.engagement.engagementId,
          importId: view.prior.run.importId,
          kind: view.prior.engagement.kind,
          periodStart: view.prior.engagement.periodStart,
          periodEnd: view.prior.engagement.periodEnd,
        }
      : null,
    sourcePlan: toSourcePlanJson({
      ref: view.engagement,
      plan: view.composed.plan,
      choice: view.engagement.sourcePlan ?? {},
      opening: view.composed.sources.opening,
      movement: view.composed.sources.movement,
      sources: view.engagement.sources ?? {},
      ...(view.engagement.activeImportId === undefined ? {} : { activeImportId: view.engagement.activeImportId }),
    }),
  };
}

/** Renders {@link ImportComparison} (the result of compareImports) as {@link ImportComparisonSchema}. */
export function toImportComparisonJson(comparison: ImportComparison): ImportComparisonJson {
  return {
    base: toImportVersionJson(comparison.base),
    other: toImportVersionJson(comparison.other),
    accounts: comparison.accounts.map((account) => ({
      account: account.account,
      name: account.name,
      before: account.before ? figuresJson(account.before) : null,
      after: account.after ? figuresJson(account.after) : null,
      difference: figuresJson(account.difference),
    })),
    unchangedAccounts: comparison.unchangedAccounts,
    totals: {
      before: figuresJson(comparison.totals.before),
      after: figuresJson(comparison.totals.after),
      difference: figuresJson(comparison.totals.difference),
    },
  };
}

/** Renders {@link ActivationOutcome} (the result of activateEarlierImport) as {@link ImportActivationSchema}. */
export function toActivationJson(outcome: ActivationOutcome): ImportActivationJson {
  return {
    import: toImportVersionJson(outcome.import),
    previousImportId: outcome.previousImportId ?? null,
    changed: outcome.changed,
  };
}

/** Renders one stored line as {@link TransactionLineSchema}. */
export function toTransactionLineJson(line: LedgerLine): TransactionLineJson {
  return {
    transactionId: line.transactionId,
    lineNumber: line.lineNumber,
    recordId: line.recordId ?? null,
    journal: line.journal ?? null,
    date: line.date,
    period: line.period ? { year: line.period.year, number: line.period.number } : null,
    account: line.account,
    amount: formatOre(line.amount),
    description: line.description ?? null,
    transactionDescription: line.transactionDescription ?? null,
    currency: line.currencyAmount
      ? {
          code: line.currencyAmount.currency,
          amount: line.currencyAmount.amount,
          exchangeRate: line.currencyAmount.exchangeRate ?? null,
        }
      : null,
    taxCode: line.taxCode ?? null,
    customerId: line.customerId ?? null,
    supplierId: line.supplierId ?? null,
    dimensions: (line.dimensions ?? []).map((dimension) => ({ type: dimension.type, id: dimension.id })),
  };
}

/** Renders {@link TransactionLinesPage} (the result of listTransactionLines) as {@link TransactionLinesPageSchema}. */
export function toTransactionLinesPageJson(page: TransactionLinesPage): TransactionLinesPageJson {
  return {
    importId: page.importId,
    items: page.items.map(toTransactionLineJson),
    nextCursor: page.nextCursor ?? null,
  };
}

function toEngagementViewJson(engagement: Engagement): z.infer<typeof EngagementViewSchema> {
  return {
    engagementId: engagement.engagementId,
    clientId: engagement.clientId,
    kind: engagement.kind,
    fiscalYear: engagement.fiscalYear,
    periodStart: engagement.periodStart,
    periodEnd: engagement.periodEnd,
  };
}

function figuresJson(figures: AccountFigures): z.infer<typeof FiguresSchema> {
  return {
    opening: formatKnownOre(figures.opening),
    movement: formatKnownOre(figures.movement),
    closing: formatOre(figures.closing),
  };
}
