import type { IntegrationSystem } from "../secrets/types.ts";

/**
 * How many syncs of each accounting system run at once, across every client and tenant — the sync queue's
 * `maximumConcurrency` in the cloud (infra/config.ts SYNC_QUEUES repeats these numbers; test/unit/infra checks them),
 * and the local stack's in-process queue's limit — and the share of the system's budget each running worker process
 * takes, so that together with the connection-checking routes ({@link CONNECTION_CHECK_LIMITS}) they stay under it
 * (/work/shared/specs/apis.md; README "Rate limits"). Each worker is its own process with its own limiter, so a
 * budget can only be kept across workers by splitting it: workers × share + routes × share ≤ budget.
 *
 * - PowerOffice Go: 10 requests per second per *subscription key* (POWEROFFICE_GO_RATE_LIMIT), shared by every client
 *   of every tenant: 2 workers (SQS's smallest maximum concurrency) × 4 per second, plus 2 × 1 for the routes. A year
 *   is ~90 requests (the 1 M-posting bench: 89), so two workers refresh some 300 changed engagements an hour, and an
 *   unchanged one costs ≤ 5 requests.
 * - Tripletex: counted per *token owner* (each client's employee token, or an accountant's token shared by its client
 *   companies); saldo's budget per token is 10 per second (TRIPLETEX_TOKEN_RATE_LIMIT): 8 workers × 1 per second per
 *   token, plus 2 × 1 for the routes — so 8 clients of one accountant token syncing at once still make at most 8 per
 *   second on it, and the answers' `X-Rate-Limit-Remaining`/`-Reset` pause a token whose budget is spent anyway.
 */
export const SYNC_QUEUE_LIMITS: Readonly<
  Record<IntegrationSystem, { maxConcurrency: number; requestsPerSecondPerWorker: number }>
> = {
  "poweroffice-go": { maxConcurrency: 2, requestsPerSecondPerWorker: 4 },
  tripletex: { maxConcurrency: 8, requestsPerSecondPerWorker: 1 },
};

/**
 * The connection-checking routes (`PUT …/integrations/{system}`, `POST …/check`, `GET …/tripletex/companies`,
 * `PUT …/tripletex/company`) spend the same budgets as the syncs: each of their functions runs at most `concurrency`
 * instances at once (reserved concurrency in the cloud) and each instance takes `requestsPerSecond` of each system's
 * budget (per subscription key, per token owner). A check is a handful of requests; a person waits for it.
 */
export const CONNECTION_CHECK_LIMITS: Readonly<{
  concurrency: number;
  requestsPerSecond: Readonly<Record<IntegrationSystem, number>>;
}> = { concurrency: 2, requestsPerSecond: { "poweroffice-go": 1, tripletex: 1 } };

/** Receives of a sync message before it goes to the dead-letter queue (a sync's own failures end it: these are crashes). */
export const SYNC_MAX_RECEIVES = 3;
