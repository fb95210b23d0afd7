import { runSync, type SyncDeps, type SyncDispatcher } from "./syncFromApi.ts";
import type { ImportRef } from "./types.ts";

/**
 * Runs a queued sync in this process, in the background (the local stack, which has one process for everything): the
 * request that queued it answers at once, as in the cloud. `idle()` resolves when every sync handed over has ended
 * (tests, shutdown). A failure is logged; the run itself records it (failed, or released for the sweeper).
 */
export class InProcessSyncDispatcher implements SyncDispatcher {
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly deps: SyncDeps,
    private readonly log: (message: string, fields: Record<string, unknown>) => void = () => {},
  ) {}

  async dispatch(ref: ImportRef): Promise<void> {
    const run: Promise<void> = runSync(this.deps, ref).then(
      (result) => this.log("sync ended", { importId: ref.importId, outcome: result.outcome }),
      (error: unknown) =>
        this.log("sync attempt failed", {
          importId: ref.importId,
          reason: error instanceof Error ? error.message : String(error),
        }),
    );
    const tracked = run.finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}
