import type { EngagementRef } from "../engagements/types.ts";
import type { ImportStore } from "../imports/ports.ts";
import type { ImportRef, ImportRun } from "../imports/types.ts";
import { ImportWaitTimeoutError, UploadRejectedError } from "./errors.ts";

/**
 * The statuses of an import still under way; every other status is final (succeeded, failed, superseded, and any
 * final status added later, such as an import held back from activation), so following never outlives the import.
 */
const UNDER_WAY: ReadonlySet<string> = new Set(["queued", "running"]);

/** Imports read per poll: the upload just made is among the newest. */
const FOLLOW_PAGE = 20;

/** The upload whose import to follow, and for how long. */
export interface FollowedUpload {
  key: string;
  etag?: string;
  versionId?: string;
  /** Epoch ms: an import of the same key created before this is an earlier upload's. */
  notBefore: number;
  timeoutMs: number;
  /** Named in the timeout message (the local stack's dead-letter folder). */
  deadLetterHint?: string | undefined;
}

/** How far a running import has got, as far as the import item says. */
export interface ImportProgressView {
  status: ImportRun["status"];
  /** Bytes of the file read so far, and its size, when the import reports them. */
  bytesRead?: number;
  size?: number;
  /** Ledger lines read so far, when the import reports them. */
  lines?: number;
}

/** Pauses between polls: from 200 ms, growing by half up to 2 s. */
export interface FollowTiming {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Polls the engagement's imports until the one of this upload reaches a final status, reporting its progress on
 * the way: same key, same version or ETag, created after the upload started (an earlier upload of the same bytes
 * under the same name has an older import).
 *
 * @throws UploadRejectedError when the pipeline refused the upload (its key, client or engagement)
 * @throws ImportWaitTimeoutError when it has not ended within `timeoutMs`
 */
export async function followImport(
  importStore: ImportStore,
  ref: EngagementRef,
  upload: FollowedUpload,
  onProgress: (progress: ImportProgressView) => void = () => {},
  timing: FollowTiming = {},
): Promise<ImportRun> {
  const now = timing.now ?? Date.now;
  const sleep = timing.sleep ?? ((ms: number) => new Promise<void>((resolveDelay) => setTimeout(resolveDelay, ms)));
  const deadline = now() + upload.timeoutMs;
  let delay = 200;
  for (;;) {
    // The upload's import is among the newest: the first page of summaries is enough to find it.
    const runs = (await importStore.listImports(ref, { limit: FOLLOW_PAGE })).items;
    const summary = runs.find((run) => {
      if (run.source.type !== "file" || run.source.key !== upload.key) return false;
      if (upload.versionId && run.source.versionId) return run.source.versionId === upload.versionId;
      if (upload.etag && run.source.etag && run.source.etag !== upload.etag) return false;
      return Date.parse(run.createdAt) >= upload.notBefore;
    });
    // Once it has ended, the whole run (with its report, which a listing does not read).
    const ended = summary && !UNDER_WAY.has(summary.status) ? await importStore.getImport(summary) : undefined;
    if (ended) return ended;
    const mine = summary;
    if (mine) onProgress(progressOf(mine));
    if (!mine) {
      const rejected = (await importStore.listRejectedUploads(ref.tenantId)).find(
        (rejection) => rejection.key === upload.key && Date.parse(rejection.at) >= upload.notBefore,
      );
      if (rejected) throw new UploadRejectedError(`the upload was rejected: ${rejected.reason}`);
    }
    if (now() > deadline) {
      throw new ImportWaitTimeoutError(
        `the upload is stored, but its import ${mine ? `(${mine.importId}) is still ${mine.status}` : "has not started"} after ` +
          `${Math.round(upload.timeoutMs / 1000)} s; see \`saldo imports\`` +
          (upload.deadLetterHint ? ` and the dead letters in ${upload.deadLetterHint}` : ""),
      );
    }
    await sleep(delay);
    delay = Math.min(2_000, Math.round(delay * 1.5));
  }
}

/**
 * Polls one import (a sync the command queued) until it reaches a final status — `unchanged` included — reporting its
 * progress on the way, as {@link followImport} follows an upload's import.
 *
 * @throws ImportWaitTimeoutError when it has not ended within `timeoutMs` (naming its status and where to look)
 */
export async function followImportRun(
  importStore: ImportStore,
  ref: ImportRef,
  options: { timeoutMs: number; hint: string },
  onProgress: (progress: ImportProgressView) => void = () => {},
  timing: FollowTiming = {},
): Promise<ImportRun> {
  const now = timing.now ?? Date.now;
  const sleep = timing.sleep ?? ((ms: number) => new Promise<void>((resolveDelay) => setTimeout(resolveDelay, ms)));
  const deadline = now() + options.timeoutMs;
  let delay = 200;
  for (;;) {
    const run = await importStore.getImport(ref);
    if (run === undefined) throw new ImportWaitTimeoutError(`import ${ref.importId} is gone (${options.hint})`);
    if (!UNDER_WAY.has(run.status)) return run;
    onProgress(progressOf(run));
    if (now() > deadline) {
      throw new ImportWaitTimeoutError(
        `import ${ref.importId} is still ${run.status} after ${Math.round(options.timeoutMs / 1000)} s; ${options.hint}`,
      );
    }
    await sleep(delay);
    delay = Math.min(2_000, Math.round(delay * 1.5));
  }
}

/**
 * What the import item says about its progress. A running import records `progress: {bytesRead, size, lines}` as it
 * goes (the import lifecycle's heartbeat); the source's size stands in for a missing `size`.
 */
function progressOf(run: ImportRun): ImportProgressView {
  const recorded = (run as { progress?: { bytesRead?: unknown; size?: unknown; lines?: unknown } }).progress;
  const view: ImportProgressView = { status: run.status };
  const size =
    typeof recorded?.size === "number" ? recorded.size : run.source.type === "file" ? run.source.size : undefined;
  if (typeof recorded?.bytesRead === "number") view.bytesRead = recorded.bytesRead;
  if (typeof size === "number") view.size = size;
  if (typeof recorded?.lines === "number") view.lines = recorded.lines;
  return view;
}
