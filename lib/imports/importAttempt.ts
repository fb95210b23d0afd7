import type { Client, Engagement } from "../engagements/types.ts";
import { FormatError } from "../formats/errors.ts";
import { recordBatches } from "../formats/shared/recordBatches.ts";
import type { ImportRecord } from "../ledger/records.ts";
import { formatKnownOre } from "../ledger/ledgerJson.ts";
import { LedgerSummarizer, type LedgerSummary } from "../ledger/summarizeLedger.ts";
import type { Issue } from "../ledger/types.ts";
import { formatOre } from "../money/ore.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import { hasErrorCode } from "../errors/SaldoError.ts";
import { isConnected, resolveSourcePlan, slotOfImport } from "../engagements/sourcePlan.ts";
import { activationFactsOf, evaluateActivationRules, markIssuesUnusedByPlan } from "./activationRules.ts";
import { adoptClientOrgNumber, otherClientWithOrgNumber } from "./clientOrgNumber.ts";
import { FieldTooLongError, ImportLeaseLostError, SourceFileMissingError } from "./errors.ts";
import { limitFieldLengths } from "./fieldLimits.ts";
import { startImportHeartbeat } from "./importHeartbeat.ts";
import { reconcileAfterChange } from "./engagementReconciliation.ts";
import type { ActivationResult, ImportStore, WriteStatistics } from "./ports.ts";
import type { ImportCounts, ImportLease, ImportRole, ImportRun, ImportSource } from "./types.ts";
import { sourcesOfEngagement } from "./engagementSources.ts";
import { findPriorEngagement } from "../reconcile/priorClosing.ts";
import type { ActivationPlanFacts } from "./activationRules.ts";

/** Defaults of the import lifecycle (README "Import lifecycle"). */
export const IMPORT_LIFECYCLE_DEFAULTS = {
  /** A lease not renewed for this long counts as a dead attempt. */
  leaseSeconds: 120,
  /** How often a running import renews its lease and records its progress. */
  heartbeatSeconds: 5,
  /** How long a released import waits for a retry to claim it before the sweeper re-delivers it. */
  retryGraceSeconds: 10 * 60,
} as const;

/** Longest failure message kept on an import (a message may quote the file). */
const FAILURE_MESSAGE_LIMIT = 2_000;

/** What one attempt of an import needs (the common part of importFile's and syncFromApi's dependencies). */
export interface ImportAttemptDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
  /** How long superseded and failed versions are kept before DynamoDB TTL removes them. */
  retentionSeconds: number;
  /**
   * How long an attempt's lease lasts without a heartbeat: a dead attempt (process killed, out of memory, timed
   * out) is taken over or swept this long after its last beat. Default 120 s.
   */
  leaseSeconds?: number;
  /** How often the running import renews its lease and records its progress. Default 5 s (fractions allowed). */
  heartbeatSeconds?: number;
  /** How long a released import waits for a retry before the sweeper re-delivers it. Default 600 s. */
  retryGraceSeconds?: number;
  now?: () => Date;
  /** Structured progress events (the handler passes them to its logger). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** How far a source has been read: bytes of a file, lines of transactions (updated by the attempt as it reads). */
export interface AttemptProgress {
  bytesRead: number;
  size?: number;
  lines: number;
}

/**
 * Where an attempt's records come from: a file through its parser (importFile) or an accounting system's API through
 * its connector (syncFromApi). The attempt itself is the same for both: one set of rules.
 */
export interface ImportAttemptSource {
  /** Names the source in issues about field limits (the file name, or the system). */
  label: string;
  /** Opens the records; the source may update `progress.bytesRead`/`size` as it reads. */
  open(progress: AttemptProgress): Promise<AsyncIterable<ImportRecord>>;
  /** The import's source once every record was read (a file's digest and size, an API's provenance). */
  finishedSource(run: ImportRun, progress: AttemptProgress): ImportSource;
  /**
   * Errors that are a problem of the source's content or of its owner's account (retrying cannot help), as the
   * failure to record; undefined for everything else (which releases the import for a retry). Checked after the
   * common ones (unreadable file, over-long identifier, item too large).
   */
  contentFailureOf?(error: unknown): { code: string; message: string } | undefined;
  /**
   * Codes of the summarizer's warnings that are errors for this source (so the activation gate holds the import):
   * an API's own trial balance that disagrees with its own postings is not a figure to trust, where a file's stated
   * closing is taken as stated.
   */
  errorCodes?: ReadonlySet<string>;
  /** What the import is for, once every record was read (an upload's `role` metadata); default `figures`. */
  role?(): ImportRole | undefined;
  /** After the final save of an import that is about to be activated (e.g. remember a CSV layout). */
  beforeActivation?(finished: ImportRun): Promise<void>;
}

/** The claimed import and what the attempt knows about where it goes. */
export interface ClaimedImport {
  run: ImportRun;
  lease: ImportLease;
  client: Client;
  engagement: Engagement;
  /** Fields of every log line of this attempt. */
  context: Record<string, unknown>;
}

export type ImportAttemptResult =
  | { outcome: "failed"; run: ImportRun }
  /** This attempt lost its lease to another attempt (or the sweeper) and stopped; the import goes on without it. */
  | { outcome: "abandoned"; run: ImportRun }
  /** Read completely, but held by the activation gate (`run.heldFor`): the active version stays as it was. */
  | { outcome: "held"; run: ImportRun; written: WriteStatistics; bytesRead: number }
  | { outcome: "imported"; run: ImportRun; activation: ActivationResult; written: WriteStatistics; bytesRead: number };

/**
 * Runs one claimed attempt of an import to its end:
 * 1. the records are streamed through the field limits (fieldLimits.ts) and the trial-balance summarizer into the
 *    store's writer (all under the import's own id), while a heartbeat renews the lease and records the progress;
 * 2. a problem of the content (unreadable, an over-long identifier, an item too large to store, or the source's own
 *    such problems) ends as a `failed` import with its code and reason; the active version stays as it was;
 * 3. the activation gate (lib/imports/activationRules.ts) checks that the import plausibly belongs to the engagement;
 *    when a rule holds it, the import ends as `held` with its reasons, its data expires unless a person activates it,
 *    and the active version stays as it was;
 * 4. otherwise the import is saved (still `running`) and activated in one conditional write that makes it
 *    `succeeded` — or `superseded` when a newer one is already active; a client without an organisation number
 *    takes the source's.
 *
 * Every path out of here ends the run or releases it for a retry (`queued`, with a deadline after which the sweeper
 * re-delivers it): unexpected failures release the claim and are rethrown so that the caller retries.
 */
export async function runImportAttempt(
  deps: ImportAttemptDeps,
  claimed: ClaimedImport,
  source: ImportAttemptSource,
): Promise<ImportAttemptResult> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const { run, lease, client, engagement, context } = claimed;
  const { tenantId, clientId } = run;
  const leaseMs = (deps.leaseSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.leaseSeconds) * 1000;

  const writer = deps.importStore.openImportWriter(run);
  const expiresAt = () => Math.floor(now().getTime() / 1000) + deps.retentionSeconds;
  const summarizer = new LedgerSummarizer();
  const progress: AttemptProgress = {
    bytesRead: 0,
    lines: 0,
    ...(run.source.type === "file" && run.source.size !== undefined ? { size: run.source.size } : {}),
  };
  const heartbeat = startImportHeartbeat({
    importStore: deps.importStore,
    ref: run,
    lease,
    intervalMs: (deps.heartbeatSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.heartbeatSeconds) * 1000,
    leaseMs,
    now,
    progress: () => ({
      bytesRead: progress.bytesRead,
      lines: progress.lines,
      ...(progress.size !== undefined ? { size: progress.size } : {}),
    }),
    log,
  });
  /** Whether the import's data is complete and saved: from then on a failure must not mark it to expire. */
  let saved = false;
  try {
    const records = await source.open(progress);
    const limitIssues: Issue[] = [];
    // A chunk's records at a time (recordBatches): one await per chunk of the file rather than one per record.
    for await (const batch of recordBatches(records)) {
      for (const parsed of batch) {
        if (heartbeat.lost) throw new ImportLeaseLostError(run.importId);
        const record = limitFieldLengths(parsed, source.label, limitIssues);
        for (const issue of limitIssues.splice(0)) summarizer.add({ type: "issue", issue });
        summarizer.add(record);
        if (record.type === "transaction") {
          progress.lines += record.transaction.lines.length;
          await writer.addTransaction(record.transaction);
        }
      }
    }
    const summary: LedgerSummary = summarizer.finish();
    if (source.errorCodes !== undefined) {
      const errorCodes = source.errorCodes;
      summary.issues = summary.issues.map((issue) =>
        errorCodes.has(issue.code) && issue.severity !== "error" ? { ...issue, severity: "error" } : issue,
      );
    }
    const written: WriteStatistics = await writer.finish(summary.rows);

    const header = summary.header;
    // The activation gate (lib/imports/activationRules.ts): its issues join the report; a held import is saved and
    // left out of sight, the active version stays as it was. The client is read again: an import that finished
    // meanwhile may have given it an organisation number.
    const clientNow = (await deps.engagementStore.getClient({ tenantId, clientId })) ?? client;
    const role = source.role?.() === "opening" ? ("opening" as const) : undefined;
    const plan = await planFactsOf(deps, { ...run, ...(role ? { role } : {}) }, isConnected(clientNow));
    const decision = evaluateActivationRules(
      activationFactsOf(summary, {
        client: clientNow,
        engagement,
        otherClientWithOrgNumber: await otherClientWithOrgNumber(
          deps.engagementStore,
          clientNow,
          header.company.orgNumber,
        ),
        plan,
      }),
    );
    summary.issues = [...markIssuesUnusedByPlan(summary.issues, plan), ...decision.issues];
    const held = decision.heldFor.length > 0;
    const { progress: _progress, ...runFields } = run;
    const finished: ImportRun = {
      ...runFields,
      ...(role ? { role } : {}),
      status: held ? "held" : "succeeded",
      finishedAt: now().toISOString(),
      format: header.format,
      formatVersion: header.formatVersion,
      encoding: header.encoding,
      header: {
        company: header.company,
        ...(header.period ? { period: header.period } : {}),
        ...(header.currency !== undefined ? { currency: header.currency } : {}),
        ...(header.software ? { software: header.software } : {}),
      },
      source: source.finishedSource(run, progress),
      counts: countsOf(summary),
      issues: summary.issues,
      ...(held ? { heldFor: decision.heldFor, expiresAt: expiresAt() } : {}),
    };
    if (heartbeat.lost) throw new ImportLeaseLostError(run.importId);
    await heartbeat.stop();
    if (held) {
      // Kept for a person to look at (compare, activate) for the retention time; activating it removes the expiry.
      // Should marking its data fail, the sweeper finishes it (dataExpiryPending).
      const marked = await writer.abort(finished.expiresAt!).then(
        () => true,
        () => false,
      );
      await deps.importStore.saveImport(finished, { owner: lease.owner, dataExpiryPending: !marked });
      saved = true;
      log("import held: not activated", {
        ...context,
        heldFor: decision.heldFor,
        bytes: progress.bytesRead,
        items: written.items,
      });
      return { outcome: "held", run: finished, written, bytesRead: progress.bytesRead };
    }
    // Saved with its results but still `running`: the activation's own write makes it `succeeded` (or
    // `superseded`), so nobody ever sees a succeeded import that is not (yet) active.
    await deps.importStore.saveImport({ ...finished, status: "running" }, { owner: lease.owner });
    saved = true;
    await source.beforeActivation?.(finished);
    const activation = await deps.importStore.activateImport(finished, {
      orderKey: finished.orderKey,
      now: now().toISOString(),
      retentionSeconds: deps.retentionSeconds,
      connected: isConnected(clientNow),
    });
    const final: ImportRun = activation.outcome === "stale" ? { ...finished, status: "superseded" } : finished;
    // The expiry of the version that stopped being active (or of this one, when a newer one is): done here, off any
    // API request; should it fail, the sweeper finishes it (the activation marked it due).
    const superseded = activation.outcome === "activated" ? activation.previousImportId : finished.importId;
    if (superseded !== undefined) {
      await deps.importStore.finishDataExpiry({ ...finished, importId: superseded }).catch((expiryError: unknown) =>
        log("the superseded version's data expiry is left to the sweeper", {
          ...context,
          importId: superseded,
          reason: expiryError instanceof Error ? expiryError.message : String(expiryError),
        }),
      );
    }
    if (activation.outcome === "activated") {
      // The activation stands whatever happens here: a failure is logged, not a reason to release the import.
      try {
        const adopted = await adoptClientOrgNumber(
          { engagementStore: deps.engagementStore, now },
          client,
          header.company.orgNumber,
        );
        if (adopted) log("client took the source's organisation number", { ...context, orgNumber: adopted });
      } catch (adoptError) {
        log("client could not take the source's organisation number", {
          ...context,
          reason: adoptError instanceof Error ? adoptError.message : String(adoptError),
        });
      }
    }
    // The engagement's figures changed (and so did the prior closing of the engagement after it): reconcile both.
    if (activation.outcome === "activated") await reconcileAfterChange({ ...deps, now, log }, finished);
    log("import finished", {
      ...context,
      activation: activation.outcome,
      bytes: progress.bytesRead,
      lines: summary.transactions.lines,
      items: written.items,
    });
    return { outcome: "imported", run: final, activation, written, bytesRead: progress.bytesRead };
  } catch (error) {
    return await endAttempt(error);
  } finally {
    await heartbeat.stop();
  }

  /**
   * Ends this attempt after `error`, whatever it was: a lost lease stops quietly; a problem of the content fails the
   * import; anything else releases it for a retry and is rethrown.
   */
  async function endAttempt(error: unknown): Promise<ImportAttemptResult> {
    await heartbeat.stop();
    if (error instanceof ImportLeaseLostError || hasErrorCode(error, "STORE_LEASE_LOST")) {
      // Another attempt holds the import now and writes the same items: stop without marking anything to expire.
      await writer.abort().catch(() => {});
      log("import attempt abandoned: it lost its lease", { ...context });
      return { outcome: "abandoned", run };
    }
    const content = contentFailureOf(error) ?? source.contentFailureOf?.(error);
    if (content !== undefined) {
      // The data of a failed import expires; if marking it fails, the sweeper finishes it (dataExpiryPending).
      const marked = await writer.abort(expiresAt()).then(
        () => true,
        () => false,
      );
      const { progress: _progress, ...runFields } = run;
      const failed: ImportRun = {
        ...runFields,
        status: "failed",
        finishedAt: now().toISOString(),
        failure: { code: content.code, message: clip(content.message) },
        expiresAt: expiresAt(),
      };
      try {
        await deps.importStore.saveImport(failed, { owner: lease.owner, dataExpiryPending: !marked });
        log("import failed: a problem of the source's content", {
          ...context,
          code: content.code,
          reason: content.message,
        });
        return { outcome: "failed", run: failed };
      } catch (saveError) {
        if (hasErrorCode(saveError, "STORE_LEASE_LOST")) return { outcome: "abandoned", run };
        return release(saveError);
      }
    }
    return release(error);
  }

  /** Releases the claim after an unexpected failure (the caller retries) and rethrows. */
  async function release(error: unknown): Promise<never> {
    // Before the final save the partial data is marked to expire (a retry rewrites it all); after it, the data is
    // complete — and possibly already active — so it is left alone.
    if (!saved) await writer.abort(expiresAt()).catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    const retryBy = new Date(
      now().getTime() + (deps.retryGraceSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.retryGraceSeconds) * 1000,
    ).toISOString();
    await deps.importStore
      .releaseImport(
        run,
        { code: typeof code === "string" ? code : "IMPORT_UNEXPECTED", message: clip(message) },
        { owner: lease.owner, retryBy },
      )
      .catch((releaseError: unknown) =>
        log("import could not be released; the sweeper will end it when its lease expires", {
          ...context,
          reason: releaseError instanceof Error ? releaseError.message : String(releaseError),
        }),
      );
    throw error;
  }
}

/**
 * The failure of an import whose content is the problem — retrying cannot help: unreadable or malformed
 * (FormatError), gone (SourceFileMissingError), an over-long identifier (FieldTooLongError), or something still too
 * large for one stored item (`IMPORT_ITEM_TOO_LARGE`). Undefined for every other error.
 */
function contentFailureOf(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof FormatError || error instanceof SourceFileMissingError || error instanceof FieldTooLongError) {
    return { code: error.code, message: error.message };
  }
  if (hasErrorCode(error, "STORE_ITEM_TOO_LARGE")) {
    return {
      code: "IMPORT_ITEM_TOO_LARGE",
      message: `the source holds more than one stored item can take (DynamoDB's 400 KB): ${error.message}`,
    };
  }
  return undefined;
}

/**
 * What the engagement's source plan takes from this import, for the activation gate: the plan as it will be once
 * the import fills its slot (lib/engagements/sourcePlan.ts), so the columns it does not use, and whether it may
 * replace the import active in its slot.
 */
async function planFactsOf(
  deps: ImportAttemptDeps,
  run: ImportRun,
  connected: boolean,
): Promise<ActivationPlanFacts | undefined> {
  const [engagement, engagements] = await Promise.all([
    deps.engagementStore.getEngagement(run),
    deps.engagementStore.listEngagements(run),
  ]);
  if (engagement === undefined) return undefined;
  const slot = slotOfImport(run);
  const sources = await sourcesOfEngagement(deps, engagement);
  const current = sources[slot];
  const plan = resolveSourcePlan(
    { ...engagement, sources: { ...sources, [slot]: { importId: run.importId, orderKey: run.orderKey } } },
    {
      hasPriorClosing: findPriorEngagement(engagement, engagements)?.activeImportId !== undefined,
      connected,
    },
  );
  const opensFromIt =
    slot === "opening" || (plan.opening === slot && (slot !== "file" || sources.opening === undefined));
  return {
    slot,
    unusedColumns: opensFromIt ? [] : ["opening", "closing"],
    openingFrom: plan.opening,
    ...(plan.replace === false && current !== undefined && current.importId !== run.importId
      ? { replaceRefusedBy: current.importId }
      : {}),
  };
}

function clip(message: string): string {
  return message.length <= FAILURE_MESSAGE_LIMIT ? message : `${message.slice(0, FAILURE_MESSAGE_LIMIT)}…`;
}

function countsOf(summary: LedgerSummary): ImportCounts {
  const issues = { error: 0, warning: 0, info: 0 };
  for (const issue of summary.issues) issues[issue.severity]++;
  return {
    accounts: summary.rows.length,
    transactions: summary.transactions.count,
    lines: summary.transactions.lines,
    totals: {
      opening: formatKnownOre(summary.totals.opening),
      movement: formatKnownOre(summary.totals.movement),
      closing: formatOre(summary.totals.closing),
    },
    totalDebit: formatOre(summary.transactions.totalDebit),
    totalCredit: formatOre(summary.transactions.totalCredit),
    issues,
  };
}
