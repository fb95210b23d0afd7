// Sizing and naming of saldo's AWS resources, as plain data: infra/*.ts read it, test/unit/infra/ checks it without
// SST (whose globals exist only inside `sst` commands). infra/ may not import lib/ (STYLE.md §1), so the table's key
// names are repeated here; test/unit/infra/config.test.ts asserts they equal lib/store/tableSpec.ts's TABLE_SPEC.

/** Stages whose data must survive `sst remove` and mistakes: resources retained, deletion-protected. */
export const PROTECTED_STAGES: readonly string[] = ["production"];

/** saldo's home region (Stockholm): Norwegian accounting data stays in the EEA. */
export const AWS_REGION = "eu-north-1";

/**
 * Version of the `@pulumi/aws` provider `sst install` fetches (from the npm registry). Pinned so that the offline
 * type-check (scripts/typecheck-infra.sh) and a deploy see the same resource types; SST takes "latest" otherwise.
 */
export const AWS_PROVIDER_VERSION = "7.20.0";

export const STORAGE_CONFIG = {
  /** Where files are dropped: `uploads/{tenantId}/{clientId}/{engagementId}/{fileName}` (issue #3). */
  uploadsPrefix: "uploads/",
  /** Where rejected uploads are copied; the original is kept (tagged), never deleted. */
  rejectedPrefix: "rejected/",
  /**
   * The uploads bucket's lifecycle rules (infra/storage.ts). Large files arrive as multipart uploads (the CLI's
   * `--part-size`, the console's presigned parts); one abandoned halfway leaves parts that are billed as storage but
   * never listed as objects, so they are aborted a week after they began, across the whole bucket. A week is far
   * beyond any upload's presigned URLs (`API_CONFIG.uploadUrlSeconds`), so no live upload is cut off.
   */
  uploadsLifecycleRules: [
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ],
  table: {
    partitionKey: "pk",
    sortKey: "sk",
    globalIndexes: [{ name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: "all" }],
    ttlAttribute: "expiresAt",
    pointInTimeRecovery: true,
  },
} as const;

/**
 * The ingest function: S3 ObjectCreated under `uploads/` → parse → DynamoDB.
 *
 * Sizing for a 2 GB SAF-T file:
 * - memory 3008 MB. Lambda allocates CPU in proportion to memory: 1769 MB is one full vCPU, 3008 MB about 1.7. The
 *   parser is one JavaScript thread, but zip inflation, SHA-256 of the content and the SDK's HTTP and TLS work run
 *   beside it (libuv thread pool, sockets), so the extra share of a second vCPU shortens the run; the parser itself
 *   stays at a few hundred MB (issue #2), which leaves room for the bounded in-flight write batches and the V8 heap
 *   (Node sizes its old space from the available memory). The 15-minute limit needs only ~2.3 MB/s for 2 GB.
 * - timeout 900 s, Lambda's maximum: a 2 GB file must finish in one invocation.
 * - ephemeral storage 512 MB (Lambda's default): nothing is staged — a zipped SAF-T file is inflated as it streams
 *   (lib/formats/saft/unzipSingleXml.ts reads the local file headers in order), like every other upload.
 * - async retries 2 (Lambda's default, made explicit), then the event goes to the dead-letter queue.
 * - arm64: the code is pure JavaScript (no native modules), Graviton is ~20 % cheaper per GB-second.
 */
/** What every function takes from its config the same way: runtime, architecture, memory and timeout. */
export function functionSizing(config: {
  runtime: "nodejs22.x";
  architecture: "arm64";
  memoryMb: number;
  timeoutSeconds: number;
}) {
  return {
    runtime: config.runtime,
    architecture: config.architecture,
    memory: `${config.memoryMb} MB` as const,
    timeout: `${config.timeoutSeconds} seconds` as const,
  };
}

export const INGEST_CONFIG = {
  handler: "functions/s3/ingest.handler",
  runtime: "nodejs22.x",
  architecture: "arm64",
  memoryMb: 3008,
  timeoutSeconds: 900,
  ephemeralStorageMb: 512,
  asyncRetries: 2,
  events: ["s3:ObjectCreated:*"],
  filterPrefix: STORAGE_CONFIG.uploadsPrefix,
  logRetention: "1 month",
  /** SQS's maximum, 14 days: time to look at a failed event and replay it. */
  deadLetterRetentionSeconds: 14 * 24 * 60 * 60,
  powertools: { serviceName: "saldo-ingest", metricsNamespace: "saldo" },
} as const;

/**
 * IAM actions of the ingest function, least privilege: each is used by code the handler loads
 * (test/unit/infra/permissions.test.ts). Objects are never deleted (issue #3), so no s3:DeleteObject*; no tagging
 * (a rejected upload's copy carries the reason in its metadata, and takes no tags from the source). DynamoDB
 * transactions need no action of their own: TransactWriteItems is authorised per item (here PutItem and UpdateItem;
 * the ingest never releases an organisation number, the only DeleteItem saldo issues).
 */
export const INGEST_PERMISSIONS = {
  /** On `uploads/*`: read the object (and a given version); the source of a rejected upload's copy. */
  readUploads: ["s3:GetObject", "s3:GetObjectVersion"],
  /** On `rejected/*`: the copy of a rejected upload (CopyObject = read the source + write here). */
  writeRejected: ["s3:PutObject"],
  /** On the bucket: without it S3 answers 403 instead of 404 for an object deleted before its event was handled. */
  listBucket: ["s3:ListBucket"],
  /** On the table and its indexes. */
  table: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
  /** On the dead-letter queue: Lambda sends failed asynchronous events there with the function's role. */
  deadLetter: ["sqs:SendMessage"],
} as const;

/**
 * The import sweeper (functions/schedule/sweepImports.ts on an EventBridge schedule, infra/sweeper.ts): re-queues
 * imports whose attempt died (lease expired) and re-delivers their upload event to the ingest function — or fails
 * them after their attempts — and finishes the data expiry of ended imports after a crash.
 *
 * - every 5 minutes: with the ingest function's 120 s lease, a dead attempt is noticed within about 7 minutes.
 *   A sweep with nothing to do costs one query per index shard of the sparse `gsi1` (4 × 0.5 read units).
 * - 512 MB, 5 minutes: it reads small import items and writes conditional updates; the time limit matches the
 *   schedule, so two sweeps rarely overlap (and overlapping is harmless: every change is conditional).
 * - async retries 0: the next scheduled sweep is the retry.
 */
export const SWEEPER_CONFIG = {
  handler: "functions/schedule/sweepImports.handler",
  runtime: "nodejs22.x",
  architecture: "arm64",
  memoryMb: 512,
  timeoutSeconds: 300,
  schedule: "rate(5 minutes)",
  asyncRetries: 0,
  /** The table's sparse index the sweep queries (lib/store/dynamo/keys.ts); its only grant on an index. */
  sweepIndex: "gsi1",
  logRetention: "1 month",
  powertools: { serviceName: "saldo-sweeper" },
} as const;

/**
 * IAM actions of the sweeper, least privilege: no S3 at all, no deletes, only Invoke on the ingest function and
 * SendMessage on the sync queues.
 */
export const SWEEPER_PERMISSIONS = {
  /** On the table and its indexes: the sparse index query, reads, and conditional updates. */
  table: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
  /** On the ingest function: re-deliver an upload event asynchronously. */
  invokeIngest: ["lambda:InvokeFunction"],
  /** On the sync queues: hand a lost sync over again. */
  sendSync: ["sqs:SendMessage"],
} as const;

/**
 * The HTTP API (issue #4): API Gateway HTTP API → one Lambda per route (functions/http/<group>/<operation>.ts).
 *
 * - 1024 MB: the handlers are I/O-bound DynamoDB/S3/Secrets Manager calls; 1024 MB gives ~0.6 vCPU, which keeps
 *   cold starts (SDK + zod) short, and the trial-balance handler holds at most one trial balance in memory.
 * - 29 s: API Gateway HTTP APIs end integrations after 30 s.
 * - Stage throttling stands in for a per-tenant limit (API Gateway HTTP APIs have no usage plans); the local API
 *   limits per tenant with a token bucket (lib/local/stack/localApi.ts).
 */
export const API_CONFIG = {
  runtime: "nodejs22.x",
  architecture: "arm64",
  memoryMb: 1024,
  timeoutSeconds: 29,
  logRetention: "1 month",
  powertools: { serviceName: "saldo-api" },
  /** The claim naming the tenant (lib/auth DEFAULT_TENANT_CLAIM). */
  tenantClaim: "saldo:tenant",
  /** Lifetime of presigned upload URLs, and the largest file one is issued for (lib/imports/requestUpload.ts). */
  uploadUrlSeconds: 15 * 60,
  maxUploadBytes: 2 * 1024 ** 3,
  cors: {
    allowHeaders: ["authorization", "content-type"],
    exposeHeaders: ["x-request-id", "content-disposition", "x-next-cursor", "location"],
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    maxAgeSeconds: 600,
  },
} as const;

/** What differs per stage: the OIDC issuer the JWT authorizer trusts, the web origins (CORS), throttling. */
export interface ApiStageConfig {
  /** `iss` of accepted tokens; API Gateway fetches `${issuer}/.well-known/openid-configuration` for the keys. */
  issuer: string;
  /** Required `aud`. */
  audience: string;
  /**
   * Further origins allowed by CORS on the API and on the uploads bucket (presigned PUTs), besides the web console's
   * own (`web.domain`, added by {@link webOrigins}): e.g. a developer's Vite dev server.
   */
  corsOrigins: readonly string[];
  throttling: { rateLimit: number; burstLimit: number };
  /**
   * The web console (infra/web.ts: S3 + CloudFront). `domain`: its host name (CloudFront alias; the DNS and the
   * certificate are the stage's); without one the console is at its CloudFront URL. Either way the API and the bucket
   * allow the site's URL by CORS ({@link webOrigins} of `web.url`: the build does not need the API's URL, which
   * reaches the console at run time in `/config.json`, so nothing is circular). `oidcClientId`: the public client (no
   * secret, authorization code + PKCE) registered at `issuer` for the console, with `${origin}/auth/callback` as
   * redirect URI.
   */
  web: { domain?: string; oidcClientId: string; oidcScope: string };
}

/**
 * Stage settings. The issuers are the OIDC providers of each environment (e.g. a Cognito user pool or Entra ID
 * tenant whose tokens carry the `saldo:tenant` claim); a stage not listed uses `default` — a development stage.
 */
export const API_STAGES: Readonly<Record<string, ApiStageConfig>> & { default: ApiStageConfig } = {
  default: {
    issuer: "https://auth.dev.saldo.example",
    audience: "saldo-api",
    corsOrigins: ["http://localhost:5173"],
    throttling: { rateLimit: 20, burstLimit: 40 },
    web: { oidcClientId: "saldo-web-dev", oidcScope: "openid" },
  },
  production: {
    issuer: "https://auth.saldo.example",
    audience: "saldo-api",
    corsOrigins: [],
    throttling: { rateLimit: 200, burstLimit: 400 },
    web: { domain: "app.saldo.example", oidcClientId: "saldo-web", oidcScope: "openid" },
  },
};

/** The settings of `stage` (falling back to `default`). */
export function apiStageConfig(stage: string): ApiStageConfig {
  return API_STAGES[stage] ?? API_STAGES.default;
}

/**
 * Every origin the stage's API and uploads bucket allow by CORS: the deployed site's (`siteUrl`, the StaticSite's
 * URL: its custom domain or CloudFront's), the configured domain's and `corsOrigins`.
 */
export function webOrigins(config: ApiStageConfig, siteUrl: string): string[] {
  return [
    ...new Set([
      new URL(siteUrl).origin,
      ...(config.web.domain ? [`https://${config.web.domain}`] : []),
      ...config.corsOrigins,
    ]),
  ];
}

/** The web console's site (infra/web.ts) and the runtime configuration it reads. */
export const WEB_CONFIG = {
  /** Built by Vite from web/ (the path is relative to the project root, the build runs in web/). */
  path: "web",
  build: { command: "npx vite build --config vite.config.ts", output: "dist" },
  /**
   * `/config.json`, written next to the built files after the API exists (not part of the build, so one build serves
   * any issuer and API URL). Served from S3 as a route of its own: the site's router answers only the build's files
   * from S3 and sends everything else to index.html.
   */
  configFile: "config.json",
  configCacheControl: "no-cache, no-store, must-revalidate",
  /** Where the issuer sends the browser back with the code (register `${origin}${callbackPath}` at the issuer). */
  callbackPath: "/auth/callback",
} as const;

/**
 * The arguments of the console's `sst.aws.StaticSite` (S3 + CloudFront). No `errorPage`: the site's router then
 * answers every path without a file with index.html and status 200, so deep links such as
 * `/clients/{clientId}/engagements/{engagementId}/trial-balance` work on reload. Files of earlier deployments are not
 * purged: `/config.json` is written by its own resource, and a tab still running the previous build keeps finding
 * its hashed assets.
 */
export function webSiteArgs(config: ApiStageConfig) {
  return {
    path: WEB_CONFIG.path,
    build: { ...WEB_CONFIG.build },
    assets: { purge: false, routes: [WEB_CONFIG.configFile] },
    ...(config.web.domain ? { domain: config.web.domain } : {}),
  };
}

/**
 * What the deployed console reads at `/config.json` (web/src/config.ts ConsoleConfig): the API's URL and the OIDC
 * issuer, audience and public client the API's JWT authorizer trusts, and the claim naming the tenant.
 */
export function webConsoleConfig(config: ApiStageConfig, apiUrl: string) {
  return {
    apiUrl,
    auth: {
      kind: "oidc" as const,
      issuer: config.issuer,
      clientId: config.web.oidcClientId,
      scope: config.web.oidcScope,
      audience: config.audience,
      tenantClaim: API_CONFIG.tenantClaim,
    },
  };
}

/** Secret names of a stage: `saldo/{stage}/{tenantId}/{clientId}/{system}` — IAM grants stop at `saldo/{stage}/*`. */
export function secretPrefix(stage: string): string {
  return `saldo/${stage}`;
}

/** What a route's function may touch; infra/api.ts turns each into least-privilege grants. */
export type ApiRouteAccess =
  | "tableRead"
  | "tableWrite"
  | "presignUploads"
  | "secretsWrite"
  | "secretsRead"
  | "secretsDelete"
  | "secretsUse"
  | "platformKeys"
  | "sendSync";

/**
 * The routes, as plain data (infra/ may not import lib/): test/unit/api/infraRoutes.test.ts asserts that method,
 * path, handler and authentication equal lib/api/routes.ts's route table, which the local API and the OpenAPI
 * document are built from.
 */
export const API_ROUTES: readonly {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  handler: string;
  authenticated: boolean;
  access: readonly ApiRouteAccess[];
}[] = [
  {
    method: "POST",
    path: "/clients",
    handler: "functions/http/clients/createClient.handler",
    authenticated: true,
    access: ["tableWrite"],
  },
  {
    method: "GET",
    path: "/clients",
    handler: "functions/http/clients/listClients.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}",
    handler: "functions/http/clients/getClient.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "PATCH",
    path: "/clients/{clientId}",
    handler: "functions/http/clients/updateClient.handler",
    authenticated: true,
    access: ["tableWrite"],
  },
  {
    method: "DELETE",
    path: "/clients/{clientId}",
    handler: "functions/http/clients/deleteClient.handler",
    authenticated: true,
    access: ["tableWrite", "secretsDelete"],
  },
  {
    method: "POST",
    path: "/clients/{clientId}/engagements",
    handler: "functions/http/engagements/createEngagement.handler",
    authenticated: true,
    access: ["tableWrite"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements",
    handler: "functions/http/engagements/listEngagements.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements/{engagementId}",
    handler: "functions/http/engagements/getEngagement.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements/{engagementId}/source-plan",
    handler: "functions/http/engagements/getSourcePlan.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "PUT",
    path: "/clients/{clientId}/engagements/{engagementId}/source-plan",
    handler: "functions/http/engagements/putSourcePlan.handler",
    authenticated: true,
    access: ["tableWrite"],
  },
  {
    method: "POST",
    path: "/clients/{clientId}/engagements/{engagementId}/close",
    handler: "functions/http/engagements/closeEngagement.handler",
    authenticated: true,
    access: ["tableWrite"],
  },
  {
    method: "POST",
    path: "/clients/{clientId}/engagements/{engagementId}/reopen",
    handler: "functions/http/engagements/reopenEngagement.handler",
    authenticated: true,
    access: ["tableWrite"],
  },
  {
    method: "POST",
    path: "/clients/{clientId}/engagements/{engagementId}/uploads",
    handler: "functions/http/uploads/requestUpload.handler",
    authenticated: true,
    access: ["tableRead", "presignUploads"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements/{engagementId}/imports",
    handler: "functions/http/imports/listImports.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements/{engagementId}/imports/{importId}",
    handler: "functions/http/imports/getImport.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements/{engagementId}/imports/{importId}/compare",
    handler: "functions/http/imports/compareImports.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "POST",
    path: "/clients/{clientId}/engagements/{engagementId}/imports/{importId}/activate",
    handler: "functions/http/imports/activateImport.handler",
    authenticated: true,
    access: ["tableWrite"],
  },
  {
    method: "POST",
    path: "/clients/{clientId}/engagements/{engagementId}/sync",
    handler: "functions/http/imports/requestSync.handler",
    authenticated: true,
    access: ["tableWrite", "secretsRead", "sendSync"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements/{engagementId}/trial-balance",
    handler: "functions/http/figures/getTrialBalance.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements/{engagementId}/transactions",
    handler: "functions/http/figures/listTransactions.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/engagements/{engagementId}/reconciliation",
    handler: "functions/http/figures/getReconciliation.handler",
    authenticated: true,
    access: ["tableRead"],
  },
  {
    method: "PUT",
    path: "/clients/{clientId}/integrations/{system}",
    handler: "functions/http/integrations/putIntegrationKey.handler",
    authenticated: true,
    access: ["tableWrite", "secretsWrite", "secretsUse", "platformKeys"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/integrations/{system}",
    handler: "functions/http/integrations/getIntegrationKey.handler",
    authenticated: true,
    access: ["tableRead", "secretsRead"],
  },
  {
    method: "POST",
    path: "/clients/{clientId}/integrations/{system}/check",
    handler: "functions/http/integrations/checkIntegration.handler",
    authenticated: true,
    access: ["tableWrite", "secretsUse", "platformKeys"],
  },
  {
    method: "GET",
    path: "/clients/{clientId}/integrations/tripletex/companies",
    handler: "functions/http/integrations/listTripletexCompanies.handler",
    authenticated: true,
    access: ["tableRead", "secretsUse", "platformKeys"],
  },
  {
    method: "PUT",
    path: "/clients/{clientId}/integrations/tripletex/company",
    handler: "functions/http/integrations/bindTripletexCompany.handler",
    authenticated: true,
    access: ["tableWrite", "secretsUse", "platformKeys"],
  },
  {
    method: "DELETE",
    path: "/clients/{clientId}/integrations/{system}",
    handler: "functions/http/integrations/deleteIntegrationKey.handler",
    authenticated: true,
    access: ["tableWrite", "secretsDelete"],
  },
  {
    method: "GET",
    path: "/openapi.json",
    handler: "functions/http/meta/getOpenApiDocument.handler",
    authenticated: false,
    access: [],
  },
  {
    method: "GET",
    path: "/health",
    handler: "functions/http/meta/getHealth.handler",
    authenticated: false,
    access: [],
  },
];

/**
 * IAM actions behind each access. Reads never get write actions; no route gets s3:GetObject. A key's value
 * (secretsmanager:GetSecretValue) is read only by the routes that check a connection live with the accounting system
 * (`secretsUse`: storing a key, the check, a Tripletex key's companies and binding), and saldo's platform keys only
 * by those and the sync worker (`platformKeys`, on the one platform-keys secret).
 */
export const API_PERMISSIONS = {
  tableRead: ["dynamodb:GetItem", "dynamodb:Query"],
  /**
   * Conditional puts and updates; TransactWriteItems (activation, client writes) is authorised per item by these —
   * DeleteItem for the organisation-number marker a client releases when its number changes or it is deleted.
   */
  tableWrite: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
  /** On `uploads/*`: a presigned PUT is authorised with the signing role's permissions when it is used. */
  presignUploads: ["s3:PutObject"],
  /** SecretsManagerKeyVault.put: create, or restore and overwrite, and tag (last 4 characters, dates). */
  secretsWrite: [
    "secretsmanager:CreateSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:TagResource",
    "secretsmanager:RestoreSecret",
    "secretsmanager:DescribeSecret",
  ],
  /** SecretsManagerKeyVault.status: DescribeSecret only (tags), never the value. */
  secretsRead: ["secretsmanager:DescribeSecret"],
  secretsDelete: ["secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret"],
  /**
   * useIntegrationKey: the key's value for the connector (GetSecretValue; DescribeSecret when a secret scheduled for
   * deletion refuses it), and its use recorded (`lastUsedAt` tag).
   */
  secretsUse: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:TagResource"],
  /** SecretsManagerPlatformKeys: the platform-keys secret's value, on that secret alone. */
  platformKeys: ["secretsmanager:GetSecretValue"],
  /** The sync route hands the queued sync to its system's sync queue (infra/schedule.ts): SendMessage on the queues alone. */
  sendSync: ["sqs:SendMessage"],
} as const;

/**
 * The platform-keys secret of a stage: saldo's own PowerOffice Go application and subscription keys and Tripletex
 * consumer token, as JSON (README "Platform keys"). Created empty by infra/secrets.ts; its value is set out of band, so
 * it never passes through the deployment's state.
 */
export function platformKeysSecretName(stage: string): string {
  return `saldo-platform/${stage}/platform-keys`;
}

/**
 * The sync queues (infra/schedule.ts): one SQS queue per accounting system, each drained by its own sync worker
 * (functions/sync/worker.handler) whose event source's `maximumConcurrency` keeps that system under its rate limit
 * across every client and tenant (lib/imports/syncQueues.ts SYNC_QUEUE_LIMITS holds the same numbers and the
 * reasoning; test/unit/infra/config.test.ts asserts they agree):
 *
 * - poweroffice-go: 2 workers (SQS's smallest maximum concurrency), each limited to 4 requests per second
 *   (SALDO_POWEROFFICE_GO_REQUESTS_PER_SECOND): 8 of the subscription key's 10 per second, the connection-checking
 *   routes have the other 2 (CONNECTION_CHECK_CONFIG).
 * - tripletex: 8 workers, each limited to 1 request per second per token owner (SALDO_TRIPLETEX_REQUESTS_PER_SECOND):
 *   8 of saldo's 10 per token, the routes the other 2; each limiter also follows the answers' `X-Rate-Limit-*`.
 *
 * - batch size 1: a sync takes up to the worker's 900 s, so one message per invocation (the partial-batch answer
 *   still names a failed message, never the batch).
 * - visibility timeout 5 400 s: six times the worker's timeout, as AWS advises for SQS event sources, so that a
 *   message is never delivered again while its sync still runs.
 * - after 3 receives (three crashed or timed-out attempts: a sync's own failures end it and delete the message) the
 *   message goes to the queue's dead-letter queue, kept 14 days.
 */
export const SYNC_QUEUES = {
  "poweroffice-go": { name: "SyncPowerOfficeGo", maxConcurrency: 2, requestsPerSecondPerWorker: 4 },
  tripletex: { name: "SyncTripletex", maxConcurrency: 8, requestsPerSecondPerWorker: 1 },
} as const;

/**
 * The connection-checking routes (the API routes with `platformKeys` access: storing a key, `…/check`, the Tripletex
 * companies and binding) spend the accounting systems' budgets too: each such function has this reserved concurrency
 * and takes this share of each budget per instance, so that with the sync workers' shares every budget holds
 * (lib/imports/syncQueues.ts CONNECTION_CHECK_LIMITS holds the same numbers; test/unit/infra/config.test.ts asserts
 * they agree and that workers × share + routes × share stays within each budget).
 */
export const CONNECTION_CHECK_CONFIG = {
  reservedConcurrency: 2,
  requestsPerSecond: { "poweroffice-go": 1, tripletex: 1 },
} as const;

export const SYNC_QUEUE_CONFIG = {
  batchSize: 1,
  visibilityTimeoutSeconds: 6 * 900,
  maxReceiveCount: 3,
  deadLetterRetentionSeconds: 14 * 24 * 60 * 60,
} as const;

/**
 * The sync worker (functions/sync/worker.handler): runs every sync — the API's sync route (`POST …/sync`, `saldo
 * sync`), the schedule's fan-out and the sweeper's re-dispatch all send to the sync queues, so there is one way a
 * sync runs. One message per invocation: the connector's pull of one engagement's period, streamed page by page
 * through the same import attempt as a file.
 *
 * - memory 1769 MB (one full vCPU): the pull is flat streaming (pages go straight through the summarizer and the
 *   batched writer, never the whole year in memory), so memory is for CPU — JSON parsing of 1 000–20 000-row pages
 *   and the SDK's TLS — not for data.
 * - timeout 900 s, Lambda's maximum: a year of a large company is paged under the APIs' rate limits and must finish
 *   in one invocation.
 * - a crashed attempt is retried by SQS (the message is delivered again after its visibility timeout), at most
 *   SYNC_QUEUE_CONFIG.maxReceiveCount receives; the last one records the failure on the engagement, and the
 *   dead-letter queue's worker records what a crash left unrecorded.
 */
export const SYNC_WORKER_CONFIG = {
  handler: "functions/sync/worker.handler",
  runtime: "nodejs22.x",
  architecture: "arm64",
  memoryMb: 1769,
  timeoutSeconds: 900,
  logRetention: "1 month",
  powertools: { serviceName: "saldo-sync-worker", metricsNamespace: "saldo" },
} as const;

/** IAM actions of the sync worker, least privilege: no S3, no deletes. */
export const SYNC_WORKER_PERMISSIONS = {
  /** On the table: the sync's claim, versions, batched data, activation and the client's connection status. */
  table: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
  /** On the stage's client keys (`saldo/{stage}/*`): read the key, record its use. */
  clientKeys: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:TagResource"],
  /** On the platform-keys secret alone. */
  platformKeys: ["secretsmanager:GetSecretValue"],
  /** On its queue alone: Lambda's event source mapping polls and deletes the messages with the function's role. */
  queue: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
} as const;

/**
 * The dead-letter worker (functions/sync/deadLetters.handler), one per sync queue's dead-letter queue: a message
 * lands there when every receive of a sync crashed or timed out, so no worker could record how it ended; this ends
 * the sync as failed and records the outcome on the engagement at once. Small and short: a few reads and writes.
 */
export const SYNC_DEAD_LETTERS_CONFIG = {
  handler: "functions/sync/deadLetters.handler",
  runtime: "nodejs22.x",
  architecture: "arm64",
  memoryMb: 512,
  timeoutSeconds: 60,
  logRetention: "1 month",
  powertools: { serviceName: "saldo-sync-dead-letters" },
} as const;

/** IAM actions of the dead-letter worker: the import's and the engagement's items, its own dead-letter queue. */
export const SYNC_DEAD_LETTERS_PERMISSIONS = {
  table: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
  /** On its dead-letter queue alone: Lambda's event source mapping polls and deletes with the function's role. */
  queue: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
} as const;

/**
 * The scheduled refresh (functions/schedule/refresh.handler on an EventBridge schedule, infra/schedule.ts): every 15
 * minutes it reads the engagements whose refresh is due (the table's sparse `REFRESH` entries in `gsi1`), queues
 * their syncs and sends each to its system's sync queue. Hourly refreshes need a round at least every hour; 15
 * minutes keeps the lag of a due refresh under a quarter of an hour at one small query when nothing is due
 * (lib/engagements/refreshSchedule.ts REFRESH_ROUND_MINUTES).
 *
 * - 512 MB, 5 minutes: a round sends messages and writes small items; a round of thousands of due engagements fits.
 * - async retries 0: the next round is the retry (whatever was not queued is still due).
 */
export const REFRESH_CONFIG = {
  handler: "functions/schedule/refresh.handler",
  runtime: "nodejs22.x",
  architecture: "arm64",
  memoryMb: 512,
  timeoutSeconds: 300,
  schedule: "rate(15 minutes)",
  asyncRetries: 0,
  /** The table's index whose `REFRESH` partition the round queries. */
  scheduleIndex: "gsi1",
  logRetention: "1 month",
  powertools: { serviceName: "saldo-refresh" },
} as const;

/**
 * IAM actions of the refresh function, least privilege: it queues syncs as the API's sync route does (the table, and
 * whether a client has a key — DescribeSecret, never the value) and sends them to the sync queues.
 */
export const REFRESH_PERMISSIONS = {
  /** On the table and its `gsi1` index: the due query, the sync's queued import and lock, the engagement's schedule. */
  table: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
  /** On the stage's client keys: whether a key is stored (requestSync), never its value. */
  clientKeys: ["secretsmanager:DescribeSecret"],
  /** On the sync queues alone. */
  sendSync: ["sqs:SendMessage"],
} as const;
