import { userInfo } from "node:os";
import { startSync } from "../imports/syncFromApi.ts";
import { getTrialBalanceView, type TrialBalanceView } from "../imports/trialBalanceView.ts";
import type { ImportRun } from "../imports/types.ts";
import { LedgerJsonSchema, toLedgerJson } from "../ledger/ledgerJson.ts";
import {
  formatCountForPeople,
  formatPeriodForPeople,
  formatTimestampForPeople,
} from "../presentation/formatForPeople.ts";
import { labelsFor } from "../presentation/labels.ts";
import type { Locale } from "../presentation/locale.ts";
import { UsageError } from "./errors.ts";
import { followImportRun, type ImportProgressView } from "./followImport.ts";
import { toImportSummaryJson } from "../imports/importReports.ts";
import { openIntegrationTarget } from "./integrationTarget.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions } from "./pipelineTarget.ts";
import { renderTrialBalanceText } from "./trialBalanceCommand.ts";
import { EXIT_NOT_ACTIVE, renderHeld, renderImportEnded } from "./uploadCommand.ts";

/**
 * `saldo sync --tenant T --client C --engagement E [--timeout <seconds>] [--json] [--locale nb|en]`: syncs the
 * engagement from the client's accounting system and prints how it ended and the engagement's trial balance.
 *
 * The sync is queued by the same use case as `POST …/engagements/{engagementId}/sync` (`startSync`: the client must
 * be connected, one sync of an engagement at a time) and sent to the system's sync queue — the local stack's, or the
 * deployment's in AWS — through the same port and adapter (`SyncDispatcher`, `SqsSyncDispatcher`; see
 * lib/cli/integrationTarget.ts), where the sync worker runs it. The command then follows the import, as `saldo upload` follows an upload's.
 *
 * Exit codes as `saldo upload`'s: 0 when the engagement's active version is the API's current data (a new version,
 * or `unchanged`), 3 when the sync did not become the active version (held, failed), 1 when it could not be started.
 */
export async function syncCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    timeout: { type: "string", default: "900" },
    json: { type: "boolean", default: false },
    ...LOCALE_OPTION,
  });
  if (positionals.length > 0) throw new UsageError("sync takes no file", "«saldo sync» tar ingen fil.");
  const ref = engagementRefFromOptions(values);
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new UsageError(
      `--timeout must be a positive number of seconds`,
      "--timeout må være et positivt antall sekunder.",
    );
  const locale = localeFromOptions(values.locale, env);
  const labels = labelsFor(locale);
  const say = (line: string) => {
    if (!values.json) process.stdout.write(`${line}\n`);
  };

  const target = await openIntegrationTarget(env, { syncs: true });
  try {
    // The use case of `POST …/sync`: queued, then handed over (one that could not be is handed over by the sweeper).
    const queued = await startSync({ ...target.deps, syncs: target.syncs! }, ref, {
      kind: "cli",
      by: `cli:${userInfo().username}`,
    });
    const source = queued.source.type === "api" ? queued.source : undefined;
    say(
      labels.integration.syncQueued(
        queued.importId,
        source?.system ?? "?",
        source ? formatPeriodForPeople({ start: source.from, end: source.to }, locale) : "?",
      ),
    );

    const progress = progressLine(locale);
    let run: ImportRun;
    try {
      run = await followImportRun(
        target.importStore,
        queued,
        {
          timeoutMs: timeoutSeconds * 1000,
          hint: `see \`saldo imports --tenant ${ref.tenantId} --client ${ref.clientId} --engagement ${ref.engagementId}\``,
        },
        progress.update,
      );
    } finally {
      progress.done();
    }

    const engagement = await target.engagementStore.getEngagement(ref);
    const summary = toImportSummaryJson(run, engagement?.activeImportId);
    let view: TrialBalanceView | undefined;
    if (engagement?.activeImportId !== undefined) view = await getTrialBalanceView(target, ref);
    const api = run.source.type === "api" ? run.source : undefined;

    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          {
            import: summary,
            sync: api
              ? {
                  system: api.system,
                  company: api.company ?? null,
                  requestCount: api.requestCount ?? null,
                  mode: api.mode ?? null,
                  reason: api.reason ?? null,
                  fetchedAt: api.fetchedAt ?? null,
                  dataAsOf: api.marker?.asOf ?? null,
                }
              : null,
            trialBalance: view ? LedgerJsonSchema.parse(toLedgerJson(view.summary)) : null,
          },
          null,
          2,
        ) + "\n",
      );
    } else {
      process.stdout.write(renderSyncEnded(run, summary, locale));
      if (run.status === "held") process.stdout.write(renderHeld(run, ref, locale));
      if (run.status !== "succeeded" && run.status !== "unchanged")
        process.stdout.write(`  ${labels.upload.activeUnchanged}\n`);
      process.stdout.write("\n");
      const name = `${ref.tenantId}/${ref.clientId}/${ref.engagementId}`;
      process.stdout.write(
        view ? renderTrialBalanceText(view, name, locale) : `${labels.integration.noActiveVersion}\n`,
      );
    }
    return run.status === "succeeded" || run.status === "unchanged" ? 0 : EXIT_NOT_ACTIVE;
  } finally {
    target.close();
  }
}

/** How the sync ended, for people: as an upload's import ends, plus where and when the figures were read. */
function renderSyncEnded(run: ImportRun, summary: ReturnType<typeof toImportSummaryJson>, locale: Locale): string {
  const labels = labelsFor(locale).integration;
  const count = (value: number) => formatCountForPeople(value, locale);
  const api = run.source.type === "api" ? run.source : undefined;
  if (run.status === "unchanged") {
    const asOf = api?.marker?.asOf ?? api?.fetchedAt ?? run.finishedAt ?? run.createdAt;
    return `${labels.unchanged(run.importId, formatTimestampForPeople(asOf, locale), count(api?.requestCount ?? 0))}\n`;
  }
  let text = renderImportEnded(run, summary, locale);
  if (api?.company && api.fetchedAt !== undefined) {
    text += `${labels.provenance(
      `${api.system} ${api.company.name} (${api.company.id})`,
      count(api.requestCount ?? 0),
      formatTimestampForPeople(api.fetchedAt, locale),
    )}\n`;
  }
  if (api?.mode === "full" || api?.mode === "incremental") {
    const windows = (api.windows ?? []).map((window) => `${window.start}–${window.end}`).join(", ");
    text += `${labels.refresh(api.mode, windows || "0", api.baseImportId, api.reason ?? "")}\n`;
  }
  return text;
}

/** A one-line progress display on a terminal's stderr (nothing when stderr is not a terminal). */
function progressLine(locale: Locale): { update: (progress: ImportProgressView) => void; done: () => void } {
  const labels = labelsFor(locale);
  let shown = false;
  return {
    update: (progress) => {
      if (!process.stderr.isTTY) return;
      const status = labels.status[progress.status] ?? progress.status;
      const lines =
        progress.lines === undefined ? "" : `, ${labels.upload.lines(formatCountForPeople(progress.lines, locale))}`;
      process.stderr.write(`\r\x1b[2K${status}${lines}`);
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write("\r\x1b[2K");
    },
  };
}
