import type { IntegrationSystem } from "../secrets/types.ts";

/**
 * How many syncs of each accounting system run at once, across every client and tenant — the sync queue's
 * `maximumConcurrency` in the cloud (infra/config.ts SYNC_QUEUES repeats these numbers; test/unit/infra checks them),
 * and the local stack's in-process queue's limit — and the share of the system's rate limit each running worker
 * process takes, so that together they stay under the published cap (/work/shared/specs/apis.md):
 *
 * - PowerOffice Go: 10 requests per second per *subscription key*, shared by every client of every tenant. Each
 *   worker's limiter holds its process to 10 / 2 = 5 per second; two workers (SQS's smallest maximum concurrency)
 *   make at most 10 per second together. A year is ~90 requests (the 1 M-posting bench: 89), so two workers
 *   refresh some 400 changed engagements an hour, and an unchanged one costs ≤ 5 requests.
 * - Tripletex: counted per *token owner* (each client's employee token, or an accountant's token shared by its
 *   client companies), with unpublished numbers: the limiter paces each token by the answers'
 *   `X-Rate-Limit-Remaining`/`-Reset`. No budget is shared across clients, so 10 syncs run at once (bounding the
 *   load on saldo's table and on Tripletex); two syncs sharing an accountant token in two workers are paced by the
 *   same headers.
 */
export const SYNC_QUEUE_LIMITS: Readonly<
  Record<IntegrationSystem, { maxConcurrency: number; requestsPerSecondPerWorker?: number }>
> = {
  "poweroffice-go": { maxConcurrency: 2, requestsPerSecondPerWorker: 5 },
  tripletex: { maxConcurrency: 10 },
};

/** Receives of a sync message before it goes to the dead-letter queue (a sync's own failures end it: these are crashes). */
export const SYNC_MAX_RECEIVES = 3;
