import { QueryCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { movementSourceOf, slotOfImport } from "../engagements/sourcePlan.ts";
import {
  SourceSlotSchema,
  type Engagement,
  type EngagementRef,
  type EngagementSources,
  type SourcePlanChoice,
} from "../engagements/types.ts";
import type {
  ActivationOptions,
  ActivationResult,
  SourcePlanChange,
  ClaimResult,
  DueImport,
  ImportStore,
  ImportSummaryPage,
  ImportWriter,
  QueueSyncResult,
  RejectedUpload,
  StoredTrialBalanceRow,
  TransactionPage,
  TransactionQuery,
} from "../imports/ports.ts";
import type { ImportLease, ImportProgress, ImportRef, ImportRun } from "../imports/types.ts";
import type { Issue } from "../ledger/types.ts";
import { DynamoImportDataReader } from "./dynamo/DynamoImportDataReader.ts";
import { DynamoImportWriter } from "./dynamo/DynamoImportWriter.ts";
import { DynamoTable, projectionOf, type DynamoTableOptions } from "./dynamo/DynamoTable.ts";
import {
  decodeEngagement,
  decodeImportItem,
  decodeImportSummary,
  decodeIssues,
  decodeRejectedUpload,
  encodeIssues,
  encodeRejectedUpload,
  importRunFields,
  INLINE_ISSUES_LIMIT,
  parseItem,
  toImportRun,
  type Item,
} from "./dynamo/itemCodec.ts";
import {
  IMPORT_SUMMARY_ATTRIBUTES,
  IssuesPageItemSchema,
  ReconciliationItemSchema,
  SourceMarkerItemSchema,
  SyncLockItemSchema,
  type ImportItem,
} from "./dynamo/itemSchemas.ts";
import { keys, SWEEP_SHARDS, type ItemKey } from "./dynamo/keys.ts";
import { StoredReconciliationSchema, type StoredReconciliation } from "../reconcile/reconciliationJson.ts";
import { DEFAULT_CHUNK_LIMITS, type ChunkLimits } from "./dynamo/transactionChunks.ts";
import { StoreConflictError, StoreCorruptItemError, StoreLeaseLostError, StoreNotFoundError } from "./errors.ts";
import { assertValidLimit, assertValidQuery } from "./ledgerLines.ts";

/** Options of {@link DynamoImportStore} beyond its table. */
export interface DynamoImportStoreOptions {
  /** BatchWriteItem calls in flight per import writer (and sealed chunks waiting); default 4. */
  writeConcurrency?: number;
  /** The clock deciding whether a running import's lease expired; default the system clock. */
  now?: () => Date;
  /** How lines are packed into chunk items (tests use small chunks). */
  chunkLimits?: Partial<ChunkLimits>;
}

/**
 * Reads a decision depends on (a claim, an activation, the expiry of an import's data, the not-found check after a
 * failed condition) are strongly consistent; every other read is eventually consistent, at half the cost.
 */
const CONSISTENT = { consistent: true } as const;
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

/**
 * What a listing reads of an import item: the summary attributes, never the validation report (`issues`,
 * `issuePages`), the header or the lease. Items written before any attribute here existed simply lack it.
 */
const SUMMARY_PROJECTION = projectionOf(IMPORT_SUMMARY_ATTRIBUTES);

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
 * ImportStore on saldo's DynamoDB table (lib/store/tableSpec.ts; key layout in dynamo/keys.ts): import runs and their
 * activation, the sweeper's due imports, each import's data and rejected uploads.
 *
 * - Writes of an import's data go through {@link DynamoImportWriter}: lines packed into gzipped chunk items
 *   (≈ 0.25 items per 1 000 lines), batched, parallel, retried with backoff and jitter; {@link DynamoImportDataReader}
 *   reads them back.
 * - claimImport creates the import run, the marker of its source and the owner of its import id in one
 *   TransactWriteItems; activateImport switches the engagement's active version in one TransactWriteItems.
 * - Every item read back is validated with zod (dynamo/itemSchemas.ts); every SDK failure becomes a StoreError.
 *
 * Give it the {@link DynamoTable} the DynamoEngagementStore uses (createDynamoStores) or let it make its own.
 */
export class DynamoImportStore implements ImportStore {
  private readonly table: DynamoTable;
  private readonly reader: DynamoImportDataReader;
  private readonly writeConcurrency: number;
  private readonly now: () => Date;
  private readonly chunkLimits: ChunkLimits;

  constructor(options: (DynamoTableOptions | { table: DynamoTable }) & DynamoImportStoreOptions) {
    this.table = "table" in options ? options.table : new DynamoTable(options);
    this.reader = new DynamoImportDataReader(this.table);
    this.writeConcurrency = Math.max(1, options.writeConcurrency ?? 4);
    this.now = options.now ?? (() => new Date());
    this.chunkLimits = { ...DEFAULT_CHUNK_LIMITS, ...options.chunkLimits };
  }

  async queueSync(run: ImportRun): Promise<QueueSyncResult> {
    const lockKey = keys.syncLock(run);
    const context = { operation: "queueSync", importId: run.importId, sourceId: run.sourceId };
    for (let attempt = 0; attempt < 3; attempt++) {
      // Consistent: whether a sync is running decides whether this one may be queued.
      const lock = await this.table.get(lockKey, CONSISTENT);
      let latest: string | undefined;
      if (lock !== undefined) {
        latest = parseItem(SyncLockItemSchema, lock, "sync lock", run.tenantId).importId;
        const latestRef: ImportRef = { ...run, importId: latest };
        const holder = await this.getImportItem(latestRef, CONSISTENT);
        if (holder !== undefined && (holder.status === "queued" || holder.status === "running")) {
          return { outcome: "busy", running: await this.toRun(holder, latestRef) };
        }
      }
      const queued: ImportRun = { ...run, status: "queued" };
      const { item, spilled } = this.importItem(queued);
      const dueAt = new Date(this.now().getTime() + QUEUED_SYNC_GRACE_MS).toISOString();
      const reasons = await this.table.transact(
        {
          TransactItems: [
            {
              Put: {
                TableName: this.table.tableName,
                // Due for the sweeper if no attempt claims it in time (a sync whose invocation was lost).
                Item: { ...item, ...keys.sweepEntry(run.importId, dueAt) },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            ...this.newImportMarkers(run),
            {
              Put: {
                TableName: this.table.tableName,
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
            TableName: this.table.tableName,
            Item: { ...item, ...leaseFields(run.importId, lease) },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        ...this.newImportMarkers(run),
      ],
    };
    const context = { operation: "claimImport", importId: run.importId, sourceId: run.sourceId };
    const reasons = await this.table.transact(input, context);
    if (reasons === undefined) {
      await this.writeSpilledIssues(run, spilled);
      return { outcome: "claimed", run: claimed };
    }
    if (reasons[1] !== "ConditionalCheckFailed") {
      throw new StoreConflictError(`The import id "${run.importId}" is already taken`, { context });
    }

    const marker = await this.table.get(keys.sourceMarker(run, run.sourceId), CONSISTENT);
    if (marker === undefined) throw new StoreConflictError("The source marker vanished during the claim", { context });
    const { importId: existingId } = parseItem(SourceMarkerItemSchema, marker, "source marker", run.tenantId);
    const existingRef: ImportRef = { ...run, importId: existingId };
    const existing = await this.getImportItem(existingRef, CONSISTENT);
    if (existing === undefined) {
      throw new StoreConflictError(`The source marker of "${run.sourceId}" names a missing import`, {
        context: { ...context, existingImportId: existingId },
      });
    }
    const nowIso = this.now().toISOString();
    const takeOver =
      existing.status === "queued" ||
      (existing.status === "running" && (existing.leaseUntil === undefined || existing.leaseUntil < nowIso));
    if (!takeOver) return { outcome: "duplicate", existing: await this.toRun(existing, existingRef, CONSISTENT) };

    // A conditional update: of two retries racing for the same dead attempt, exactly one takes it over.
    const tookOver = await this.table.updateExpression(keys.importRun(existingRef), {
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
    const current = await this.getImportItem(existingRef, CONSISTENT);
    if (current === undefined) throw new StoreConflictError("The claimed import vanished", { context });
    const currentRun = await this.toRun(current, existingRef, CONSISTENT);
    return tookOver ? { outcome: "claimed", run: currentRun } : { outcome: "duplicate", existing: currentRun };
  }

  async renewLease(ref: ImportRef, lease: ImportLease, progress?: ImportProgress): Promise<boolean> {
    return this.table.updateExpression(keys.importRun(ref), {
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
    const released = await this.table.updateExpression(keys.importRun(ref), {
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
    if (!released && (await this.getImportItem(ref, CONSISTENT)) === undefined) {
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
      documents: this.table.documents,
      tableName: this.table.tableName,
      ref: importRef,
      concurrency: this.writeConcurrency,
      retry: this.table.retry,
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
    const saved = await this.table.update(
      key,
      fields,
      removed,
      options.owner === undefined ? {} : { condition: "leaseOwner = :owner", values: { ":owner": options.owner } },
    );
    if (!saved) {
      if ((await this.getImportItem(run, CONSISTENT)) === undefined) {
        throw new StoreNotFoundError(`Import "${run.importId}" does not exist`, { context: { ...key } });
      }
      throw new StoreLeaseLostError(`This attempt no longer holds import "${run.importId}"`, {
        context: { ...key, importId: run.importId },
      });
    }
  }

  async activateImport(ref: ImportRef, options: ActivationOptions): Promise<ActivationResult> {
    const expiresAt = Math.floor(Date.parse(options.now) / 1000) + options.retentionSeconds;
    const engagementKey = keys.engagement(ref.tenantId, ref.clientId, ref.engagementId);
    const context = { operation: "activateImport", ...ref };
    const expiryEntry = (importId: string) => keys.sweepEntry(importId, this.expiryDeadline());
    for (let attempt = 1; ; attempt++) {
      const [importItem, engagement] = await Promise.all([
        this.getImportItem(ref, CONSISTENT),
        this.getEngagementItem(ref),
      ]);
      if (importItem === undefined)
        throw new StoreNotFoundError(`Import "${ref.importId}" does not exist`, { context });
      if (engagement === undefined) {
        throw new StoreNotFoundError(`Engagement "${ref.engagementId}" does not exist`, { context });
      }
      const wasExpiring = importItem.expiresAt !== undefined;
      const slot = slotOfImport(importItem);
      const sources = await this.sourcesOf(engagement);
      const previousImportId = sources[slot]?.importId;
      const next: EngagementSources = { ...sources, [slot]: { importId: ref.importId, orderKey: options.orderKey } };
      if (previousImportId === ref.importId) next[slot] = sources[slot]!;
      const movement = next[movementSourceOf(engagement.sourcePlan, next, options.connected ?? false)];

      if (
        previousImportId === ref.importId &&
        engagement.sources !== undefined &&
        movement?.importId === engagement.activeImportId
      ) {
        // Already active (a repeated activation): make sure it reads as such, nothing else changes.
        if (wasExpiring) {
          await this.table.update(keys.importRun(ref), { status: "succeeded", ...expiryEntry(ref.importId) }, [
            "expiresAt",
            "leaseUntil",
          ]);
        } else
          await this.table.update(keys.importRun(ref), { status: "succeeded" }, ["leaseUntil", "gsi1pk", "gsi1sk"]);
        return { outcome: "activated", slot, ...activeOf(engagement.activeImportId) };
      }

      const slotOrderKey = sources[slot]?.orderKey;
      const mayActivate =
        options.force === true ||
        previousImportId === ref.importId ||
        slotOrderKey === undefined ||
        slotOrderKey < options.orderKey;
      if (!mayActivate && previousImportId !== undefined) {
        await this.table.update(
          keys.importRun(ref),
          { status: "superseded", expiresAt, ...expiryEntry(ref.importId) },
          ["leaseUntil"],
        );
        return { outcome: "stale", activeImportId: previousImportId };
      }

      // The write is conditional on the engagement as read: every slot, the movement import and the plan's movement
      // (which decides it) unchanged — so of two activations (or an activation and a plan change) racing, the second
      // reads again and decides again.
      const { names, values, conditions } = unchangedSources(engagement);
      values[":sources"] = next;
      const plannedMovement = engagement.sourcePlan?.movement;
      if (plannedMovement === undefined) conditions.push("attribute_not_exists(sourcePlan.movement)");
      else {
        conditions.push("sourcePlan.movement = :plannedMovement");
        values[":plannedMovement"] = plannedMovement;
      }
      let update = "SET sources = :sources";
      if (movement === undefined) update += " REMOVE activeImportId, activeOrderKey";
      else {
        update += ", activeImportId = :active, activeOrderKey = :activeOrderKey";
        values[":active"] = movement.importId;
        values[":activeOrderKey"] = movement.orderKey;
      }
      const superseded =
        previousImportId !== undefined && previousImportId !== ref.importId ? previousImportId : undefined;
      // The data items' expiry is not part of the activation (a transaction holds at most 100 items; an import has
      // thousands, and an API request must not wait for them): the index entries written here mark it unfinished
      // until finishDataExpiry has done it — called by the ingest right after, or by the sweeper once the grace has
      // passed — so it is never left half done: no superseded version's data kept for ever, no earlier version
      // activated again with data that still expires.
      const input: TransactWriteCommandInput = {
        TransactItems: [
          {
            Update: {
              TableName: this.table.tableName,
              Key: engagementKey,
              UpdateExpression: update,
              ConditionExpression: conditions.join(" AND "),
              ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: values,
            },
          },
          {
            Update: {
              TableName: this.table.tableName,
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
          ...(superseded === undefined
            ? []
            : [
                {
                  Update: {
                    TableName: this.table.tableName,
                    Key: keys.importRun({ ...ref, importId: superseded }),
                    UpdateExpression:
                      "SET #status = :superseded, expiresAt = :expiresAt, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk",
                    ConditionExpression: "attribute_exists(pk)",
                    ExpressionAttributeNames: { "#status": "status" },
                    ExpressionAttributeValues: {
                      ":superseded": "superseded",
                      ":expiresAt": expiresAt,
                      ...prefixed(expiryEntry(superseded)),
                    },
                  },
                },
              ]),
        ],
      };
      const reasons = await this.table.transact(input, context);
      if (reasons === undefined) {
        return {
          outcome: "activated",
          slot,
          ...(superseded === undefined ? {} : { previousImportId: superseded }),
          ...activeOf(movement?.importId),
        };
      }
      if (reasons[0] !== "ConditionalCheckFailed" || attempt >= this.table.retry.maxAttempts) {
        throw new StoreConflictError(`Import "${ref.importId}" could not be activated (${reasons.join(", ")})`, {
          context,
        });
      }
      // The engagement changed between our read and our write (another activation): read again and decide again.
    }
  }

  async changeSourcePlan(
    ref: EngagementRef,
    plan: SourcePlanChoice,
    options: { connected: boolean },
  ): Promise<SourcePlanChange> {
    const key = keys.engagement(ref.tenantId, ref.clientId, ref.engagementId);
    const context = { operation: "changeSourcePlan", ...ref };
    const choice = definedFields(plan);
    for (let attempt = 1; ; attempt++) {
      const engagement = await this.getEngagementItem(ref);
      if (engagement === undefined) {
        throw new StoreNotFoundError(`Engagement "${ref.engagementId}" does not exist`, { context });
      }
      const sources = await this.sourcesOf(engagement);
      const movement = sources[movementSourceOf(choice, sources, options.connected)];
      const { names, values, conditions } = unchangedSources(engagement);
      values[":plan"] = choice;
      values[":sources"] = sources;
      let update = "SET sourcePlan = :plan, sources = :sources";
      if (movement === undefined) update += " REMOVE activeImportId, activeOrderKey";
      else {
        update += ", activeImportId = :active, activeOrderKey = :activeOrderKey";
        values[":active"] = movement.importId;
        values[":activeOrderKey"] = movement.orderKey;
      }
      const written = await this.table.updateExpression(key, {
        update,
        condition: conditions.join(" AND "),
        ...(Object.keys(names).length > 0 ? { names } : {}),
        values,
      });
      if (written) {
        const { activeImportId: _active, activeOrderKey: _activeOrderKey, ...rest } = engagement;
        return {
          engagement: {
            ...rest,
            sources,
            sourcePlan: choice,
            ...(movement === undefined ? {} : { activeImportId: movement.importId, activeOrderKey: movement.orderKey }),
          },
          ...(engagement.activeImportId === undefined ? {} : { previousActiveImportId: engagement.activeImportId }),
        };
      }
      if (attempt >= this.table.retry.maxAttempts) {
        throw new StoreConflictError("The engagement's sources kept changing", { context });
      }
    }
  }

  async listDueImports(now: string, limit: number): Promise<DueImport[]> {
    const due: DueImport[] = [];
    for (let shard = 0; shard < SWEEP_SHARDS; shard++) {
      let startKey: Record<string, unknown> | undefined;
      let fromShard = 0;
      do {
        const output = await this.table.request("Query", { index: "gsi1", shard }, () =>
          this.table.documents.send(
            new QueryCommand({
              TableName: this.table.tableName,
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
    return this.table.updateExpression(keys.importRun(ref), {
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
    return this.table.updateExpression(keys.importRun(ref), {
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
      const item = await this.getImportItem(ref, CONSISTENT);
      if (item === undefined) return;
      const probe = item.status === "failed";
      await this.setDataExpiry(ref, item.expiresAt, 0, probe);
      const cleared = await this.table.updateExpression(keys.importRun(ref), {
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
      if (cleared || round >= this.table.retry.maxAttempts) return;
    }
  }

  async getImport(ref: ImportRef): Promise<ImportRun | undefined> {
    const item = await this.getImportItem(ref);
    return item === undefined ? undefined : this.toRun(item, ref);
  }

  async listImports(ref: EngagementRef, page: { limit: number; after?: string }): Promise<ImportSummaryPage> {
    assertValidLimit(page.limit);
    const { pk, skPrefix } = keys.importsOf(ref);
    const items: Item[] = [];
    // Continues after the last import of the previous page; the key is rebuilt here from the caller's own
    // engagement, so a position can only ever select within it.
    let startKey: Record<string, unknown> | undefined =
      page.after === undefined ? undefined : keys.importRun({ ...ref, importId: page.after });
    // One more than asked, to know whether a next page exists; DynamoDB may stop a page early (1 MB), so follow it.
    while (items.length <= page.limit) {
      const output = await this.table.request("Query", { pk, skPrefix }, () =>
        this.table.documents.send(
          new QueryCommand({
            TableName: this.table.tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: { ":pk": pk, ":prefix": skPrefix },
            ProjectionExpression: SUMMARY_PROJECTION.expression,
            ExpressionAttributeNames: SUMMARY_PROJECTION.names,
            ScanIndexForward: false,
            Limit: page.limit + 1 - items.length,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        ),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    const summaries = items.slice(0, page.limit).map((raw) => decodeImportSummary(raw, ref.tenantId));
    return {
      items: summaries,
      ...(items.length > page.limit ? { next: summaries.at(-1)!.importId } : {}),
    };
  }

  // ── reading an import's data ──────────────────────────────────────────────────────────────────────────────

  async readTrialBalance(ref: ImportRef): Promise<StoredTrialBalanceRow[]> {
    if ((await this.getImportItem(ref)) === undefined) return [];
    return this.reader.readTrialBalance(ref);
  }

  async readTransactionLines(ref: ImportRef, query: TransactionQuery): Promise<TransactionPage> {
    assertValidQuery(query);
    const start = query.after ?? { chunk: 0, offset: 0 };
    if ((await this.getImportItem(ref)) === undefined) return { items: [] };
    return this.reader.readTransactionLines(ref, query, start);
  }

  // ── rejected uploads ──────────────────────────────────────────────────────────────────────────────────────

  async recordRejectedUpload(rejection: RejectedUpload): Promise<void> {
    await this.table.put(encodeRejectedUpload(rejection));
  }

  async listRejectedUploads(tenantId: string): Promise<RejectedUpload[]> {
    const { pk } = keys.rejectedUploadsOf(tenantId);
    return (await this.table.queryAll(pk)).map((item) => decodeRejectedUpload(item, tenantId));
  }

  // ── reconciliation ──────────────────────────────────────────────────────────────────────────────────────────

  async saveReconciliation(ref: EngagementRef, reconciliation: StoredReconciliation): Promise<boolean> {
    const item = {
      ...keys.reconciliation(ref),
      type: "reconciliation",
      tenantId: ref.tenantId,
      ...StoredReconciliationSchema.parse(reconciliation),
    };
    // A recomputation that read its sources earlier never replaces one that read them later.
    return this.table.put(item, "attribute_not_exists(pk) OR computedAt <= :computedAt", {
      ":computedAt": reconciliation.computedAt,
    });
  }

  async getReconciliation(ref: EngagementRef): Promise<StoredReconciliation | undefined> {
    const item = await this.table.get(keys.reconciliation(ref));
    if (item === undefined) return undefined;
    const { tenantId: _tenantId, ...reconciliation } = parseItem(
      ReconciliationItemSchema,
      item,
      "reconciliation",
      ref.tenantId,
    );
    return reconciliation;
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The two markers a new import is written with, each only if absent: its source's (so a second delivery of the
   * source finds it) and its id's owner (import ids are global in the IMP#… keys: no other import, of any tenant,
   * may have it).
   */
  private newImportMarkers(run: ImportRun): NonNullable<TransactWriteCommandInput["TransactItems"]> {
    const absent = "attribute_not_exists(pk)";
    const { tenantId, clientId, engagementId, importId } = run;
    return [
      {
        Put: {
          TableName: this.table.tableName,
          Item: { ...keys.sourceMarker(run, run.sourceId), type: "source", tenantId, importId },
          ConditionExpression: absent,
        },
      },
      {
        Put: {
          TableName: this.table.tableName,
          Item: { ...keys.importOwner(importId), type: "owner", tenantId, clientId, engagementId, importId },
          ConditionExpression: absent,
        },
      },
    ];
  }

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
      await this.table.put({
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

  private async toRun(item: ImportItem, ref: ImportRef, options: { consistent?: boolean } = {}): Promise<ImportRun> {
    const where = keys.importRun(ref);
    if (item.issuePages === undefined) return toImportRun(item, where);
    const pages = await this.table.queryAll(keys.importTablePk(ref.importId), keys.issuesPrefix, options);
    const issues: Issue[] = [];
    for (const page of pages) {
      const parsed = parseItem(IssuesPageItemSchema, page, "validation report page", ref.tenantId);
      if (parsed.page < item.issuePages) issues.push(...decodeIssues(parsed.issues, page));
    }
    return toImportRun(item, where, issues);
  }

  /**
   * The engagement's slots; for an engagement activated before slots existed, its active import in the slot of its
   * kind (read from the import item).
   */
  private async sourcesOf(engagement: Engagement): Promise<EngagementSources> {
    if (engagement.sources !== undefined) return engagement.sources;
    if (engagement.activeImportId === undefined) return {};
    const active = await this.getImportItem({ ...engagement, importId: engagement.activeImportId }, CONSISTENT);
    if (active === undefined) return {};
    return {
      [slotOfImport(active)]: {
        importId: engagement.activeImportId,
        orderKey: engagement.activeOrderKey ?? active.orderKey,
      },
    };
  }

  /** The engagement item, for activation: its active version is this store's to switch. */
  private async getEngagementItem(ref: EngagementRef): Promise<Engagement | undefined> {
    const item = await this.table.get(keys.engagement(ref.tenantId, ref.clientId, ref.engagementId), CONSISTENT);
    return item === undefined ? undefined : decodeEngagement(item);
  }

  private async getImportItem(ref: ImportRef, options: { consistent?: boolean } = {}): Promise<ImportItem | undefined> {
    const item = await this.table.get(keys.importRun(ref), options);
    return item === undefined ? undefined : decodeImportItem(item);
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
    const tableItems = await this.table.queryAll(keys.importTablePk(ref.importId), undefined, CONSISTENT);
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
    const directory = (await this.reader.readDirectory(ref, CONSISTENT)).entries;
    for (const [chunk] of directory) chunks = Math.max(chunks, chunk + 1);
    for (let chunk = 0; chunk < chunks; chunk++) targets.push(keys.chunk(ref.importId, chunk));
    if (probeChunks && directory.length === 0) {
      // An attempt that died wrote chunks but no directory: find them by trying the numbers after the known ones
      // (chunks land out of order within the writer's few batches in flight, hence a run of misses, not the first).
      const setOne = (key: ItemKey) =>
        expiresAt === undefined
          ? this.table.update(key, {}, ["expiresAt"], { condition: "attribute_exists(pk)" })
          : this.table.update(key, { expiresAt }, [], { condition: "attribute_exists(pk)" });
      for (let chunk = chunks, misses = 0; misses < CHUNK_PROBE_MISSES; chunk++) {
        misses = (await setOne(keys.chunk(ref.importId, chunk))) ? 0 : misses + 1;
      }
    }

    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const key = targets[next++]!;
        await (expiresAt === undefined
          ? this.table.update(key, {}, ["expiresAt"], { condition: "attribute_exists(pk)" })
          : this.table.update(key, { expiresAt }, [], { condition: "attribute_exists(pk)" }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(EXPIRY_CONCURRENCY, targets.length) }, worker));
  }

  /** When a data-expiry marking written now becomes the sweeper's to finish. */
  private expiryDeadline(): string {
    return new Date(this.now().getTime() + EXPIRY_GRACE_MS).toISOString();
  }
}

/** The attributes a lease adds to an import item: deadline, holder and the sweeper's index entry. */
function leaseFields(importId: string, lease: ImportLease): Item {
  return { leaseUntil: lease.until, leaseOwner: lease.owner, ...keys.sweepEntry(importId, lease.until) };
}

/** `{gsi1pk, gsi1sk}` as expression values `:gsi1pk`, `:gsi1sk`. */
function prefixed(entry: { gsi1pk: string; gsi1sk: string }): Item {
  return { ":gsi1pk": entry.gsi1pk, ":gsi1sk": entry.gsi1sk };
}

/**
 * The condition that the engagement's slots and movement import are still as read: each slot's import id (or its
 * absence) and `activeImportId`, as expression names, values and conditions for the caller to extend.
 */
function unchangedSources(engagement: Engagement): {
  names: Record<string, string>;
  values: Record<string, unknown>;
  conditions: string[];
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions = ["attribute_exists(pk)"];
  if (engagement.sources === undefined) conditions.push("attribute_not_exists(sources)");
  else
    for (const name of SourceSlotSchema.options) {
      names[`#${name}`] = name;
      const current = engagement.sources[name];
      if (current === undefined) conditions.push(`attribute_not_exists(sources.#${name})`);
      else {
        conditions.push(`sources.#${name}.importId = :slot_${name}`);
        values[`:slot_${name}`] = current.importId;
      }
    }
  if (engagement.activeImportId === undefined) conditions.push("attribute_not_exists(activeImportId)");
  else {
    conditions.push("activeImportId = :previousActive");
    values[":previousActive"] = engagement.activeImportId;
  }
  return { names, values, conditions };
}

/** `{activeImportId}` when there is one. */
function activeOf(importId: string | undefined): { activeImportId?: string } {
  return importId === undefined ? {} : { activeImportId: importId };
}

function definedFields<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, element]) => element !== undefined)) as T;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
