import {
  closeEngagement,
  createEngagement,
  getEngagement,
  reopenEngagement,
  type NewEngagement,
} from "../engagements/manageEngagements.ts";
import type { Engagement } from "../engagements/types.ts";
import type { Locale } from "../presentation/locale.ts";
import { storedFailureForPeople } from "../presentation/errorTexts.ts";
import { toEngagementJson } from "../api/resourceJson.ts";
import { getEngagementReconciliation } from "../imports/engagementReconciliation.ts";
import { formatPeriodForPeople, formatTimestampForPeople } from "../presentation/formatForPeople.ts";
import { invalidIdError, UsageError } from "./errors.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";
import { IdSchema } from "../ids/ids.ts";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `saldo engagement create --tenant T --client C --year 2025 [--id ID] [--from YYYY-MM-DD --to YYYY-MM-DD] [--json]`:
 * creates an engagement of the client through the same use case as `POST /clients/{clientId}/engagements` — a
 * year-end engagement of the year, or with `--from/--to` a period-end one. The id defaults to the year (year-end) or
 * `<from>_<to>` (period-end).
 *
 * `saldo engagement show|close|reopen --tenant T --client C --engagement E [--json]`: shows the engagement with its
 * refresh record, or closes / reopens it (`POST …/close`, `…/reopen`: a closed engagement is not refreshed by the
 * schedule).
 */
export async function engagementCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const [action, ...rest] = args;
  if (action === "show" || action === "close" || action === "reopen") return engagementAction(action, rest, env);
  if (action !== "create")
    throw new UsageError(
      `engagement: unknown action ${action === undefined ? "(none)" : `"${action}"`}; use "engagement create", "show", "close" or "reopen"`,
      `«saldo engagement» ${action === undefined ? "mangler handling" : `kjenner ikke handlingen «${action}»`}. Bruk create, show, close eller reopen.`,
    );
  const { values, positionals } = parseOptions(rest, {
    tenant: { type: "string" },
    client: { type: "string" },
    year: { type: "string" },
    id: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    json: { type: "boolean", default: false },
    ...LOCALE_OPTION,
  });
  if (positionals.length > 0)
    throw new UsageError("engagement create takes no file", "«saldo engagement create» tar ingen fil.");
  for (const name of ["tenant", "client"] as const) {
    const value = values[name];
    if (value === undefined) throw new UsageError(`--${name} is required`, `Oppgi --${name}.`);
    const checked = IdSchema.safeParse(value);
    if (!checked.success) throw invalidIdError(name, value, checked.error.issues[0]?.message);
  }
  const input = newEngagementOf(values);
  const engagementId =
    values.id ?? (input.kind === "year-end" ? String(input.fiscalYear) : `${input.periodStart}_${input.periodEnd}`);
  const locale = localeFromOptions(values.locale, env);
  const pipeline = await openPipelineTarget(env);
  try {
    const engagement = await createEngagement(
      { engagementStore: pipeline.engagementStore },
      { tenantId: values.tenant!, clientId: values.client!, engagementId },
      input,
    );
    if (values.json) {
      process.stdout.write(JSON.stringify(toEngagementJson(engagement, null), null, 2) + "\n");
      return 0;
    }
    const period = formatPeriodForPeople({ start: engagement.periodStart, end: engagement.periodEnd }, locale);
    const kind =
      locale === "nb" ? (engagement.kind === "year-end" ? "årsavslutning" : "periodeavslutning") : engagement.kind;
    process.stdout.write(
      locale === "nb"
        ? `Engasjement ${engagement.engagementId} opprettet for klient ${engagement.clientId}: ${kind} ${period}\n`
        : `Engagement ${engagement.engagementId} created for client ${engagement.clientId}: ${kind} ${period}\n`,
    );
    return 0;
  } finally {
    pipeline.close();
  }
}

function newEngagementOf(values: { year?: string; from?: string; to?: string }): NewEngagement {
  if (values.from !== undefined || values.to !== undefined) {
    if (values.from === undefined || values.to === undefined)
      throw new UsageError("--from and --to go together", "Oppgi både --from og --to.");
    for (const [name, value] of [
      ["from", values.from],
      ["to", values.to],
    ] as const) {
      if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
        throw new UsageError(
          `--${name} "${value}": expected a date YYYY-MM-DD`,
          `--${name} «${value}» er ikke en dato: skriv ÅÅÅÅ-MM-DD.`,
        );
    }
    if (values.year !== undefined && values.year !== values.from.slice(0, 4)) {
      throw new UsageError(
        `--year ${values.year} does not match --from ${values.from}`,
        `--year ${values.year} stemmer ikke med --from ${values.from}.`,
      );
    }
    return { kind: "period-end", periodStart: values.from, periodEnd: values.to };
  }
  if (values.year === undefined)
    throw new UsageError(
      "--year is required (or --from and --to for a period-end engagement)",
      "Oppgi --year (eller --from og --to for et periodeoppdrag).",
    );
  if (!/^\d{4}$/.test(values.year))
    throw new UsageError(
      `--year "${values.year}": expected a year such as 2025`,
      `--year «${values.year}» er ikke et år: skriv for eksempel 2025.`,
    );
  return { kind: "year-end", fiscalYear: Number(values.year) };
}

/** `engagement show|close|reopen`: one use case each, then the engagement as JSON or for people. */
async function engagementAction(
  action: "show" | "close" | "reopen",
  args: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    json: { type: "boolean", default: false },
    ...LOCALE_OPTION,
  });
  if (positionals.length > 0)
    throw new UsageError(`engagement ${action} takes no file`, `«saldo engagement ${action}» tar ingen fil.`);
  const ref = engagementRefFromOptions(values);
  const locale = localeFromOptions(values.locale, env);
  const pipeline = await openPipelineTarget(env);
  try {
    const deps = { engagementStore: pipeline.engagementStore, importStore: pipeline.importStore };
    const engagement =
      action === "close"
        ? await closeEngagement(deps, ref)
        : action === "reopen"
          ? await reopenEngagement(deps, ref)
          : await getEngagement(deps, ref);
    if (values.json) {
      process.stdout.write(
        JSON.stringify(toEngagementJson(engagement, await getEngagementReconciliation(deps, ref)), null, 2) + "\n",
      );
      return 0;
    }
    process.stdout.write(describeEngagement(engagement, locale));
    return 0;
  } finally {
    pipeline.close();
  }
}

/** The engagement for people: period, open or closed, and its refresh record. */
function describeEngagement(engagement: Engagement, locale: Locale): string {
  const nb = locale === "nb";
  const time = (iso: string) => formatTimestampForPeople(iso, locale);
  const period = formatPeriodForPeople({ start: engagement.periodStart, end: engagement.periodEnd }, locale);
  const lines = [
    `${nb ? "Oppdrag" : "Engagement"} ${engagement.tenantId}/${engagement.clientId}/${engagement.engagementId}: ${period}` +
      (engagement.closedAt !== undefined
        ? nb
          ? ` (avsluttet ${time(engagement.closedAt)})`
          : ` (closed ${time(engagement.closedAt)})`
        : nb
          ? " (åpent)"
          : " (open)"),
  ];
  const refresh = engagement.refresh;
  lines.push(
    `  ${nb ? "data per" : "data as of"}: ${refresh?.dataAsOf !== undefined ? time(refresh.dataAsOf) : "–"}`,
    `  ${nb ? "siste synkronisering" : "last sync"}: ${
      refresh?.lastRunAt !== undefined
        ? `${time(refresh.lastRunAt)} ${refresh.lastOutcome ?? ""} (${refresh.lastTrigger ?? ""}${refresh.lastImportId !== undefined ? `, import ${refresh.lastImportId}` : ""})`
        : "–"
    }`,
  );
  if (refresh?.lastError !== undefined)
    lines.push(`  ${nb ? "siste feil" : "last error"}: ${storedFailureForPeople(refresh.lastError, locale)}`);
  lines.push(
    `  ${nb ? "neste planlagte oppdatering" : "next scheduled refresh"}: ${
      engagement.refreshDueAt !== undefined ? time(engagement.refreshDueAt) : nb ? "ingen" : "none"
    }`,
  );
  return lines.join("\n") + "\n";
}
