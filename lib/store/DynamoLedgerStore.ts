import { DynamoDBClient, TransactionCanceledException, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { Client, ClientIntegration, ClientRef, Engagement, EngagementRef, RememberedCsvLayout } from "../engagements/types.ts";
import type {
  ActivationResult,
  ClaimResult,
  ClientWriteResult,
  DueImport,
  ImportWriter,
  LedgerLine,
  LedgerStore,
  QueueSyncResult,
  RejectedUpload,
  StoredTrialBalanceRow,
  TransactionPage,
  TransactionQuery,
} from "../imports/ports.ts";
import type { IntegrationSystem } from "../secrets/types.ts";
import type { ImportLease, ImportProgress, ImportRef, ImportRun } from "../imports/types.ts";
import type { Issue } from "../ledger/types.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { DynamoImportWriter } from "./dynamo/DynamoImportWriter.ts";
import {
  decodeClient,
  decodeEngagement,
  decodeImportItem,
  decodeIssues,
  decodeRejectedUpload,
  decodeTrialBalanceRow,
  encodeClient,
  encodeIssues,
  encodeRejectedUpload,
  engagementFields,
  importRunFields,
  INLINE_ISSUES_LIMIT,
  parseItem,
  toImportRun,
  type Item,
} from "./dynamo/itemCodec.ts";
import {
  ChunkItemSchema,
  DirectoryEntriesJsonSchema,
  DirectoryItemSchema,
  IssuesPageItemSchema,
  OrgNumberMarkerItemSchema,
  SourceMarkerItemSchema,
  SyncLockItemSchema,
  ClientIntegrationSchema,
  UnlistedAccountsJsonSchema,
  VoucherIndexItemSchema,
  type DirectoryEntry,
  type ImportItem,
} from "./dynamo/itemSchemas.ts";
import { keys, SWEEP_SHARDS, type ItemKey } from "./dynamo/keys.ts";
import { backoffDelay, DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from "./dynamo/retry.ts";
import {
  decodeChunkRanges,
  decompressChunk,
  DEFAULT_CHUNK_LIMITS,
  type ChunkLimits,
} from "./dynamo/transactionChunks.ts";
import { chunksWithVoucher } from "./dynamo/voucherIndex.ts";
import {
  StoreConflictError,
  StoreCorruptItemError,
  StoreLeaseLostError,
  StoreNotFoundError,
  StoreUnavailableError,
  translateSdkError,
} from "./errors.ts";
import { assertValidQuery, lineMatches } from "./ledgerLines.ts";

/** An import's chunk directory as read back (see readDirectory). */
interface ChunkDirectory {
  entries: DirectoryEntry[];
  /** Present on imports written with the filter indexes. */
  voucherIndexPages?: number;
  unlistedAccounts?: Record<string, string>;
}

/** A JSON text held in a string attribute, parsed; a corrupt item when it is not JSON. */
function parseJsonAttribute(text: string, where: { pk: unknown; sk: unknown }): Item {
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== "object" || json === null) throw new TypeError("expected a JSON object or array");
    return json as Item;
  } catch (error) {
    throw new StoreCorruptItemError(`The item ${String(where.pk)} / ${String(where.sk)} holds invalid JSON`, {
      cause: error,
      context: { pk: where.pk, sk: where.sk },
    });
  }
}

/** Options of {@link DynamoLedgerStore}. */
export interface DynamoLedgerStoreOptions {
  tableName: string;
  /** A client to use (and not destroy); otherwise one is created from `clientConfig`. */
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
  /** BatchWriteItem calls in flight per import writer (and sealed chunks waiting); default 4. */
  writeConcurrency?: number;
  /** Retries after the first attempt of a throttled or failed request, on top of the SDK's own; default 7. */
  maxRetries?: number;
  /** Backoff of those retries, in milliseconds: first cap and overall cap; default 50 and 5 000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Randomness of the backoff jitter (tests make it deterministic). */
  random?: () => number;
  /** How the store waits between retries (tests skip the wait). */
  sleep?: (ms: number) => Promise<void>;
  /** The clock deciding whether a running import's lease expired; default the system clock. */
  now?: () => Date;
  /** How lines are packed into chunk items (tests use small chunks). */
  chunkLimits?: Partial<ChunkLimits>;
}

/** Chunks read ahead in parallel while a page of lines is assembled. */
const READ_AHEAD = 4;
/** Parallel UpdateItem calls when expiry is set on an import's data items. */
const EXPIRY_CONCURRENCY = 8;
/** Issues per spilled `ISSUES#` page, when a validation report does not fit in the import item. */
const ISSUES_PER_PAGE = 2_000;

/** The sweeper's sparse index (lib/store/dynamo/keys.ts). */
const SWEEP_INDEX = "gsi1";
/**
 * How long after the write that ended an import (or activated another) its data items' expiry counts as unfinished:
 * the process that wrote it marks them itself within seconds; only after a crash does the sweeper do it.
 */
const EXPIRY_GRACE_MS = 15 * 60_000;
/** How long a queued sync may wait for its attempt to claim it before the sweeper looks at it. */
const QUEUED_SYNC_GRACE_MS = 10 * 60_000;
/** Chunks probed past the last one found when an import has no directory (an attempt that died mid-write). */
const CHUNK_PROBE_MISSES = 128;
/** An attempt is due for the sweeper: running or queued, and its deadline passed. */
const DUE_ATTEMPT_CONDITION = "(#status = :running OR #status = :queued) AND leaseUntil < :now";

/** Attributes of the import item that saveImport removes when the run no longer has them. */
const OPTIONAL_IMPORT_ATTRIBUTES = [
  "startedAt",
  "finishedAt",
  "progress",
  "format",
  "formatVersion",
  "encoding",
  "header",
  "counts",
  "issues",
  "issuePages",
  "failure",
  "heldFor",
  "accepted",
  "expiresAt",
] as const;

/**
 * LedgerStore on one DynamoDB table (lib/store/tableSpec.ts); the key layout is documented in dynamo/keys.ts.
 *
 * - Writes of an import's data go through {@link DynamoImportWriter}: lines packed into gzipped chunk items
 *   (≈ 0.25 items per 1 000 lines), batched, parallel, retried with backoff and jitter.
 * - claimImport creates the import run, the marker of its source and the owner of its import id in one
 *   TransactWriteItems; activateImport switches the engagement's active version in one TransactWriteItems.
 * - Every item read back is validated with zod (dynamo/itemSchemas.ts); every SDK failure becomes a StoreError.
 */
export class DynamoLedgerStore implements LedgerStore {
  private readonly client: DynamoDBClient;
  private readonly ownsClient: boolean;
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retry: RetryPolicy;
  private readonly writeConcurrency: number;
  private readonly now: () => Date;
  private readonly chunkLimits: ChunkLimits;

  constructor(options: DynamoLedgerStoreOptions) {
    this.tableName = options.tableName;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
    this.documents = DynamoDBDocumentClient.from(this.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.retry = {
      maxAttempts: (options.maxRetries ?? DEFAULT_RETRY_POLICY.maxAttempts - 1) + 1,
      baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      random: options.random ?? DEFAULT_RETRY_POLICY.random,
      sleep: options.sleep ?? DEFAULT_RETRY_POLICY.sleep,
    };
    this.writeConcurrency = Math.max(1, options.writeConcurrency ?? 4);
    this.now = options.now ?? (() => new Date());
    this.chunkLimits = { ...DEFAULT_CHUNK_LIMITS, ...options.chunkLimits };
  }

  /** Destroys the SDK client when this store created it. */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  // ── clients and engagements ────────────────────────────────────────────────────────────────────────────────

  async createClient(client: Client): Promise<ClientWriteResult> {
    const number = liveOrgNumber(client);
    const items: NonNullable<TransactWriteCommandInput["TransactItems"]> = [
      { Put: { TableName: this.tableName, Item: encodeClient(client), ConditionExpression: "attribute_not_exists(pk)" } },
    ];
    if (number !== undefined) items.push(this.orgNumberMarkerPut(client, number));
    const context = { operation: "createClient", tenantId: client.tenantId, clientId: client.clientId };
    const reasons = await this.transact({ TransactItems: items }, context);
    if (reasons === undefined) return { outcome: "written" };
    if (reasons[0] === "ConditionalCheckFailed") return { outcome: "id-taken" };
    return this.orgNumberTaken(client.tenantId, number!);
  }

  async replaceClient(previous: Client, next: Client): Promise<ClientWriteResult> {
    const before = liveOrgNumber(previous);
    const after = liveOrgNumber(next);
    const put = {
      Put: {
        TableName: this.tableName,
        Item: encodeClient(next),
        // Optimistic: only over the live client as the caller read it (its marker is then the one we move).
        ConditionExpression: "attribute_exists(pk) AND updatedAt = :previousUpdatedAt AND attribute_not_exists(deletedAt)",
        ExpressionAttributeValues: { ":previousUpdatedAt": previous.updatedAt },
      },
    };
    const release =
      before !== undefined && before !== after
        ? {
            Delete: {
              TableName: this.tableName,
              Key: keys.orgNumber(next.tenantId, before),
              // Never another client's marker; a client created before markers existed has none to release.
              ConditionExpression: "attribute_not_exists(pk) OR clientId = :clientId",
              ExpressionAttributeValues: { ":clientId": next.clientId },
            },
          }
        : undefined;
    const claim = after !== undefined && after !== before ? this.orgNumberMarkerPut(next, after) : undefined;
    const context = { operation: "replaceClient", tenantId: next.tenantId, clientId: next.clientId };
    const items = [put, ...(claim ? [claim] : []), ...(release ? [release] : [])];
    let reasons = await this.transact({ TransactItems: items }, context);
    if (reasons !== undefined && release !== undefined && reasons[items.length - 1] === "ConditionalCheckFailed") {
      // The old number's marker is another client's (two live clients shared it before markers existed): keep it.
      reasons = await this.transact({ TransactItems: items.slice(0, -1) }, context);
    }
    if (reasons === undefined) return { outcome: "written" };
    if (reasons[0] === "ConditionalCheckFailed") return { outcome: "stale" };
    return this.orgNumberTaken(next.tenantId, after!);
  }

  /** The Put of an organisation number's marker, conditional on no other client holding it. */
  private orgNumberMarkerPut(client: Client, orgNumber: string) {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.orgNumber(client.tenantId, orgNumber),
          type: "orgNumber",
          tenantId: client.tenantId,
          clientId: client.clientId,
          orgNumber,
        },
        ConditionExpression: "attribute_not_exists(pk) OR clientId = :clientId",
        ExpressionAttributeValues: { ":clientId": client.clientId },
      },
    };
  }

  /** `org-number-taken`, naming the client whose marker holds the number (when it is still there). */
  private async orgNumberTaken(tenantId: string, orgNumber: string): Promise<ClientWriteResult> {
    const marker = await this.get(keys.orgNumber(tenantId, orgNumber));
    if (marker === undefined) return { outcome: "org-number-taken" };
    const { clientId } = parseItem(OrgNumberMarkerItemSchema, marker, "organisation-number marker", tenantId);
    return { outcome: "org-number-taken", clientId };
  }

  async getClient(ref: ClientRef): Promise<Client | undefined> {
    const item = await this.get(keys.client(ref.tenantId, ref.clientId));
    return item === undefined ? undefined : decodeClient(item);
  }

  async rememberCsvLayout(ref: ClientRef, remembered: RememberedCsvLayout): Promise<boolean> {
    return this.update(keys.client(ref.tenantId, ref.clientId), { csvLayout: remembered }, [], {
      condition: "attribute_exists(pk) AND attribute_not_exists(deletedAt)",
    });
  }

  async recordIntegration(ref: ClientRef, system: IntegrationSystem, integration: ClientIntegration): Promise<boolean> {
    const key = keys.client(ref.tenantId, ref.clientId);
    const value = ClientIntegrationSchema.parse(integration);
    const live = "attribute_exists(pk) AND attribute_not_exists(deletedAt)";
    // The map of systems exists once any system was recorded; its first write creates it. Two writers racing for the
    // first write: the loser's condition fails and it sets its system inside the map the winner made.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (
        await this.updateExpression(key, {
          update: "SET integrations.#system = :value",
          condition: `${live} AND attribute_exists(integrations)`,
          names: { "#system": system },
          values: { ":value": definedFields(value) },
        })
      ) {
        return true;
      }
      if (
        await this.updateExpression(key, {
          update: "SET integrations = :map",
          condition: `${live} AND attribute_not_exists(integrations)`,
          values: { ":map": { [system]: definedFields(value) } },
        })
      ) {
        return true;
      }
      const client = await this.getClient(ref);
      if (client === undefined || client.deletedAt !== undefined) return false;
    }
    throw new StoreConflictError("The client's integrations kept changing", { context: { ...ref, system } });
  }

  async listClients(tenantId: string): Promise<Client[]> {
    const { pk, skPrefix } = keys.clientsOf(tenantId);
    return (await this.queryAll(pk, skPrefix)).map(decodeClient);
  }

  async putEngagement(engagement: Engagement): Promise<void> {
    // An update, not a put: the active version belongs to activateImport and must survive edits of the engagement.
    const key = keys.engagement(engagement.tenantId, engagement.clientId, engagement.engagementId);
    await this.update(key, { type: "engagement", ...engagementFields(engagement) });
  }

  async createEngagement(engagement: Engagement): Promise<boolean> {
    const key = keys.engagement(engagement.tenantId, engagement.clientId, engagement.engagementId);
    return this.put({ ...key, type: "engagement", ...engagementFields(engagement) }, "attribute_not_exists(pk)");
  }

  async getEngagement(ref: EngagementRef): Promise<Engagement | undefined> {
    const item = await this.get(keys.engagement(ref.tenantId, ref.clientId, ref.engagementId));
    return item === undefined ? undefined : decodeEngagement(item);
  }

  async listEngagements(ref: ClientRef): Promise<Engagement[]> {
    const { pk, skPrefix } = keys.engagementsOf(ref.tenantId, ref.clientId);
    return (await this.queryAll(pk, skPrefix)).map(decodeEngagement);
  }

  // ── imports ───────────────────────────────────────────────────────────────────────────────────────────────

  async queueSync(run: ImportRun): Promise<QueueSyncResult> {
    const lockKey = keys.syncLock(run);
    const context = { operation: "queueSync", importId: run.importId, sourceId: run.sourceId };
    for (let attempt = 0; attempt < 3; attempt++) {
      const lock = await this.get(lockKey);
      let latest: string | undefined;
      if (lock !== undefined) {
        latest = parseItem(SyncLockItemSchema, lock, "sync lock", run.tenantId).importId;
        const latestRef: ImportRef = { ...run, importId: latest };
        const holder = await this.getImportItem(latestRef);
        if (holder !== undefined && (holder.status === "queued" || holder.status === "running")) {
          return { outcome: "busy", running: await this.toRun(holder, latestRef) };
        }
      }
      const queued: ImportRun = { ...run, status: "queued" };
      const { item, spilled } = this.importItem(queued);
      const reasons = await this.transact(
        {
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                // Due for the sweeper if no attempt claims it in time (a sync whose invocation was lost).
                Item: { ...item, ...keys.sweepEntry(run.importId, new Date(this.now().getTime() + QUEUED_SYNC_GRACE_MS).toISOString()) },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.sourceMarker(run, run.sourceId), type: "source", tenantId: run.tenantId, importId: run.importId },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.importOwner(run.importId),
                  type: "owner",
                  tenantId: run.tenantId,
                  clientId: run.clientId,
                  engagementId: run.engagementId,
                  importId: run.importId,
                },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...lockKey, type: "sync-lock", tenantId: run.tenantId, importId: run.importId },
                ...(latest === undefined
                  ? { ConditionExpression: "attribute_not_exists(pk)" }
                  : { ConditionExpression: "importId = :latest", ExpressionAttributeValues: { ":latest": latest } }),
              },
            },
          ],
        },
        context,
      );
      if (reasons === undefined) {
        await this.writeSpilledIssues(queued, spilled);
        return { outcome: "queued", run: queued };
      }
      if (reasons[3] !== "ConditionalCheckFailed") {
        throw new StoreConflictError(`The import id "${run.importId}" is already taken`, { context });
      }
      // Another sync was queued meanwhile: look again (it is most likely busy now).
    }
    throw new StoreConflictError("The engagement's sync lock kept changing", { context });
  }

  async claimImport(run: ImportRun, lease: ImportLease): Promise<ClaimResult> {
    const claimed: ImportRun = { ...run, status: "running", attempts: 1 };
    const { item, spilled } = this.importItem(claimed);
    const input: TransactWriteCommandInput = {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...item, ...leaseFields(run.importId, lease) },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.sourceMarker(run, run.sourceId),
              type: "source",
              tenantId: run.tenantId,
              importId: run.importId,
            },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        {
          // Import ids are global in the IMP#… keys: this marker makes sure no other import (of any tenant) has it.
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.importOwner(run.importId),
              type: "owner",
              tenantId: run.tenantId,
              clientId: run.clientId,
              engagementId: run.engagementId,
              importId: run.importId,
            },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
      ],
    };
    const context = { operation: "claimImport", importId: run.importId, sourceId: run.sourceId };
    const reasons = await this.transact(input, context);
    if (reasons === undefined) {
      await this.writeSpilledIssues(run, spilled);
      return { outcome: "claimed", run: claimed };
    }
    if (reasons[1] !== "ConditionalCheckFailed") {
      throw new StoreConflictError(`The import id "${run.importId}" is already taken`, { context });
    }

    const marker = await this.get(keys.sourceMarker(run, run.sourceId));
    if (marker === undefined) throw new StoreConflictError("The source marker vanished during the claim", { context });
    const { importId: existingId } = parseItem(SourceMarkerItemSchema, marker, "source marker", run.tenantId);
    const existingRef: ImportRef = { ...run, importId: existingId };
    const existing = await this.getImportItem(existingRef);
    if (existing === undefined) {
      throw new StoreConflictError(`The source marker of "${run.sourceId}" names a missing import`, {
        context: { ...context, existingImportId: existingId },
      });
    }
    const nowIso = this.now().toISOString();
    const takeOver =
      existing.status === "queued" ||
      (existing.status === "running" && (existing.leaseUntil === undefined || existing.leaseUntil < nowIso));
    if (!takeOver) return { outcome: "duplicate", existing: await this.toRun(existing, existingRef) };

    // A conditional update: of two retries racing for the same dead attempt, exactly one takes it over.
    const tookOver = await this.updateExpression(keys.importRun(existingRef), {
      update:
        "SET #status = :running, leaseUntil = :until, leaseOwner = :owner, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, " +
        "attempts = if_not_exists(attempts, :zero) + :one" +
        (run.startedAt === undefined ? "" : ", startedAt = :startedAt") +
        " REMOVE failure, progress",
      condition:
        "#status = :queued OR (#status = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now))",
      names: { "#status": "status" },
      values: {
        ":queued": "queued",
        ":running": "running",
        ":now": nowIso,
        ":until": lease.until,
        ":owner": lease.owner,
        ":zero": 0,
        ":one": 1,
        ...prefixed(keys.sweepEntry(existingId, lease.until)),
        ...(run.startedAt === undefined ? {} : { ":startedAt": run.startedAt }),
      },
    });
    const current = await this.getImportItem(existingRef);
    if (current === undefined) throw new StoreConflictError("The claimed import vanished", { context });
    const currentRun = await this.toRun(current, existingRef);
    return tookOver ? { outcome: "claimed", run: currentRun } : { outcome: "duplicate", existing: currentRun };
  }

  async renewLease(ref: ImportRef, lease: ImportLease, progress?: ImportProgress): Promise<boolean> {
    return this.updateExpression(keys.importRun(ref), {
      update:
        "SET leaseUntil = :until, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk" +
        (progress === undefined ? "" : ", progress = :progress"),
      condition: "#status = :running AND leaseOwner = :owner",
      names: { "#status": "status" },
      values: {
        ":running": "running",
        ":owner": lease.owner,
        ":until": lease.until,
        ...prefixed(keys.sweepEntry(ref.importId, lease.until)),
        ...(progress === undefined ? {} : { ":progress": definedFields(progress) }),
      },
    });
  }

  async releaseImport(
    ref: ImportRef,
    failure: { code: string; message: string },
    options: { owner?: string; retryBy?: string } = {},
  ): Promise<boolean> {
    const { owner, retryBy } = options;
    const released = await this.updateExpression(keys.importRun(ref), {
      update:
        "SET #status = :queued, failure = :failure" +
        (retryBy === undefined
          ? " REMOVE leaseUntil, leaseOwner, progress, gsi1pk, gsi1sk"
          : ", leaseUntil = :retryBy, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk REMOVE leaseOwner, progress"),
      condition: "attribute_exists(pk)" + (owner === undefined ? "" : " AND leaseOwner = :owner"),
      names: { "#status": "status" },
      values: {
        ":queued": "queued",
        ":failure": { ...failure },
        ...(owner === undefined ? {} : { ":owner": owner }),
        ...(retryBy === undefined ? {} : { ":retryBy": retryBy, ...prefixed(keys.sweepEntry(ref.importId, retryBy)) }),
      },
    });
    if (!released && (await this.getImportItem(ref)) === undefined) {
      throw new StoreNotFoundError(`Import "${ref.importId}" does not exist`, { context: { ...ref } });
    }
    return released;
  }

  openImportWriter(ref: ImportRef): ImportWriter {
    const importRef: ImportRef = {
      tenantId: ref.tenantId,
      clientId: ref.clientId,
      engagementId: ref.engagementId,
      importId: ref.importId,
    };
    return new DynamoImportWriter({
      documents: this.documents,
      tableName: this.tableName,
      ref: importRef,
      concurrency: this.writeConcurrency,
      retry: this.retry,
      limits: this.chunkLimits,
      setDataExpiry: (expiresAt, knownChunks) => this.setDataExpiry(importRef, expiresAt, knownChunks),
    });
  }

  async saveImport(run: ImportRun, options: { owner?: string; dataExpiryPending?: boolean } = {}): Promise<void> {
    const { item, spilled } = this.importItem(run);
    await this.writeSpilledIssues(run, spilled);
    const { pk, sk, ...fields } = item;
    const removed: string[] = OPTIONAL_IMPORT_ATTRIBUTES.filter((name) => fields[name] === undefined);
    const ended = run.status !== "running" && run.status !== "queued";
    if (ended) {
      // The lease ends with the attempt (its owner stays, so that the attempt may still release the import should
      // its activation fail); the index entry stays only while the data's expiry is unfinished.
      removed.push("leaseUntil");
      if (options.dataExpiryPending === true && run.expiresAt !== undefined) {
        Object.assign(fields, keys.sweepEntry(run.importId, this.expiryDeadline()));
      } else removed.push("gsi1pk", "gsi1sk");
    }
    const key = { pk: pk as string, sk: sk as string };
    const saved = await this.update(
      key,
      fields,
      removed,
      options.owner === undefined ? {} : { condition: "leaseOwner = :owner", values: { ":owner": options.owner } },
    );
    if (!saved) {
      if ((await this.getImportItem(run)) === undefined) {
        throw new StoreNotFoundError(`Import "${run.importId}" does not exist`, { context: { ...key } });
      }
      throw new StoreLeaseLostError(`This attempt no longer holds import "${run.importId}"`, {
        context: { ...key, importId: run.importId },
      });
    }
  }

  async activateImport(
    ref: ImportRef,
    options: { orderKey: string; now: string; retentionSeconds: number; force?: boolean },
  ): Promise<ActivationResult> {
    const expiresAt = Math.floor(Date.parse(options.now) / 1000) + options.retentionSeconds;
    const engagementKey = keys.engagement(ref.tenantId, ref.clientId, ref.engagementId);
    const context = { operation: "activateImport", ...ref };
    const expiryEntry = (importId: string) => keys.sweepEntry(importId, this.expiryDeadline());
    for (let attempt = 1; ; attempt++) {
      const [importItem, engagement] = await Promise.all([this.getImportItem(ref), this.getEngagement(ref)]);
      if (importItem === undefined)
        throw new StoreNotFoundError(`Import "${ref.importId}" does not exist`, { context });
      if (engagement === undefined) {
        throw new StoreNotFoundError(`Engagement "${ref.engagementId}" does not exist`, { context });
      }
      const wasExpiring = importItem.expiresAt !== undefined;
      const previousImportId = engagement.activeImportId;

      if (previousImportId === ref.importId) {
        // Already active (a repeated activation): make sure it reads as such, nothing else changes.
        if (wasExpiring) {
          await this.update(keys.importRun(ref), { status: "succeeded", ...expiryEntry(ref.importId) }, [
            "expiresAt",
            "leaseUntil",
          ]);
          await this.finishDataExpiryQuietly(ref);
        } else await this.update(keys.importRun(ref), { status: "succeeded" }, ["leaseUntil", "gsi1pk", "gsi1sk"]);
        return { outcome: "activated" };
      }

      const activeOrderKey = engagement.activeOrderKey;
      const mayActivate = options.force === true || activeOrderKey === undefined || activeOrderKey < options.orderKey;
      if (!mayActivate && previousImportId !== undefined) {
        await this.update(keys.importRun(ref), { status: "superseded", expiresAt, ...expiryEntry(ref.importId) }, [
          "leaseUntil",
        ]);
        await this.finishDataExpiryQuietly(ref);
        return { outcome: "stale", activeImportId: previousImportId };
      }

      const conditions = [
        "attribute_exists(pk)",
        previousImportId === undefined ? "attribute_not_exists(activeImportId)" : "activeImportId = :previous",
      ];
      if (options.force !== true)
        conditions.push("(attribute_not_exists(activeOrderKey) OR activeOrderKey < :orderKey)");
      // The data items' expiry follows outside the transaction (it holds at most 100 items; an import has
      // thousands): the index entries written here mark it unfinished until it is done, so that a crash in between
      // leaves it to the sweeper instead of leaving a superseded version's data for ever — or an earlier version
      // activated again with data that still expires.
      const input: TransactWriteCommandInput = {
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: engagementKey,
              UpdateExpression: "SET activeImportId = :importId, activeOrderKey = :orderKey",
              ConditionExpression: conditions.join(" AND "),
              ExpressionAttributeValues: {
                ":importId": ref.importId,
                ":orderKey": options.orderKey,
                ...(previousImportId === undefined ? {} : { ":previous": previousImportId }),
              },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: keys.importRun(ref),
              // An import saved `running` with its results (importFile) ends its lease here.
              UpdateExpression: wasExpiring
                ? "SET #status = :succeeded, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk REMOVE expiresAt, leaseUntil"
                : "SET #status = :succeeded REMOVE expiresAt, gsi1pk, gsi1sk, leaseUntil",
              ConditionExpression: "attribute_exists(pk)",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: {
                ":succeeded": "succeeded",
                ...(wasExpiring ? prefixed(expiryEntry(ref.importId)) : {}),
              },
            },
          },
          ...(previousImportId === undefined
            ? []
            : [
                {
                  Update: {
                    TableName: this.tableName,
                    Key: keys.importRun({ ...ref, importId: previousImportId }),
                    UpdateExpression:
                      "SET #status = :superseded, expiresAt = :expiresAt, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk",
                    ConditionExpression: "attribute_exists(pk)",
                    ExpressionAttributeNames: { "#status": "status" },
                    ExpressionAttributeValues: {
                      ":superseded": "superseded",
                      ":expiresAt": expiresAt,
                      ...prefixed(expiryEntry(previousImportId)),
                    },
                  },
                },
              ]),
        ],
      };
      const reasons = await this.transact(input, context);
      if (reasons === undefined) {
        if (previousImportId !== undefined) await this.finishDataExpiryQuietly({ ...ref, importId: previousImportId });
        if (wasExpiring) await this.finishDataExpiryQuietly(ref);
        return { outcome: "activated", ...(previousImportId === undefined ? {} : { previousImportId }) };
      }
      if (reasons[0] !== "ConditionalCheckFailed" || attempt >= this.retry.maxAttempts) {
        throw new StoreConflictError(`Import "${ref.importId}" could not be activated (${reasons.join(", ")})`, {
          context,
        });
      }
      // The engagement changed between our read and our write (another activation): read again and decide again.
    }
  }

  async listDueImports(now: string, limit: number): Promise<DueImport[]> {
    const due: DueImport[] = [];
    for (let shard = 0; shard < SWEEP_SHARDS; shard++) {
      let startKey: Record<string, unknown> | undefined;
      let fromShard = 0;
      do {
        const output = await withRetries(this.retry, "Query", { index: "gsi1", shard }, () =>
          this.documents.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: SWEEP_INDEX,
              KeyConditionExpression: "gsi1pk = :pk AND gsi1sk < :now",
              ExpressionAttributeValues: { ":pk": keys.sweepPartition(shard), ":now": now },
              Limit: limit,
              ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
            }),
          ),
        );
        for (const raw of output.Items ?? []) {
          if (raw.type !== "import") continue;
          const item = decodeImportItem(raw);
          const ref: ImportRef = { ...item, importId: item.importId };
          const running = item.status === "running" || item.status === "queued";
          due.push({
            kind: running ? "attempt" : "expiry",
            run: await this.toRun(item, ref),
            dueAt: (item.gsi1sk ?? "").split("#")[0] ?? "",
            redeliveries: item.redeliveries ?? 0,
          });
          fromShard++;
        }
        startKey = output.LastEvaluatedKey;
      } while (startKey !== undefined && fromShard < limit);
    }
    return due.sort((a, b) => compareStrings(a.dueAt, b.dueAt)).slice(0, limit);
  }

  async requeueImport(ref: ImportRef, options: { now: string; retryBy: string }): Promise<boolean> {
    return this.updateExpression(keys.importRun(ref), {
      update:
        "SET #status = :queued, leaseUntil = :retryBy, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, " +
        "redeliveries = if_not_exists(redeliveries, :zero) + :one REMOVE leaseOwner, progress",
      condition: DUE_ATTEMPT_CONDITION,
      names: { "#status": "status" },
      values: {
        ":queued": "queued",
        ":running": "running",
        ":now": options.now,
        ":retryBy": options.retryBy,
        ":zero": 0,
        ":one": 1,
        ...prefixed(keys.sweepEntry(ref.importId, options.retryBy)),
      },
    });
  }

  async failDueImport(
    ref: ImportRef,
    options: { now: string; failure: { code: string; message: string }; finishedAt: string; expiresAt: number },
  ): Promise<boolean> {
    return this.updateExpression(keys.importRun(ref), {
      update:
        "SET #status = :failed, failure = :failure, finishedAt = :finishedAt, expiresAt = :expiresAt, " +
        "gsi1pk = :gsi1pk, gsi1sk = :gsi1sk REMOVE leaseUntil, leaseOwner, progress",
      condition: DUE_ATTEMPT_CONDITION,
      names: { "#status": "status" },
      values: {
        ":failed": "failed",
        ":queued": "queued",
        ":running": "running",
        ":now": options.now,
        ":failure": { ...options.failure },
        ":finishedAt": options.finishedAt,
        ":expiresAt": options.expiresAt,
        // Due at once: the sweeper that ended it finishes the expiry right away, or the next sweep does.
        ...prefixed(keys.sweepEntry(ref.importId, options.now)),
      },
    });
  }

  async finishDataExpiry(ref: ImportRef): Promise<void> {
    // Makes the data items match the import item's own `expiresAt` (none for an active version), then removes the
    // index entry — only if `expiresAt` did not change meanwhile; if it did (an activation raced this), again.
    for (let round = 1; ; round++) {
      const item = await this.getImportItem(ref);
      if (item === undefined) return;
      const probe = item.status === "failed";
      await this.setDataExpiry(ref, item.expiresAt, 0, probe);
      const cleared = await this.updateExpression(keys.importRun(ref), {
        update: "REMOVE gsi1pk, gsi1sk",
        condition:
          "#status <> :running AND #status <> :queued AND " +
          (item.expiresAt === undefined ? "attribute_not_exists(expiresAt)" : "expiresAt = :expiresAt"),
        names: { "#status": "status" },
        values: {
          ":running": "running",
          ":queued": "queued",
          ...(item.expiresAt === undefined ? {} : { ":expiresAt": item.expiresAt }),
        },
      });
      if (cleared || round >= this.retry.maxAttempts) return;
    }
  }

  async getImport(ref: ImportRef): Promise<ImportRun | undefined> {
    const item = await this.getImportItem(ref);
    return item === undefined ? undefined : this.toRun(item, ref);
  }

  async listImports(ref: EngagementRef): Promise<ImportRun[]> {
    const { pk, skPrefix } = keys.importsOf(ref);
    const items = await this.queryAll(pk, skPrefix, { newestFirst: true });
    return Promise.all(
      items.map((raw) => {
        const item = decodeImportItem(raw);
        return this.toRun(item, { ...ref, importId: item.importId });
      }),
    );
  }

  // ── reading an import's data ──────────────────────────────────────────────────────────────────────────────

  async readTrialBalance(ref: ImportRef): Promise<StoredTrialBalanceRow[]> {
    if ((await this.getImportItem(ref)) === undefined) return [];
    const items = await this.queryAll(keys.importTablePk(ref.importId), keys.trialBalanceRowPrefix);
    return items
      .map((item) => decodeTrialBalanceRow(item, ref.tenantId))
      .sort((a, b) => a.ordinal - b.ordinal)
      .map(({ row }) => row);
  }

  async readTransactionLines(ref: ImportRef, query: TransactionQuery): Promise<TransactionPage> {
    assertValidQuery(query);
    const start = query.cursor === undefined ? { chunk: 0, offset: 0 } : decodeCursor(query.cursor);
    if ((await this.getImportItem(ref)) === undefined) return { items: [] };

    const directory = await this.readDirectory(ref);
    let candidates = directory.entries.filter(([chunk]) => chunk >= start.chunk);
    if (query.from !== undefined) candidates = candidates.filter(([, , maxDate]) => maxDate >= query.from!);
    if (query.to !== undefined) candidates = candidates.filter(([, minDate]) => minDate <= query.to!);
    if (query.account !== undefined && candidates.length > 0) {
      const withAccount = await this.chunksWithAccount(ref, directory, query.account);
      if (withAccount !== undefined) candidates = candidates.filter(([chunk]) => withAccount.has(chunk));
    }
    if (query.voucher !== undefined && candidates.length > 0 && directory.voucherIndexPages !== undefined) {
      const withVoucher = await this.chunksWithVoucher(ref, directory.voucherIndexPages, query.voucher);
      candidates = candidates.filter(([chunk]) => withVoucher.has(chunk));
    }

    const reads = new Map<number, Promise<LedgerLine[]>>();
    const readAhead = (index: number) => {
      for (let next = index; next < Math.min(candidates.length, index + READ_AHEAD); next++) {
        const chunk = candidates[next]![0];
        if (!reads.has(chunk)) {
          const read = this.readChunk(ref, chunk);
          read.catch(() => {}); // awaited below, in order
          reads.set(chunk, read);
        }
      }
    };
    const items: LedgerLine[] = [];
    for (const [index, [chunk]] of candidates.entries()) {
      readAhead(index);
      const lines = await reads.get(chunk)!;
      reads.delete(chunk);
      for (let offset = chunk === start.chunk ? start.offset : 0; offset < lines.length; offset++) {
        const line = lines[offset]!;
        if (!lineMatches(line, query)) continue;
        if (items.length === query.limit) return { items, nextCursor: encodeCursor({ chunk, offset }) };
        items.push(line);
      }
      // A full page at a chunk boundary: point at the next candidate instead of reading it just to know whether it
      // holds a match (the following page may then be empty).
      const next = candidates[index + 1];
      if (items.length === query.limit && next !== undefined) {
        return { items, nextCursor: encodeCursor({ chunk: next[0], offset: 0 }) };
      }
    }
    return { items };
  }

  // ── rejected uploads ──────────────────────────────────────────────────────────────────────────────────────

  async recordRejectedUpload(rejection: RejectedUpload): Promise<void> {
    await this.put(encodeRejectedUpload(rejection));
  }

  async listRejectedUploads(tenantId: string): Promise<RejectedUpload[]> {
    const { pk } = keys.rejectedUploadsOf(tenantId);
    return (await this.queryAll(pk)).map((item) => decodeRejectedUpload(item, tenantId));
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────────

  /** The import item of a run and, when its validation report is too large for the item, the spilled pages. */
  private importItem(run: ImportRun): { item: Item; spilled: Buffer[] } {
    const item: Item = { ...keys.importRun(run), type: "import", ...importRunFields(run) };
    if (run.issues === undefined) return { item, spilled: [] };
    const inline = encodeIssues(run.issues);
    if (inline.length <= INLINE_ISSUES_LIMIT) return { item: { ...item, issues: inline }, spilled: [] };
    const spilled: Buffer[] = [];
    for (let start = 0; start < run.issues.length; start += ISSUES_PER_PAGE) {
      spilled.push(encodeIssues(run.issues.slice(start, start + ISSUES_PER_PAGE)));
    }
    return { item: { ...item, issuePages: spilled.length }, spilled };
  }

  private async writeSpilledIssues(run: ImportRun, pages: readonly Buffer[]): Promise<void> {
    for (const [page, issues] of pages.entries()) {
      await this.put({
        ...keys.issuesPage(run.importId, page),
        type: "issues",
        tenantId: run.tenantId,
        importId: run.importId,
        page,
        issues,
        ...(run.expiresAt === undefined ? {} : { expiresAt: run.expiresAt }),
      });
    }
  }

  private async toRun(item: ImportItem, ref: ImportRef): Promise<ImportRun> {
    const where = keys.importRun(ref);
    if (item.issuePages === undefined) return toImportRun(item, where);
    const pages = await this.queryAll(keys.importTablePk(ref.importId), keys.issuesPrefix);
    const issues: Issue[] = [];
    for (const page of pages) {
      const parsed = parseItem(IssuesPageItemSchema, page, "validation report page", ref.tenantId);
      if (parsed.page < item.issuePages) issues.push(...decodeIssues(parsed.issues, page));
    }
    return toImportRun(item, where, issues);
  }

  private async getImportItem(ref: ImportRef): Promise<ImportItem | undefined> {
    const item = await this.get(keys.importRun(ref));
    return item === undefined ? undefined : decodeImportItem(item);
  }

  /**
   * The chunk directory: every chunk with its date range and line count, and (imports written with the filter
   * indexes) how many voucher index pages there are and the accounts with lines but no trial-balance row.
   */
  private async readDirectory(ref: ImportRef): Promise<ChunkDirectory> {
    const items = await this.queryAll(keys.importTablePk(ref.importId), keys.directoryPrefix);
    const directory: ChunkDirectory = { entries: [] };
    for (const item of items) {
      const page = parseItem(DirectoryItemSchema, item, "chunk directory", ref.tenantId);
      const where = { pk: item.pk, sk: item.sk };
      directory.entries.push(...parseItem(DirectoryEntriesJsonSchema, parseJsonAttribute(page.entries, where), "chunk directory entries"));
      if (page.page === 0 && page.voucherIndexPages !== undefined) {
        directory.voucherIndexPages = page.voucherIndexPages;
        directory.unlistedAccounts =
          page.unlistedAccounts === undefined
            ? {}
            : parseItem(UnlistedAccountsJsonSchema, parseJsonAttribute(page.unlistedAccounts, where), "unlisted accounts");
      }
    }
    directory.entries.sort((a, b) => a[0] - b[0]);
    return directory;
  }

  /**
   * The chunks holding lines of `account`: from its trial-balance row, else from the directory's unlisted accounts;
   * none when the import has the filter indexes and lists it nowhere. Undefined (every chunk is a candidate) for an
   * import written before the indexes, whose rows were the only account index.
   */
  private async chunksWithAccount(ref: ImportRef, directory: ChunkDirectory, account: string): Promise<Set<number> | undefined> {
    const rowItem = await this.get(keys.trialBalanceRow(ref.importId, account));
    if (rowItem !== undefined) return new Set(decodeChunkRanges(decodeTrialBalanceRow(rowItem, ref.tenantId).chunks));
    if (directory.unlistedAccounts === undefined) return undefined;
    return new Set(decodeChunkRanges(directory.unlistedAccounts[account] ?? ""));
  }

  /** The chunks whose voucher set holds `voucher`, from the import's voucher index pages. */
  private async chunksWithVoucher(ref: ImportRef, expectedPages: number, voucher: string): Promise<Set<number>> {
    const pk = keys.importTablePk(ref.importId);
    const items = await this.queryAll(pk, keys.voucherIndexPrefix);
    const pages = items.map((item) => parseItem(VoucherIndexItemSchema, item, "voucher index page", ref.tenantId));
    if (pages.length !== expectedPages || pages.some((page) => page.importId !== ref.importId)) {
      throw new StoreCorruptItemError(`The voucher index of import "${ref.importId}" has ${pages.length} pages, not ${expectedPages}`, {
        context: { pk },
      });
    }
    return chunksWithVoucher(pages, voucher, { pk });
  }

  private async readChunk(ref: ImportRef, chunk: number): Promise<LedgerLine[]> {
    const key = keys.chunk(ref.importId, chunk);
    const item = await this.get(key);
    if (item === undefined) {
      throw new StoreCorruptItemError(`Chunk ${chunk} of import "${ref.importId}" is listed but missing`, {
        context: { ...key },
      });
    }
    const parsed = parseItem(ChunkItemSchema, item, "transaction chunk", ref.tenantId);
    if (parsed.importId !== ref.importId || parsed.chunk !== chunk) {
      throw new StoreCorruptItemError(`The chunk item ${key.pk} belongs to another import`, { context: { ...key } });
    }
    const lines = await decompressChunk(parsed.lines, key);
    if (lines.length !== parsed.lineCount) {
      throw new StoreCorruptItemError(`Chunk ${key.pk} holds ${lines.length} lines, not ${parsed.lineCount}`, {
        context: { ...key },
      });
    }
    return lines;
  }

  /**
   * Sets `expiresAt` (or removes it) on every data item of an import: everything in its `IMP#…#TB` partition and
   * each chunk the directory lists (plus the first `knownChunks`, for an aborted writer that wrote no directory).
   * Conditional on the item existing, so an update never creates a stray item.
   */
  private async setDataExpiry(
    ref: ImportRef,
    expiresAt: number | undefined,
    knownChunks = 0,
    probeChunks = false,
  ): Promise<void> {
    const tableItems = await this.queryAll(keys.importTablePk(ref.importId));
    const targets: ItemKey[] = [];
    let chunks = knownChunks;
    for (const item of tableItems) {
      if (item.tenantId !== ref.tenantId) {
        throw new StoreCorruptItemError(`The item ${String(item.pk)} / ${String(item.sk)} belongs to another tenant`, {
          context: { pk: item.pk, sk: item.sk },
        });
      }
      targets.push({ pk: String(item.pk), sk: String(item.sk) });
    }
    const directory = (await this.readDirectory(ref)).entries;
    for (const [chunk] of directory) chunks = Math.max(chunks, chunk + 1);
    for (let chunk = 0; chunk < chunks; chunk++) targets.push(keys.chunk(ref.importId, chunk));
    if (probeChunks && directory.length === 0) {
      // An attempt that died wrote chunks but no directory: find them by trying the numbers after the known ones
      // (chunks land out of order within the writer's few batches in flight, hence a run of misses, not the first).
      const setOne = (key: ItemKey) =>
        expiresAt === undefined
          ? this.update(key, {}, ["expiresAt"], { condition: "attribute_exists(pk)" })
          : this.update(key, { expiresAt }, [], { condition: "attribute_exists(pk)" });
      for (let chunk = chunks, misses = 0; misses < CHUNK_PROBE_MISSES; chunk++) {
        misses = (await setOne(keys.chunk(ref.importId, chunk))) ? 0 : misses + 1;
      }
    }

    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const key = targets[next++]!;
        await (expiresAt === undefined
          ? this.update(key, {}, ["expiresAt"], { condition: "attribute_exists(pk)" })
          : this.update(key, { expiresAt }, [], { condition: "attribute_exists(pk)" }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(EXPIRY_CONCURRENCY, targets.length) }, worker));
  }

  /** When a data-expiry marking written now becomes the sweeper's to finish. */
  private expiryDeadline(): string {
    return new Date(this.now().getTime() + EXPIRY_GRACE_MS).toISOString();
  }

  /**
   * {@link finishDataExpiry} after a write that already took effect (an activation): its failure must not fail the
   * write — the index entry stays, and the sweeper finishes the marking.
   */
  private async finishDataExpiryQuietly(ref: ImportRef): Promise<void> {
    await this.finishDataExpiry(ref).catch(() => {});
  }

  /** One UpdateItem with a hand-written expression; returns false when its condition failed. */
  private async updateExpression(
    key: ItemKey,
    request: { update: string; condition?: string; names?: Record<string, string>; values?: Item },
  ): Promise<boolean> {
    return withRetries(this.retry, "UpdateItem", { ...key }, async () => {
      try {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: request.update,
            ...(request.condition === undefined ? {} : { ConditionExpression: request.condition }),
            ...(request.names === undefined ? {} : { ExpressionAttributeNames: request.names }),
            ...(request.values === undefined ? {} : { ExpressionAttributeValues: request.values }),
          }),
        );
        return true;
      } catch (error) {
        if (request.condition !== undefined && isConditionalCheckFailed(error)) return false;
        throw error;
      }
    });
  }

  private async get(key: ItemKey): Promise<Item | undefined> {
    const output = await withRetries(this.retry, "GetItem", { ...key }, () =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return output.Item;
  }

  /** Puts an item; with a condition, returns false instead of throwing when the condition fails. */
  private async put(item: Item, condition?: string): Promise<boolean> {
    return withRetries(this.retry, "PutItem", { pk: item.pk, sk: item.sk }, async () => {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ...(condition === undefined ? {} : { ConditionExpression: condition }),
          }),
        );
        return true;
      } catch (error) {
        if (condition !== undefined && isConditionalCheckFailed(error)) return false;
        throw error;
      }
    });
  }

  /**
   * Sets `set` and removes `remove` on the item at `key` (creating it when there is no condition); returns false when
   * the condition failed.
   */
  private async update(
    key: ItemKey,
    set: Item,
    remove: readonly string[] = [],
    options: { condition?: string; names?: Record<string, string>; values?: Item } = {},
  ): Promise<boolean> {
    const names: Record<string, string> = { ...options.names };
    const values: Item = { ...options.values };
    const assignments = Object.entries(set)
      .filter(([, value]) => value !== undefined)
      .map(([name, value], index) => {
        names[`#s${index}`] = name;
        values[`:s${index}`] = value;
        return `#s${index} = :s${index}`;
      });
    const removals = remove.map((name, index) => {
      names[`#r${index}`] = name;
      return `#r${index}`;
    });
    const expression = [
      assignments.length > 0 ? `SET ${assignments.join(", ")}` : "",
      removals.length > 0 ? `REMOVE ${removals.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    if (expression === "") return true;
    return withRetries(this.retry, "UpdateItem", { ...key }, async () => {
      try {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: expression,
            ...(options.condition === undefined ? {} : { ConditionExpression: options.condition }),
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          }),
        );
        return true;
      } catch (error) {
        if (options.condition !== undefined && isConditionalCheckFailed(error)) return false;
        throw error;
      }
    });
  }

  /**
   * Runs a TransactWriteItems; returns undefined when it committed, or the cancellation reason code of each item
   * when a condition failed. Transaction conflicts and throttling are retried with backoff.
   */
  private async transact(
    input: TransactWriteCommandInput,
    context: Record<string, unknown>,
  ): Promise<string[] | undefined> {
    const command = { ...input, TransactItems: input.TransactItems };
    for (let attempt = 1; ; attempt++) {
      try {
        await withRetries(this.retry, "TransactWriteItems", context, () =>
          this.documents.send(new TransactWriteCommand(command)),
        );
        return undefined;
      } catch (error) {
        const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
        if (!(cause instanceof TransactionCanceledException))
          throw translateSdkError(error, "TransactWriteItems", context);
        const reasons = (cause.CancellationReasons ?? []).map((reason) => reason.Code ?? "None");
        const transient = reasons.some((code) =>
          ["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"].includes(code),
        );
        if (!transient) return reasons;
        if (attempt >= this.retry.maxAttempts) {
          throw new StoreUnavailableError(`DynamoDB TransactWriteItems kept conflicting (${reasons.join(", ")})`, {
            cause,
            context: { ...context, attempts: attempt },
          });
        }
        await this.retry.sleep(backoffDelay(this.retry, attempt - 1));
      }
    }
  }

  private async queryAll(pk: string, skPrefix?: string, options: { newestFirst?: boolean } = {}): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await withRetries(this.retry, "Query", { pk, skPrefix }, () =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: skPrefix === undefined ? "pk = :pk" : "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: { ":pk": pk, ...(skPrefix === undefined ? {} : { ":prefix": skPrefix }) },
            ScanIndexForward: options.newestFirst !== true,
            ConsistentRead: true,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        ),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}

/** The organisation number a client holds a marker for: only live clients hold one. */
function liveOrgNumber(client: Client): string | undefined {
  return client.deletedAt === undefined ? client.orgNumber : undefined;
}

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** The attributes a lease adds to an import item: deadline, holder and the sweeper's index entry. */
function leaseFields(importId: string, lease: ImportLease): Item {
  return { leaseUntil: lease.until, leaseOwner: lease.owner, ...keys.sweepEntry(importId, lease.until) };
}

/** `{gsi1pk, gsi1sk}` as expression values `:gsi1pk`, `:gsi1sk`. */
function prefixed(entry: { gsi1pk: string; gsi1sk: string }): Item {
  return { ":gsi1pk": entry.gsi1pk, ":gsi1sk": entry.gsi1sk };
}

function definedFields<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, element]) => element !== undefined)) as T;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
