import { z } from "zod";

/**
 * A platform key: visible ASCII, no spaces (GUID-like strings at both vendors). The messages never echo the value.
 */
const PlatformKeySchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(4096, "at most 4096 characters")
  .regex(/^[\x21-\x7e]+$/, "visible ASCII characters only, no spaces");

/**
 * saldo's own keys at the accounting systems (not a client's): PowerOffice Go's application key and subscription key
 * (`Ocp-Apim-Subscription-Key`), Tripletex's API consumer token. The JSON shape of the platform-keys secret (README
 * "Platform keys"); a system whose keys are absent has no working connector.
 */
export const PlatformKeysSchema = z
  .object({
    "poweroffice-go": z
      .object({ applicationKey: PlatformKeySchema, subscriptionKey: PlatformKeySchema })
      .strict()
      .optional(),
    tripletex: z.object({ consumerToken: PlatformKeySchema }).strict().optional(),
  })
  .strict();
export type PlatformKeysValue = z.infer<typeof PlatformKeysSchema>;

/** Where one system's API is (production by default; the local stack and the tests point them at the fakes). */
const SystemEndpointSchema = z.object({ baseUrl: z.url() }).strict();

/**
 * The connectors a process has and how to reach them: per system the base URL, and where saldo's platform keys come
 * from — one Secrets Manager secret in the cloud (read on first use, never logged), or fixed values (the local stack:
 * the demo values the fakes accept; a deployment cannot choose them, its environment can only name a secret).
 *
 * Only the systems listed here get a connector (lib/connectors/registry.ts); a client of another system cannot sync
 * (`SYNC_NOT_CONNECTED`, reason `no-connector`).
 */
export const ConnectorsConfigSchema = z
  .object({
    /** PowerOffice Go host root (`https://goapi.poweroffice.net`; the API is under `/v2`, the token at `/OAuth/Token`). */
    "poweroffice-go": SystemEndpointSchema.extend({
      /**
       * This process's share of the subscription key's 10 requests per second (default all of it): the sync worker
       * runs on several Lambdas at once, each with its own limiter, so each takes 10 / its queue's concurrency
       * (infra/config.ts SYNC_QUEUES).
       */
      requestsPerSecond: z.number().int().min(1).max(10).optional(),
    })
      .strict()
      .optional(),
    /** Tripletex API root including `/v2` (`https://tripletex.no/v2`). */
    tripletex: SystemEndpointSchema.extend({
      /**
       * This process's share, per token owner, of saldo's Tripletex budget (TRIPLETEX_TOKEN_RATE_LIMIT, default all of
       * it): each sync worker and each connection-checking route takes its part (infra/config.ts RATE_LIMIT_SHARES).
       */
      requestsPerSecond: z.number().int().min(1).max(10).optional(),
    })
      .strict()
      .optional(),
    platformKeys: z.discriminatedUnion("source", [
      z.object({ source: z.literal("secrets-manager"), secretId: z.string().min(1) }).strict(),
      z.object({ source: z.literal("fixed"), keys: PlatformKeysSchema }).strict(),
    ]),
  })
  .strict();
export type ConnectorsConfig = z.infer<typeof ConnectorsConfigSchema>;
