import { LedgerJsonSchema, toLedgerJson } from "../ledger/ledgerJson.ts";
import { nothingToShow, UsageError } from "./errors.ts";
import { parseOptions } from "./parseOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";
import { getTrialBalanceView } from "../imports/trialBalanceView.ts";
import { renderSummary } from "./renderSummary.ts";

/**
 * `saldo trial-balance --tenant T --client C --engagement E [--json]`: the engagement's active version — the figures
 * readers see — as `saldo inspect` prints a file (`--json`: exactly the `saldo inspect --json` shape).
 */
export async function trialBalanceCommand(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...ENGAGEMENT_OPTIONS, json: { type: "boolean", default: false } });
  if (positionals.length > 0) throw new UsageError("trial-balance takes no file");
  const ref = engagementRefFromOptions(values);
  const name = `${ref.tenantId}/${ref.clientId}/${ref.engagementId}`;
  const pipeline = await openPipelineTarget(env);
  try {
    // The use case of the API's GET …/trial-balance: the same figures, the same doubts (the reconciliation with the
    // prior engagement's closing included), and a deleted client's engagements are not found.
    const ledger = await getTrialBalanceView({ store: pipeline.store }, ref).catch((error: unknown) => {
      throw nothingToShow(error, pipeline.target.description);
    });
    if (values.json) {
      // Validated: this is a published shape (README), and it is rebuilt from stored items.
      const json = LedgerJsonSchema.parse(toLedgerJson(ledger.summary));
      process.stdout.write(JSON.stringify(json, null, 2) + "\n");
    } else {
      const source = ledger.run.source.type === "file" ? ledger.run.source.fileName : ledger.run.source.system;
      process.stdout.write(`Engagement ${name}: active import ${ledger.run.importId} (${source}, ${ledger.run.createdAt})\n`);
      process.stdout.write(renderSummary(ledger.summary, source));
    }
    return 0;
  } finally {
    pipeline.close();
  }
}
