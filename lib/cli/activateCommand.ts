import { userInfo } from "node:os";
import { activateEarlierImport } from "../imports/activateEarlierImport.ts";
import { HOLD_CODES } from "../imports/activationRules.ts";
import { IdSchema } from "../ids/ids.ts";
import { invalidIdError, UsageError } from "./errors.ts";
import { toImportSummaryJson } from "../imports/importReports.ts";
import { labelsFor } from "../presentation/labels.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";

/** How long a version that stops being active is kept: the functions' default (SALDO_RETENTION_DAYS, 400 days). */
const DEFAULT_RETENTION_DAYS = 400;

/**
 * `saldo activate --tenant T --client C --engagement E --import ID [--accept CODE[,CODE]] [--json]`: makes the import
 * the engagement's active version — an earlier version again, or a held one whose reasons are accepted — through
 * the same use case as `POST …/imports/{importId}/activate`. Who accepted is recorded as `cli:<user name>`. Text in
 * the locale's words (`--locale`, `SALDO_LOCALE`).
 */
export async function activateCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    import: { type: "string" },
    accept: { type: "string", multiple: true },
    json: { type: "boolean", default: false },
    ...LOCALE_OPTION,
  });
  if (positionals.length > 0) throw new UsageError("activate takes no file", "«saldo activate» tar ingen fil.");
  const ref = engagementRefFromOptions(values);
  const labels = labelsFor(localeFromOptions(values.locale, env)).upload;
  if (values.import === undefined) throw new UsageError("--import is required", "Oppgi --import (id-en til importen).");
  const importId = IdSchema.safeParse(values.import);
  if (!importId.success) throw invalidIdError("import", values.import, importId.error.issues[0]?.message);
  const accept = (values.accept ?? [])
    .flatMap((list) => list.split(","))
    .map((code) => code.trim())
    .filter(Boolean);
  const unknown = accept.filter((code) => !(HOLD_CODES as readonly string[]).includes(code));
  if (unknown.length > 0)
    throw new UsageError(
      `--accept: unknown code ${unknown.join(", ")} (codes: ${HOLD_CODES.join(", ")})`,
      `--accept: ukjent kode ${unknown.join(", ")}. Kodene som kan godtas: ${HOLD_CODES.join(", ")}.`,
    );
  const retentionDays = Number(env.SALDO_RETENTION_DAYS ?? DEFAULT_RETENTION_DAYS);
  if (!(Number.isFinite(retentionDays) && retentionDays > 0))
    throw new UsageError(
      "SALDO_RETENTION_DAYS must be a positive number of days",
      "SALDO_RETENTION_DAYS må være et positivt antall dager.",
    );

  const pipeline = await openPipelineTarget(env);
  try {
    const outcome = await activateEarlierImport(
      { ...pipeline, retentionSeconds: Math.round(retentionDays * 86_400) },
      { ...ref, importId: importId.data },
      { accept, by: `cli:${userName()}` },
    );
    const engagement = await pipeline.engagementStore.getEngagement(ref);
    const summary = toImportSummaryJson(outcome.import, engagement?.activeImportId);
    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          { import: summary, previousImportId: outcome.previousImportId ?? null, changed: outcome.changed },
          null,
          2,
        ) + "\n",
      );
      return 0;
    }
    const name = `${ref.tenantId}/${ref.clientId}/${ref.engagementId}`;
    if (!outcome.changed) process.stdout.write(`${labels.alreadyActive(summary.importId, name)}\n`);
    else process.stdout.write(`${labels.nowActive(summary.importId, name, outcome.previousImportId)}\n`);
    if (summary.accepted)
      process.stdout.write(`  ${labels.accepted(summary.accepted.codes.join(", "), summary.accepted.by)}\n`);
    return 0;
  } finally {
    pipeline.close();
  }
}

function userName(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}
