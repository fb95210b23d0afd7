import { ClientNotFoundError, EngagementConflictError, EngagementNotFoundError } from "../engagements/errors.ts";
import { createClient, getClient } from "../engagements/manageClients.ts";
import { normalizeOrgNumber } from "../ids/orgNumber.ts";
import { createEngagement, engagementPeriod, getEngagement } from "../engagements/manageEngagements.ts";
import type { Client, EngagementRef } from "../engagements/types.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { FileHeader } from "../ledger/types.ts";
import { formatOrgNumberForPeople, formatPeriodForPeople } from "../presentation/formatForPeople.ts";
import { labelsFor } from "../presentation/labels.ts";
import { DEFAULT_LOCALE, type Locale } from "../presentation/locale.ts";
import { UsageError } from "./errors.ts";

/** What `saldo upload` was told about the client and engagement to create, if they do not exist. */
export interface UploadEngagementOptions {
  /** `--fiscal-year`: the year-end engagement's fiscal year (else the year of the file's period). */
  fiscalYear?: number | undefined;
  /** `--org-number`: the client's organisation number (else the file's). */
  orgNumber?: string | undefined;
  /** The language of the returned lines (default nb). */
  locale?: Locale;
  /**
   * `--role opening`: the file gives the engagement's opening balances — last year's trial balance — so the
   * engagement to create is the fiscal year **after** the file's period (a file of 2024 opens 2025).
   */
  role?: "figures" | "opening" | undefined;
}

/**
 * Makes sure the engagement named on the command line exists, creating on first use — through the same use cases
 * as the HTTP API, with the same validation — the client (named after the file's company, else its id; with the
 * file's organisation number, normalised and unique in the tenant) and a **year-end** engagement whose fiscal year
 * is `--fiscal-year` or the year of the file's period — with `--role opening` the year after it (last year's trial
 * balance opens this year) —, covering 1 January – 31 December of that year.
 *
 * Everything is decided before anything is created: the file's header is read (only when something must be
 * created; an upload into an existing engagement goes through whatever the file holds), the organisation number and
 * the fiscal year checked, and only then the client and the engagement written — so an unreadable file, a file
 * without a period and no `--fiscal-year`, or a file whose period lies outside the fiscal year, leaves nothing
 * behind. A deleted client stays deleted: its id is refused, never revived.
 *
 * Returns lines saying what was created, in the words of `options.locale`.
 *
 * @throws FormatError (the header cannot be read), UsageError (no fiscal year, or the file's period outside it; an
 * invalid `--org-number`), EngagementError (the organisation number invalid or another client's, the client
 * deleted, a year-end engagement for that year existing under another id).
 */
export async function ensureUploadEngagement(
  deps: { engagementStore: EngagementStore; now?: () => Date },
  ref: EngagementRef,
  /** Reads the file's header; given the existing client (its remembered CSV layout), if there is one. */
  readHeader: (client: Client | undefined) => Promise<FileHeader>,
  options: UploadEngagementOptions = {},
): Promise<string[]> {
  const missing = await whatIsMissing(deps, ref);
  if (missing === "nothing") return [];

  const header = await readHeader(missing === "client" ? undefined : await deps.engagementStore.getClient(ref));
  const fiscalYear =
    options.role === "opening"
      ? openingFiscalYearOf(ref, header, options.fiscalYear)
      : fiscalYearOf(ref, header, options.fiscalYear);
  const newClient = missing === "client" ? clientOf(ref, header, options.orgNumber) : undefined;

  const locale = options.locale ?? DEFAULT_LOCALE;
  const labels = labelsFor(locale).upload;
  const said: string[] = [];
  if (newClient) {
    const created = await createIfAbsent(
      () =>
        createClient(deps, { tenantId: ref.tenantId, clientId: ref.clientId, ...newClient, accountingSystem: "other" }),
      () => getClient(deps, ref),
      (error) =>
        error.code === "ORG_NUMBER_TAKEN" && typeof error.context.clientId === "string"
          ? `${error.message}: upload with --client ${error.context.clientId}, or pass --org-number`
          : error.message,
    );
    if (created) {
      const orgNumber =
        newClient.orgNumber === undefined ? undefined : formatOrgNumberForPeople(newClient.orgNumber, locale);
      said.push(labels.createdClient(ref.clientId, newClient.name, orgNumber));
    }
  }
  const engagement = await createIfAbsent(
    () => createEngagement(deps, ref, { kind: "year-end", fiscalYear }),
    () => getEngagement(deps, ref),
    (error) =>
      error.code === "ENGAGEMENT_EXISTS" && typeof error.context.engagementId === "string"
        ? `${error.message}: upload with --engagement ${error.context.engagementId}`
        : error.message,
  );
  if (engagement) {
    const period = formatPeriodForPeople({ start: engagement.periodStart, end: engagement.periodEnd }, locale);
    said.push(labels.createdYearEnd(ref.engagementId, String(engagement.fiscalYear), period));
  }
  return said;
}

/** Which of the client and the engagement must be created (a deleted client counts as missing: creating it fails). */
async function whatIsMissing(
  deps: { engagementStore: EngagementStore },
  ref: EngagementRef,
): Promise<"nothing" | "engagement" | "client"> {
  try {
    await getEngagement(deps, ref);
    return "nothing";
  } catch (error) {
    if (error instanceof ClientNotFoundError) return "client";
    if (error instanceof EngagementNotFoundError) return "engagement";
    throw error;
  }
}

/** The fiscal year of the engagement to create, checked against the file's period. */
function fiscalYearOf(ref: EngagementRef, header: FileHeader, option: number | undefined): number {
  const period = header.period;
  const fiscalYear = option ?? (period ? Number(period.start.slice(0, 4)) : undefined);
  if (fiscalYear === undefined) {
    throw new UsageError(
      `the file states no period, so the engagement "${ref.engagementId}" cannot be created from it: pass --fiscal-year <year>`,
      `Filen oppgir ingen periode, så oppdraget «${ref.engagementId}» kan ikke opprettes fra den. Oppgi --fiscal-year <år>.`,
    );
  }
  const year = engagementPeriod({ kind: "year-end", fiscalYear });
  if (period && (period.start < year.periodStart || period.end > year.periodEnd)) {
    throw new UsageError(
      `the file covers ${period.start} – ${period.end}, which is not within fiscal year ${fiscalYear} ` +
        `(${year.periodStart} – ${year.periodEnd}), so the year-end engagement "${ref.engagementId}" cannot be created ` +
        (option === undefined
          ? "from it: pass --fiscal-year, or create a period-end engagement through the API (POST /clients/{clientId}/engagements)"
          : "for it"),
      `Filen gjelder ${period.start} – ${period.end}, som ikke ligger i regnskapsåret ${fiscalYear} ` +
        `(${year.periodStart} – ${year.periodEnd}), så årsavslutningsoppdraget «${ref.engagementId}» kan ikke opprettes for den. ` +
        (option === undefined
          ? "Oppgi --fiscal-year, eller opprett et periodeoppdrag (saldo engagement create --from … --to …)."
          : "Rett --fiscal-year."),
    );
  }
  return fiscalYear;
}

/**
 * The fiscal year of the engagement a file uploaded with the opening role opens: `--fiscal-year`, else the year after
 * the file's period (its closing is that year's opening). The file's period must end the day before the year starts
 * (last year's trial balance) or lie within the year (a file of the year whose opening balances are right) — what
 * the activation gate accepts for the opening role.
 */
function openingFiscalYearOf(ref: EngagementRef, header: FileHeader, option: number | undefined): number {
  const period = header.period;
  const fiscalYear = option ?? (period ? Number(period.end.slice(0, 4)) + 1 : undefined);
  if (fiscalYear === undefined) {
    throw new UsageError(
      `the file states no period, so the engagement "${ref.engagementId}" it opens cannot be created from it: pass --fiscal-year <the year it opens>`,
      `Filen oppgir ingen periode, så oppdraget «${ref.engagementId}» den åpner, kan ikke opprettes fra den. Oppgi --fiscal-year <året den åpner>.`,
    );
  }
  const year = engagementPeriod({ kind: "year-end", fiscalYear });
  const lastYears = period !== undefined && period.end === `${fiscalYear - 1}-12-31`;
  const withinYear = period !== undefined && period.start >= year.periodStart && period.end <= year.periodEnd;
  if (period && !lastYears && !withinYear) {
    throw new UsageError(
      `the file covers ${period.start} – ${period.end}: as the opening balance of fiscal year ${fiscalYear} ` +
        `(${year.periodStart} – ${year.periodEnd}) it must end on ${fiscalYear - 1}-12-31 (last year's trial balance) ` +
        `or lie within the year, so the year-end engagement "${ref.engagementId}" cannot be created for it`,
      `Filen gjelder ${period.start} – ${period.end}: som inngående balanse for regnskapsåret ${fiscalYear} ` +
        `(${year.periodStart} – ${year.periodEnd}) må den slutte ${fiscalYear - 1}-12-31 (fjorårets saldobalanse) ` +
        `eller ligge innenfor året. Årsavslutningsoppdraget «${ref.engagementId}» kan ikke opprettes for den: rett --fiscal-year.`,
    );
  }
  return fiscalYear;
}

/** The client to create: the file's company name (else the id) and organisation number (`--org-number` first). */
function clientOf(
  ref: EngagementRef,
  header: FileHeader,
  orgNumberOption: string | undefined,
): { name: string; orgNumber?: string } {
  const name = header.company.name?.trim() || ref.clientId;
  if (orgNumberOption !== undefined) {
    const orgNumber = normalizeOrgNumber(orgNumberOption);
    if (orgNumber === undefined) {
      throw new UsageError(
        `--org-number "${orgNumberOption}" is not a Norwegian organisation number (9 digits, mod-11 check digit)`,
        `--org-number «${orgNumberOption}» er ikke et norsk organisasjonsnummer (9 sifre med kontrollsiffer, modulus 11). Rett nummeret.`,
      );
    }
    return { name, orgNumber };
  }
  const stated = header.company.orgNumber?.trim();
  if (!stated) return { name };
  const orgNumber = normalizeOrgNumber(stated);
  if (orgNumber === undefined) {
    throw new UsageError(
      `the file states organisation number "${stated}", which is not a Norwegian organisation number (9 digits, ` +
        `mod-11 check digit), so client "${ref.clientId}" cannot be created from it: pass --org-number <the client's number>`,
      `Filen oppgir organisasjonsnummeret «${stated}», som ikke er et norsk organisasjonsnummer (9 sifre med kontrollsiffer), ` +
        `så klienten «${ref.clientId}» kan ikke opprettes fra den. Oppgi --org-number <klientens nummer>.`,
    );
  }
  return { name, orgNumber };
}

/**
 * Runs `create`; when another upload created the same id meanwhile (`ID_TAKEN` for a live one), reads it instead and
 * returns undefined (nothing created here). Other conflicts are rethrown with `explain`'s message.
 */
async function createIfAbsent<T>(
  create: () => Promise<T>,
  read: () => Promise<unknown>,
  explain: (error: EngagementConflictError) => string,
): Promise<T | undefined> {
  try {
    return await create();
  } catch (error) {
    if (!(error instanceof EngagementConflictError)) throw error;
    if (error.code === "ID_TAKEN") {
      const existing = await read().then(
        () => true,
        () => false,
      );
      if (existing) return undefined;
      throw error;
    }
    throw new EngagementConflictError(error.code as "ORG_NUMBER_TAKEN" | "ENGAGEMENT_EXISTS", explain(error), {
      ...error.context,
    });
  }
}
