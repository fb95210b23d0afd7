import { trialBalanceCsv, trialBalanceXlsx } from "../export/trialBalanceExport.ts";
import { getTrialBalanceView, type TrialBalanceView } from "../imports/trialBalanceView.ts";
import { toFigureSourceJson } from "../imports/sourcePlanView.ts";
import { LedgerJsonSchema, toLedgerJson } from "../ledger/ledgerJson.ts";
import { formatTimestampForPeople } from "../presentation/formatForPeople.ts";
import { labelsFor } from "../presentation/labels.ts";
import { nothingToShow, UsageError } from "./errors.ts";
import { parseOptions } from "./parseOptions.ts";
import { FIGURES_OUTPUT_OPTIONS, figuresOutputFromOptions, writeChunks, writeOutput } from "./outputOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";
import { renderSummary } from "./renderSummary.ts";
import type { Locale } from "../presentation/locale.ts";

/**
 * `saldo trial-balance --tenant T --client C --engagement E [--format text|json|csv|xlsx] [--output FILE]
 * [--locale nb|en]`: the engagement's active version — the figures readers see — through the same use case as
 * `GET …/trial-balance` (so its report includes the reconciliation with the prior engagement). Text as `saldo inspect`
 * prints a file; `--json` (= `--format json`) exactly the `saldo inspect --json` shape; CSV and XLSX as the API
 * exports them.
 */
export async function trialBalanceCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...ENGAGEMENT_OPTIONS, ...FIGURES_OUTPUT_OPTIONS });
  if (positionals.length > 0)
    throw new UsageError("trial-balance takes no file", "«saldo trial-balance» tar ingen fil.");
  const ref = engagementRefFromOptions(values);
  const output = figuresOutputFromOptions(values, env);
  const name = `${ref.tenantId}/${ref.clientId}/${ref.engagementId}`;
  const pipeline = await openPipelineTarget(env);
  let view: TrialBalanceView;
  try {
    view = await getTrialBalanceView(pipeline, ref);
  } catch (error) {
    // The use case's own words (a deleted client's engagements are not found), with where the CLI looked.
    throw nothingToShow(error, pipeline.target.description);
  } finally {
    pipeline.close();
  }

  const { summary } = view;
  await writeOutput(output, async (sink) => {
    switch (output.format) {
      case "json":
        // Validated: this is a published shape (README), and it is rebuilt from stored items.
        return writeChunks(sink, [JSON.stringify(LedgerJsonSchema.parse(toLedgerJson(summary)), null, 2) + "\n"]);
      case "csv":
        return writeChunks(sink, [trialBalanceCsv(summary.rows, output.locale)]);
      case "xlsx":
        return writeChunks(sink, [await trialBalanceXlsx(summary.rows, output.locale)]);
      case "text":
        return writeChunks(sink, [renderTrialBalanceText(view, name, output.locale)]);
    }
  });
  return 0;
}

/**
 * The active version as `saldo trial-balance` prints it for people: a title naming the engagement, the import, its
 * source (file name or accounting system) and when it was made, then the table and the report (`saldo sync` too).
 */
export function renderTrialBalanceText(view: TrialBalanceView, name: string, locale: Locale): string {
  const { summary, run } = view;
  const source = run.source.type === "file" ? run.source.fileName : run.source.system;
  const created = formatTimestampForPeople(run.createdAt, locale);
  const labels = labelsFor(locale);
  const title = labels.activeImport(name, run.importId, source, created);
  const { opening, movement } = view.composed.sources;
  const plan = view.composed.plan;
  const sources = [
    labels.sourcePlanPart(
      "opening",
      plan.opening,
      plan.chosenBy.opening === "explicit",
      labels.figureSource(toFigureSourceJson(opening)),
    ),
    labels.sourcePlanPart(
      "movement",
      plan.movement,
      plan.chosenBy.movement === "explicit",
      labels.figureSource(toFigureSourceJson(movement)),
    ),
  ].join("\n");
  return `${title}\n${sources}\n${renderSummary(summary, source, locale)}`;
}
