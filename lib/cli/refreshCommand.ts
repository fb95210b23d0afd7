import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { updateClient } from "../engagements/manageClients.ts";
import { RefreshIntervalSchema, type Engagement } from "../engagements/types.ts";
import { IdSchema } from "../ids/ids.ts";
import {
  RefreshRoundReportSchema,
  scheduledRefreshEvent,
  type RefreshRoundReport,
} from "../imports/refreshDueEngagements.ts";
import type { ImportRun } from "../imports/types.ts";
import type { Locale } from "../presentation/locale.ts";
import { storedFailureForPeople } from "../presentation/errorTexts.ts";
import { invalidIdError, RefreshRoundFailedError, TargetNotReachableError, UsageError } from "./errors.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";
import { openPipelineTarget, type PipelineTarget } from "./pipelineTarget.ts";

/** Statuses a queued sync has while it has not ended. */
const UNFINISHED: ReadonlySet<string> = new Set(["queued", "running"]);

/**
 * `saldo refresh --now [--tenant T] [--all] [--no-wait] [--timeout <s>] [--json]`: runs one round of the scheduled
 * refresh now — it invokes the schedule's own function (locally the stack's, at its Lambda endpoint; in AWS the
 * deployed one, SALDO_REFRESH_FUNCTION_NAME) with the event the schedule sends, so the round is exactly a scheduled
 * one: the due engagements (`--all`: every engagement in the schedule, due or not) of every tenant or of `--tenant`,
 * queued and sent to the sync queues. It prints what the round did and then follows the queued syncs until they
 * ended and are recorded on their engagements (default up to 900 s), printing how each ended.
 *
 * `saldo refresh --tenant T --client C --interval hourly|nightly|weekly|off`: sets how often the schedule refreshes
 * the client's engagements (the same use case as `PATCH /clients/{clientId}` with `refresh.interval`).
 */
export async function refreshCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    now: { type: "boolean", default: false },
    tenant: { type: "string" },
    client: { type: "string" },
    interval: { type: "string" },
    all: { type: "boolean", default: false },
    "no-wait": { type: "boolean", default: false },
    timeout: { type: "string" },
    json: { type: "boolean", default: false },
    ...LOCALE_OPTION,
  });
  if (positionals.length > 0) throw new UsageError("refresh takes no file", "«saldo refresh» tar ingen fil.");
  for (const name of ["tenant", "client"] as const) {
    const value = values[name];
    if (value !== undefined && !IdSchema.safeParse(value).success) throw invalidIdError(name, value);
  }
  const locale = localeFromOptions(values.locale, env);
  if (values.interval !== undefined) {
    if (values.now)
      throw new UsageError(
        "--interval sets a client's interval; --now runs a round: give one of them",
        "--interval setter en klients intervall, --now kjører en runde: oppgi bare ett av dem.",
      );
    return setClientInterval(values, env, locale);
  }
  if (!values.now)
    throw new UsageError(
      "give --now (run a round now) or --interval (set a client's interval)",
      "Oppgi --now (kjør en runde nå) eller --interval (sett en klients intervall).",
    );
  if (values.client !== undefined)
    throw new UsageError(
      "--client goes with --interval; a round takes --tenant",
      "--client hører til --interval; en runde tar bare --tenant.",
    );
  const timeoutSeconds = values.timeout === undefined ? 900 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new UsageError("--timeout: a number of seconds", "--timeout må være et positivt antall sekunder.");

  const pipeline = await openPipelineTarget(env);
  try {
    const report = await invokeRound(pipeline, {
      ...(values.tenant !== undefined ? { tenantId: values.tenant } : {}),
      ...(values.all ? { all: true } : {}),
      by: `cli:${userInfo().username}`,
    });
    const ended = !values["no-wait"] ? await followQueued(pipeline, report, timeoutSeconds) : [];
    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          {
            ...report,
            ended: ended.map((run) => ({
              ref: { tenantId: run.tenantId, clientId: run.clientId, engagementId: run.engagementId },
              importId: run.importId,
              status: run.status,
              failure: run.failure ?? null,
              heldFor: run.heldFor ?? [],
            })),
          },
          null,
          2,
        ) + "\n",
      );
    } else process.stdout.write(describeRound(report, ended, locale));
    const unfinished = ended.some((run) => UNFINISHED.has(run.status));
    return report.failed.length > 0 || unfinished ? 3 : 0;
  } finally {
    pipeline.close();
  }
}

async function setClientInterval(
  values: { tenant?: string; client?: string; interval?: string },
  env: Record<string, string | undefined>,
  locale: Locale,
): Promise<number> {
  const interval = RefreshIntervalSchema.safeParse(values.interval);
  if (!interval.success)
    throw new UsageError(
      `--interval "${values.interval}": use hourly, nightly, weekly or off`,
      `--interval «${values.interval}» kan ikke brukes: velg hourly, nightly, weekly eller off.`,
    );
  if (values.tenant === undefined || values.client === undefined)
    throw new UsageError("--interval needs --tenant and --client", "--interval trenger --tenant og --client.");
  const pipeline = await openPipelineTarget(env);
  try {
    await updateClient(
      { engagementStore: pipeline.engagementStore },
      { tenantId: values.tenant, clientId: values.client },
      { refresh: { interval: interval.data } },
    );
    process.stdout.write(
      locale === "nb"
        ? `klient ${values.client}: planlagt oppdatering ${interval.data}\n`
        : `client ${values.client}: scheduled refresh ${interval.data}\n`,
    );
    return 0;
  } finally {
    pipeline.close();
  }
}

/** Invokes the refresh function synchronously with a scheduled event and reads its report. */
async function invokeRound(
  pipeline: PipelineTarget,
  detail: { tenantId?: string; all?: boolean; by: string },
): Promise<RefreshRoundReport> {
  const fn = pipeline.target.integrations.refreshFunction;
  if (typeof fn === "string") throw new TargetNotReachableError("TARGET_CONFIG_INVALID", fn);
  const region = typeof fn.clientConfig.region === "string" ? fn.clientConfig.region : "eu-north-1";
  const client = new LambdaClient(fn.clientConfig);
  try {
    const answer = await client.send(
      new InvokeCommand({
        FunctionName: fn.name,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify(scheduledRefreshEvent(detail, { region, id: randomUUID() }))),
      }),
    );
    const text = new TextDecoder().decode(answer.Payload ?? new Uint8Array());
    if (answer.FunctionError !== undefined) {
      throw new RefreshRoundFailedError(`the refresh function ${fn.name} failed: ${text}`);
    }
    return RefreshRoundReportSchema.parse(JSON.parse(text));
  } finally {
    client.destroy();
  }
}

/**
 * How long, once a queued sync's import ended, the command waits for the worker to record that sync on its engagement
 * (`Engagement.refresh`, written just after the import ends). The worker logs and carries on when that write fails,
 * so the command stops waiting for it after this long rather than at the end of `--timeout`.
 */
const RECORD_GRACE_MS = 30_000;

/**
 * Polls the queued syncs until each ended — its import ended and the worker recorded it on the engagement, so what the
 * command prints is already what `saldo engagement show` and the API show — or the time is up; the last state of each.
 */
async function followQueued(
  pipeline: PipelineTarget,
  report: RefreshRoundReport,
  timeoutSeconds: number,
): Promise<ImportRun[]> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const endedSince = new Map<string, number>();
  const read = () =>
    Promise.all(
      report.queued.map(async (queued) => {
        const run =
          (await pipeline.importStore.getImport({ ...queued.ref, importId: queued.importId })) ??
          ({ ...queued.ref, importId: queued.importId, status: "queued" } as ImportRun);
        if (UNFINISHED.has(run.status)) return { run, settled: false };
        const since = endedSince.get(run.importId) ?? Date.now();
        endedSince.set(run.importId, since);
        const settled =
          Date.now() - since >= RECORD_GRACE_MS ||
          recorded(await pipeline.engagementStore.getEngagement(queued.ref), run);
        return { run, settled };
      }),
    );
  let runs = await read();
  while (runs.some(({ settled }) => !settled) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    runs = await read();
  }
  return runs.map(({ run }) => run);
}

/**
 * Whether the engagement's refresh record already tells of `run` (or of a later sync); an engagement gone meanwhile
 * gets no record, so there is nothing to wait for.
 */
function recorded(engagement: Engagement | undefined, run: ImportRun): boolean {
  if (engagement === undefined) return true;
  const refresh = engagement.refresh;
  if (refresh?.lastImportId === run.importId) return true;
  return refresh?.lastRunAt !== undefined && run.finishedAt !== undefined && refresh.lastRunAt >= run.finishedAt;
}

/** The round and each queued sync's outcome, for people. */
function describeRound(report: RefreshRoundReport, ended: ImportRun[], locale: Locale): string {
  const nb = locale === "nb";
  const name = (ref: { tenantId: string; clientId: string; engagementId: string }) =>
    `${ref.tenantId}/${ref.clientId}/${ref.engagementId}`;
  const lines = [
    nb
      ? `oppdateringsrunde: ${report.due} til forfall, ${report.queued.length} satt i kø, ${report.skipped.length} hoppet over, ${report.failed.length} feilet`
      : `refresh round: ${report.due} due, ${report.queued.length} queued, ${report.skipped.length} skipped, ${report.failed.length} failed`,
  ];
  for (const queued of report.queued) {
    const run = ended.find((candidate) => candidate.importId === queued.importId);
    const status = run?.status ?? "queued";
    const detail =
      run?.failure !== undefined
        ? `: ${storedFailureForPeople(run.failure, locale)}`
        : run?.heldFor !== undefined && run.heldFor.length > 0
          ? `: ${run.heldFor.join(", ")}`
          : "";
    lines.push(`  ${name(queued.ref)} ${queued.system} import ${queued.importId}: ${status}${detail}`);
  }
  for (const skipped of report.skipped)
    lines.push(`  ${name(skipped.ref)}: ${nb ? "hoppet over" : "skipped"} (${skipped.reason})`);
  for (const failed of report.failed) lines.push(`  ${name(failed.ref)}: ${storedFailureForPeople(failed, locale)}`);
  return lines.join("\n") + "\n";
}
