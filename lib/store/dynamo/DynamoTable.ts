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
import { StoreCorruptItemError, StoreUnavailableError, translateSdkError } from "../errors.ts";
import type { Item } from "./itemCodec.ts";
import type { ItemKey } from "./keys.ts";
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";

/** Options of {@link DynamoTable}: which table, through which client, with which retries. */
export interface DynamoTableOptions {
  tableName: string;
  /** A client to use (and not destroy); otherwise one is created from `clientConfig`. */
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
  /**
   * Retries of what the SDK does not retry (unprocessed batch items, transaction conflicts, lost races; see
   * dynamo/retry.ts); default 7. Failed requests are retried by the SDK only, as `clientConfig` says
   * (`maxAttempts`, `retryMode`: the function's retry profile, lib/config/functionConfig.ts).
   */
  maxRetries?: number;
  /** Backoff of those retries, in milliseconds: first cap and overall cap; default 50 and 5 000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Randomness of the backoff jitter (tests make it deterministic). */
  random?: () => number;
  /** How the store waits between retries (tests skip the wait). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The primitives the DynamoDB stores share on saldo's one table (lib/store/tableSpec.ts): single-item reads and
 * writes that answer a failed condition with `false`, transactions that answer with the cancellation reasons, and
 * queries that follow every page. Failed requests are retried by the SDK client alone (its configured `maxAttempts`);
 * every SDK failure that remains leaves here as a StoreError (lib/store/errors.ts).
 */
export class DynamoTable {
  readonly tableName: string;
  readonly documents: DynamoDBDocumentClient;
  readonly retry: RetryPolicy;
  private readonly client: DynamoDBClient;
  private readonly ownsClient: boolean;

  constructor(options: DynamoTableOptions) {
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
  }

  /** Runs one SDK request; a failure the SDK's retries did not overcome leaves as a StoreError. */
  async request<T>(operation: string, context: Record<string, unknown>, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translateSdkError(error, operation, context);
    }
  }

  /** Destroys the SDK client when this table created it. */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  /** One UpdateItem with a hand-written expression; returns false when its condition failed. */
  async updateExpression(
    key: ItemKey,
    request: { update: string; condition?: string; names?: Record<string, string>; values?: Item },
  ): Promise<boolean> {
    return this.request("UpdateItem", { ...key }, async () => {
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

  /**
   * One item. Eventually consistent (half the read cost) unless `consistent`: only reads a decision depends on — a
   * claim, an activation, the expiry of an import's data — must see every write that preceded them.
   */
  async get(key: ItemKey, options: { consistent?: boolean } = {}): Promise<Item | undefined> {
    const output = await this.request("GetItem", { ...key }, () =>
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: options.consistent === true }),
      ),
    );
    return output.Item;
  }

  /**
   * Puts an item; with a condition (and the `values` it names), returns false instead of throwing when the condition
   * fails.
   */
  async put(item: Item, condition?: string, values?: Record<string, unknown>): Promise<boolean> {
    return this.request("PutItem", { pk: item.pk, sk: item.sk }, async () => {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ...(condition === undefined ? {} : { ConditionExpression: condition }),
            ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
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
  async update(
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
    return this.request("UpdateItem", { ...key }, async () => {
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
   * when a condition failed. A transaction cancelled by a conflict with another transaction (or one item's
   * throttling), which the SDK does not retry, is retried here with backoff.
   */
  async transact(input: TransactWriteCommandInput, context: Record<string, unknown>): Promise<string[] | undefined> {
    const command = { ...input, TransactItems: input.TransactItems };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.documents.send(new TransactWriteCommand(command));
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

  /**
   * Every item of a partition (with `skPrefix`), page after page; consistency as {@link get}. With `attributes`,
   * only those attributes of each item are read (a ProjectionExpression): leave out what the caller does not need.
   */
  async queryAll(
    pk: string,
    skPrefix?: string,
    options: { newestFirst?: boolean; consistent?: boolean; attributes?: readonly string[] } = {},
  ): Promise<Item[]> {
    const projection = options.attributes === undefined ? undefined : projectionOf(options.attributes);
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.request("Query", { pk, skPrefix }, () =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: skPrefix === undefined ? "pk = :pk" : "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: { ":pk": pk, ...(skPrefix === undefined ? {} : { ":prefix": skPrefix }) },
            ScanIndexForward: options.newestFirst !== true,
            ConsistentRead: options.consistent === true,
            ...(projection === undefined
              ? {}
              : { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names }),
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

/** A ProjectionExpression naming `attributes` through placeholders (several are DynamoDB reserved words). */
export function projectionOf(attributes: readonly string[]): { expression: string; names: Record<string, string> } {
  const names = Object.fromEntries(attributes.map((name, index) => [`#p${index}`, name]));
  return { expression: Object.keys(names).join(", "), names };
}

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** A JSON text held in a string attribute, parsed; a corrupt item when it is not JSON. */
export function parseJsonAttribute(text: string, where: { pk: unknown; sk: unknown }): Item {
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
