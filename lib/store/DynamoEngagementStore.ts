import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type {
  ClientWriteResult,
  EngagementScheduleChange,
  EngagementStore,
  EngagementWriteResult,
} from "../engagements/ports.ts";
import type {
  Client,
  ClientIntegration,
  ClientRef,
  Engagement,
  EngagementRef,
  RememberedCsvLayout,
} from "../engagements/types.ts";
import type { IntegrationSystem } from "../secrets/types.ts";
import {
  decodeClient,
  decodeEngagement,
  defined,
  encodeClient,
  engagementFields,
  parseItem,
} from "./dynamo/itemCodec.ts";
import {
  ClientIntegrationSchema,
  EngagementPeriodMarkerItemSchema,
  OrgNumberMarkerItemSchema,
} from "./dynamo/itemSchemas.ts";
import { StoreConflictError } from "./errors.ts";
import { keys } from "./dynamo/keys.ts";
import { DynamoTable, type DynamoTableOptions } from "./dynamo/DynamoTable.ts";

/**
 * EngagementStore on saldo's DynamoDB table (lib/store/tableSpec.ts; key layout in dynamo/keys.ts): clients, the
 * markers that keep organisation numbers unique per tenant, and engagements. Give it the {@link DynamoTable} the
 * DynamoImportStore uses (createDynamoStores) or let it make its own from `tableName` and `client`/`clientConfig`.
 * Every item read back is validated with zod (dynamo/itemSchemas.ts); every SDK failure becomes a StoreError.
 */
export class DynamoEngagementStore implements EngagementStore {
  private readonly table: DynamoTable;

  constructor(options: DynamoTableOptions | { table: DynamoTable }) {
    this.table = "table" in options ? options.table : new DynamoTable(options);
  }

  async createClient(client: Client): Promise<ClientWriteResult> {
    const number = liveOrgNumber(client);
    const items: NonNullable<TransactWriteCommandInput["TransactItems"]> = [
      {
        Put: {
          TableName: this.table.tableName,
          Item: encodeClient(client),
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
    ];
    if (number !== undefined) items.push(this.orgNumberMarkerPut(client, number));
    const context = { operation: "createClient", tenantId: client.tenantId, clientId: client.clientId };
    const reasons = await this.table.transact({ TransactItems: items }, context);
    if (reasons === undefined) return { outcome: "written" };
    if (reasons[0] === "ConditionalCheckFailed") return { outcome: "id-taken" };
    return this.orgNumberTaken(client.tenantId, number!);
  }

  async replaceClient(previous: Client, next: Client): Promise<ClientWriteResult> {
    const before = liveOrgNumber(previous);
    const after = liveOrgNumber(next);
    const put = {
      Put: {
        TableName: this.table.tableName,
        Item: encodeClient(next),
        // Optimistic: only over the live client as the caller read it (its marker is then the one we move).
        ConditionExpression:
          "attribute_exists(pk) AND updatedAt = :previousUpdatedAt AND attribute_not_exists(deletedAt)",
        ExpressionAttributeValues: { ":previousUpdatedAt": previous.updatedAt },
      },
    };
    const release =
      before !== undefined && before !== after
        ? {
            Delete: {
              TableName: this.table.tableName,
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
    let reasons = await this.table.transact({ TransactItems: items }, context);
    if (reasons !== undefined && release !== undefined && reasons[items.length - 1] === "ConditionalCheckFailed") {
      // The old number's marker is another client's (two live clients shared it before markers existed): keep it.
      reasons = await this.table.transact({ TransactItems: items.slice(0, -1) }, context);
    }
    if (reasons === undefined) return { outcome: "written" };
    if (reasons[0] === "ConditionalCheckFailed") return { outcome: "stale" };
    return this.orgNumberTaken(next.tenantId, after!);
  }

  /** The Put of an organisation number's marker, conditional on no other client holding it. */
  private orgNumberMarkerPut(client: Client, orgNumber: string) {
    return {
      Put: {
        TableName: this.table.tableName,
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
    const marker = await this.table.get(keys.orgNumber(tenantId, orgNumber), { consistent: true });
    if (marker === undefined) return { outcome: "org-number-taken" };
    const { clientId } = parseItem(OrgNumberMarkerItemSchema, marker, "organisation-number marker", tenantId);
    return { outcome: "org-number-taken", clientId };
  }

  async getClient(ref: ClientRef): Promise<Client | undefined> {
    const item = await this.table.get(keys.client(ref.tenantId, ref.clientId));
    return item === undefined ? undefined : decodeClient(item);
  }

  async rememberCsvLayout(ref: ClientRef, remembered: RememberedCsvLayout): Promise<boolean> {
    return this.table.update(keys.client(ref.tenantId, ref.clientId), { csvLayout: remembered }, [], {
      condition: "attribute_exists(pk) AND attribute_not_exists(deletedAt)",
    });
  }

  async recordIntegration(ref: ClientRef, system: IntegrationSystem, integration: ClientIntegration): Promise<boolean> {
    const key = keys.client(ref.tenantId, ref.clientId);
    const value = defined(ClientIntegrationSchema.parse(integration));
    const live = "attribute_exists(pk) AND attribute_not_exists(deletedAt)";
    // The map of systems exists once any system was recorded; its first write creates it. Two writers racing for the
    // first write: the loser's condition fails and it sets its system inside the map the winner made.
    for (let attempt = 0; attempt < 3; attempt++) {
      const inMap = await this.table.updateExpression(key, {
        update: "SET integrations.#system = :value",
        condition: `${live} AND attribute_exists(integrations)`,
        names: { "#system": system },
        values: { ":value": value },
      });
      if (inMap) return true;
      const newMap = await this.table.updateExpression(key, {
        update: "SET integrations = :map",
        condition: `${live} AND attribute_not_exists(integrations)`,
        values: { ":map": { [system]: value } },
      });
      if (newMap) return true;
      const client = await this.getClient(ref);
      if (client === undefined || client.deletedAt !== undefined) return false;
    }
    throw new StoreConflictError("The client's integrations kept changing", { context: { ...ref, system } });
  }

  async removeIntegration(ref: ClientRef, system: IntegrationSystem): Promise<boolean> {
    return this.table.updateExpression(keys.client(ref.tenantId, ref.clientId), {
      update: "REMOVE integrations.#system",
      condition: "attribute_exists(pk) AND attribute_not_exists(deletedAt) AND attribute_exists(integrations.#system)",
      names: { "#system": system },
    });
  }

  async listClients(tenantId: string): Promise<Client[]> {
    const { pk, skPrefix } = keys.clientsOf(tenantId);
    return (await this.table.queryAll(pk, skPrefix)).map(decodeClient);
  }

  async putEngagement(engagement: Engagement): Promise<void> {
    // An update, not a put: the active version belongs to activateImport and must survive edits of the engagement.
    const key = keys.engagement(engagement.tenantId, engagement.clientId, engagement.engagementId);
    await this.table.update(key, { type: "engagement", ...engagementFields(engagement) });
  }

  async createEngagement(engagement: Engagement): Promise<EngagementWriteResult> {
    const { tenantId, clientId, engagementId } = engagement;
    const periodKey = keys.engagementPeriod(tenantId, clientId, engagement);
    const items: NonNullable<TransactWriteCommandInput["TransactItems"]> = [
      {
        Put: {
          TableName: this.table.tableName,
          Item: {
            ...keys.engagement(tenantId, clientId, engagementId),
            type: "engagement",
            ...engagementFields(engagement),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Put: {
          TableName: this.table.tableName,
          Item: { ...periodKey, type: "engagementPeriod", tenantId, clientId, engagementId },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
    ];
    const reasons = await this.table.transact(
      { TransactItems: items },
      { operation: "createEngagement", tenantId, clientId, engagementId },
    );
    if (reasons === undefined) return { outcome: "written" };
    if (reasons[0] === "ConditionalCheckFailed") return { outcome: "id-taken" };
    const marker = await this.table.get(periodKey, { consistent: true });
    if (marker === undefined) return { outcome: "period-taken" };
    const holder = parseItem(EngagementPeriodMarkerItemSchema, marker, "engagement period marker", tenantId);
    return { outcome: "period-taken", engagementId: holder.engagementId };
  }

  async getEngagement(ref: EngagementRef): Promise<Engagement | undefined> {
    const item = await this.table.get(keys.engagement(ref.tenantId, ref.clientId, ref.engagementId));
    return item === undefined ? undefined : decodeEngagement(item);
  }

  async listEngagements(ref: ClientRef): Promise<Engagement[]> {
    const { pk, skPrefix } = keys.engagementsOf(ref.tenantId, ref.clientId);
    return (await this.table.queryAll(pk, skPrefix)).map(decodeEngagement);
  }

  async updateEngagementSchedule(ref: EngagementRef, change: EngagementScheduleChange): Promise<boolean> {
    const set: Record<string, unknown> = {};
    const remove: string[] = [];
    if (change.closedAt === null) remove.push("closedAt");
    else if (change.closedAt !== undefined) set.closedAt = change.closedAt;
    if (change.refresh !== undefined) set.refresh = defined(change.refresh);
    if (change.refreshDueAt === null) remove.push("refreshDueAt", "gsi1pk", "gsi1sk");
    else if (change.refreshDueAt !== undefined)
      Object.assign(set, { refreshDueAt: change.refreshDueAt, ...keys.refreshEntry(change.refreshDueAt) });
    if (Object.keys(set).length === 0 && remove.length === 0) return (await this.getEngagement(ref)) !== undefined;
    return this.table.update(keys.engagement(ref.tenantId, ref.clientId, ref.engagementId), set, remove, {
      condition: "attribute_exists(pk)",
    });
  }

  async listDueRefreshes(now: string, limit: number): Promise<Engagement[]> {
    const due: Engagement[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.table.request("Query", { index: SCHEDULE_INDEX, now }, () =>
        this.table.documents.send(
          new QueryCommand({
            TableName: this.table.tableName,
            IndexName: SCHEDULE_INDEX,
            KeyConditionExpression: "gsi1pk = :pk AND gsi1sk <= :now",
            ExpressionAttributeValues: { ":pk": keys.refreshPartition(), ":now": now },
            Limit: Math.min(limit - due.length, 1000),
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        ),
      );
      for (const item of output.Items ?? []) if (item.type === "engagement") due.push(decodeEngagement(item));
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined && due.length < limit);
    return due.slice(0, limit);
  }
}

/** The table's one index: the schedule's `REFRESH` partition shares it with the sweeper's (dynamo/keys.ts). */
const SCHEDULE_INDEX = "gsi1";

/** The organisation number a client holds a marker for: only live clients hold one. */
function liveOrgNumber(client: Client): string | undefined {
  return client.deletedAt === undefined ? client.orgNumber : undefined;
}
