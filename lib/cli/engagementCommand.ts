import { createEngagement, type NewEngagement } from "../engagements/manageEngagements.ts";
import { toEngagementJson } from "../api/resourceJson.ts";
import { formatPeriodForPeople } from "../presentation/formatForPeople.ts";
import { UsageError } from "./errors.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";
import { openPipelineTarget } from "./pipelineTarget.ts";
import { IdSchema } from "../ids/ids.ts";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `saldo engagement create --tenant T --client C --year 2025 [--id ID] [--from YYYY-MM-DD --to YYYY-MM-DD] [--json]`:
 * creates an engagement of the client through the same use case as `POST /clients/{clientId}/engagements` — a
 * year-end engagement of the year, or with `--from/--to` a period-end one. The id defaults to the year (year-end) or
 * `<from>_<to>` (period-end).
 */
export async function engagementCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "create")
    throw new UsageError(
      `engagement: unknown action ${action === undefined ? "(none)" : `"${action}"`}; use "engagement create"`,
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
  if (positionals.length > 0) throw new UsageError("engagement create takes no file");
  for (const name of ["tenant", "client"] as const) {
    const value = values[name];
    if (value === undefined) throw new UsageError(`--${name} is required`);
    const checked = IdSchema.safeParse(value);
    if (!checked.success)
      throw new UsageError(`--${name} "${value}": ${checked.error.issues[0]?.message ?? "not a valid id"}`);
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
    if (values.from === undefined || values.to === undefined) throw new UsageError("--from and --to go together");
    for (const [name, value] of [
      ["from", values.from],
      ["to", values.to],
    ] as const) {
      if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
        throw new UsageError(`--${name} "${value}": expected a date YYYY-MM-DD`);
    }
    if (values.year !== undefined && values.year !== values.from.slice(0, 4)) {
      throw new UsageError(`--year ${values.year} does not match --from ${values.from}`);
    }
    return { kind: "period-end", periodStart: values.from, periodEnd: values.to };
  }
  if (values.year === undefined)
    throw new UsageError("--year is required (or --from and --to for a period-end engagement)");
  if (!/^\d{4}$/.test(values.year)) throw new UsageError(`--year "${values.year}": expected a year such as 2025`);
  return { kind: "year-end", fiscalYear: Number(values.year) };
}
