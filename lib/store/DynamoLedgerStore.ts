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
import type { Client, ClientRef, Engagement, EngagementRef, RememberedCsvLayout } from "../engagements/types.ts";
import type {
  ActivationResult,
  ClaimResult,
  ClientWriteResult,
  ImportWriter,
  LedgerLine,
  LedgerStore,
  RejectedUpload,
  StoredTrialBalanceRow,
  TransactionPage,
  TransactionQuery,
} from "../imports/ports.ts";
import type { ImportRef, ImportRun } from "../imports/types.ts";
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
  UnlistedAccountsJsonSchema,
  VoucherIndexItemSchema,
  type DirectoryEntry,
  type ImportItem,
} from "./dynamo/itemSchemas.ts";
import { keys, type ItemKey } from "./dynamo/keys.ts";
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

/** Attributes of the import item that saveImport removes when the run no longer has them. */
const OPTIONAL_IMPORT_ATTRIBUTES = [
  "startedAt",
  "finishedAt",
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

  async claimImport(run: ImportRun, leaseUntil: string): Promise<ClaimResult> {
    const claimed: ImportRun = { ...run, status: "running" };
    const { item, spilled } = this.importItem(claimed);
    const input: TransactWriteCommandInput = {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...item, leaseUntil },
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
    const tookOver = await this.update(
      keys.importRun(existingRef),
      { status: "running", leaseUntil, ...(run.startedAt === undefined ? {} : { startedAt: run.startedAt }) },
      ["failure"],
      {
        condition:
          "#status = :queued OR (#status = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now))",
        names: { "#status": "status" },
        values: { ":queued": "queued", ":running": "running", ":now": nowIso },
      },
    );
    const current = await this.getImportItem(existingRef);
    if (current === undefined) throw new StoreConflictError("The claimed import vanished", { context });
    const currentRun = await this.toRun(current, existingRef);
    return tookOver ? { outcome: "claimed", run: currentRun } : { outcome: "duplicate", existing: currentRun };
  }

  async releaseImport(ref: ImportRef, failure: { code: string; message: string }): Promise<void> {
    const released = await this.update(
      keys.importRun(ref),
      { status: "queued", failure: { ...failure } },
      ["leaseUntil"],
      {
        condition: "attribute_exists(pk)",
      },
    );
    if (!released) throw new StoreNotFoundError(`Import "${ref.importId}" does not exist`, { context: { ...ref } });
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

  async saveImport(run: ImportRun): Promise<void> {
    const { item, spilled } = this.importItem(run);
    await this.writeSpilledIssues(run, spilled);
    const { pk, sk, ...fields } = item;
    const removed = OPTIONAL_IMPORT_ATTRIBUTES.filter((name) => fields[name] === undefined);
    await this.update({ pk: pk as string, sk: sk as string }, fields, removed);
  }

  async activateImport(
    ref: ImportRef,
    options: { orderKey: string; now: string; retentionSeconds: number; force?: boolean },
  ): Promise<ActivationResult> {
    const expiresAt = Math.floor(Date.parse(options.now) / 1000) + options.retentionSeconds;
    const engagementKey = keys.engagement(ref.tenantId, ref.clientId, ref.engagementId);
    const context = { operation: "activateImport", ...ref };
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
        await this.update(keys.importRun(ref), { status: "succeeded" }, ["expiresAt"]);
        if (wasExpiring) await this.setDataExpiry(ref, undefined);
        return { outcome: "activated" };
      }

      const activeOrderKey = engagement.activeOrderKey;
      const mayActivate = options.force === true || activeOrderKey === undefined || activeOrderKey < options.orderKey;
      if (!mayActivate && previousImportId !== undefined) {
        await this.update(keys.importRun(ref), { status: "superseded", expiresAt });
        await this.setDataExpiry(ref, expiresAt);
        return { outcome: "stale", activeImportId: previousImportId };
      }

      const conditions = [
        "attribute_exists(pk)",
        previousImportId === undefined ? "attribute_not_exists(activeImportId)" : "activeImportId = :previous",
      ];
      if (options.force !== true)
        conditions.push("(attribute_not_exists(activeOrderKey) OR activeOrderKey < :orderKey)");
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
              UpdateExpression: "SET #status = :succeeded REMOVE expiresAt",
              ConditionExpression: "attribute_exists(pk)",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: { ":succeeded": "succeeded" },
            },
          },
          ...(previousImportId === undefined
            ? []
            : [
                {
                  Update: {
                    TableName: this.tableName,
                    Key: keys.importRun({ ...ref, importId: previousImportId }),
                    UpdateExpression: "SET #status = :superseded, expiresAt = :expiresAt",
                    ConditionExpression: "attribute_exists(pk)",
                    ExpressionAttributeNames: { "#status": "status" },
                    ExpressionAttributeValues: { ":superseded": "superseded", ":expiresAt": expiresAt },
                  },
                },
              ]),
        ],
      };
      const reasons = await this.transact(input, context);
      if (reasons === undefined) {
        // Outside the transaction (it holds at most 100 items; an import has thousands): TTL on the old version's
        // data, and none on this version's data when it is an earlier version activated again.
        if (previousImportId !== undefined) {
          await this.setDataExpiry({ ...ref, importId: previousImportId }, expiresAt);
        }
        if (wasExpiring) await this.setDataExpiry(ref, undefined);
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
  private async setDataExpiry(ref: ImportRef, expiresAt: number | undefined, knownChunks = 0): Promise<void> {
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
    for (const [chunk] of (await this.readDirectory(ref)).entries) chunks = Math.max(chunks, chunk + 1);
    for (let chunk = 0; chunk < chunks; chunk++) targets.push(keys.chunk(ref.importId, chunk));

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
