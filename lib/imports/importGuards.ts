import { ImportExpiredError, ImportHasNoFiguresError, ImportNotFoundError } from "./errors.ts";
import type { ImportStore } from "./ports.ts";
import type { ImportRef, ImportRun } from "./types.ts";

/**
 * Reads an import of the caller's engagement.
 *
 * @throws ImportNotFoundError — also for an import of another engagement or tenant.
 */
export async function requireImport(deps: { importStore: ImportStore }, ref: ImportRef): Promise<ImportRun> {
  const run = await deps.importStore.getImport(ref);
  if (run === undefined) throw new ImportNotFoundError(ref);
  return run;
}

/**
 * Refuses to read an import whose figures may be incomplete: not finished, failed, or past its retention. A held
 * import's figures are complete (it was read to the end): they can be compared before a person activates it.
 *
 * @param nowSeconds Epoch seconds.
 * @throws ImportHasNoFiguresError, ImportExpiredError
 */
export function assertHasFigures(run: ImportRun, nowSeconds: number): void {
  if (run.status !== "succeeded" && run.status !== "superseded" && run.status !== "held") {
    throw new ImportHasNoFiguresError(run);
  }
  if (run.expiresAt !== undefined && run.expiresAt <= nowSeconds) {
    throw new ImportExpiredError({ ...run, expiresAt: run.expiresAt });
  }
}
