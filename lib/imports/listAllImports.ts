import type { EngagementRef } from "../engagements/types.ts";
import type { ImportRunSummary, ImportStore } from "./ports.ts";

/**
 * Every import of the engagement, newest first, as summaries, following the store's pages (for callers that need
 * them all: the CLI following an upload, the local stack's seeding, tests).
 */
export async function listAllImports(importStore: ImportStore, ref: EngagementRef): Promise<ImportRunSummary[]> {
  const all: ImportRunSummary[] = [];
  let after: string | undefined;
  do {
    const page = await importStore.listImports(ref, { limit: 100, ...(after === undefined ? {} : { after }) });
    all.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return all;
}
