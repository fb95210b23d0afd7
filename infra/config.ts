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
  /** Abandoned multipart uploads of large SAF-T files cost storage until aborted. */
  abortIncompleteMultipartUploadDays: 7,
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
 * IAM actions of the ingest function, least privilege. Objects are never deleted (issue #3), so no s3:DeleteObject*.
 * DynamoDB transactions need no action of their own: TransactWriteItems is authorised per item by PutItem,
 * UpdateItem, DeleteItem and ConditionCheckItem.
 */
export const INGEST_PERMISSIONS = {
  /** On `uploads/*`: read the object (and a given version) and its tags. */
  readUploads: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
  /** On `uploads/*`: tag a rejected upload in place, with the reason. */
  tagUploads: ["s3:PutObjectTagging", "s3:PutObjectVersionTagging"],
  /** On `rejected/*`: the copy of a rejected upload (CopyObject = read the source + write here, tags included). */
  writeRejected: ["s3:PutObject", "s3:PutObjectTagging"],
  /** On the bucket: without it S3 answers 403 instead of 404 for an object deleted before its event was handled. */
  listBucket: ["s3:ListBucket"],
  /** On the table and its indexes. */
  table: [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
  ],
  /** On the dead-letter queue: Lambda sends failed asynchronous events there with the function's role. */
  deadLetter: ["sqs:SendMessage"],
} as const;
