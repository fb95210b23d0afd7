import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { keys } from "../../../lib/store/dynamo/keys.ts";

/** Reads and fault-injection helpers for the DynamoDB store tests, straight on the table (not through the store). */

/** Every item of an import's `IMP#…#TB` partition and every chunk item (chunk 0, 1, … until one is missing). */
export async function importDataItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  importId: string,
): Promise<{ table: Record<string, unknown>[]; chunks: Record<string, unknown>[] }> {
  const table: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.importTablePk(importId) },
        ConsistentRead: true,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    table.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  const chunks: Record<string, unknown>[] = [];
  for (let chunk = 0; ; chunk++) {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: keys.chunk(importId, chunk), ConsistentRead: true }),
    );
    if (Item === undefined) break;
    chunks.push(Item);
  }
  return { table, chunks };
}

/** A fault the injector plays on matching requests. */
export type Fault = "unprocessed" | "throttle" | "pass";

/**
 * Adds a middleware to `client` that, for each request of `commandName` (e.g. "BatchWriteItem"), asks `plan` (with
 * the 1-based call number) what to do: answer that every item is unprocessed, throw a ThrottlingException as the
 * service would, or pass. In the `initialize` step it runs once per command, outside the SDK's retry middleware; in
 * the `deserialize` step once per attempt the SDK makes, inside it. Returns the calls seen.
 */
export function injectFaults(
  client: DynamoDBClient,
  commandName: string,
  plan: (call: number) => Fault,
  /**
   * `initialize` (the default) fails a command once, before the SDK's retries; `deserialize` fails each attempt the
   * SDK's retry middleware makes (a throttle there is what the client's own retries see).
   */
  step: "initialize" | "deserialize" = "initialize",
): { calls: number; faults: number } {
  const seen = { calls: 0, faults: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!String(context.commandName ?? "").startsWith(commandName)) return next(args);
      seen.calls++;
      const fault = plan(seen.calls);
      if (fault === "pass") return next(args);
      seen.faults++;
      if (fault === "throttle") {
        throw Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
          name: "ThrottlingException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
        });
      }
      // Before the document client marshals: the items are plain objects here, as the store will get them back.
      const input = args.input as { RequestItems: Record<string, unknown[]> };
      return { output: { UnprocessedItems: input.RequestItems, $metadata: {} }, response: {} } as never;
    },
    // The same middleware in either step: it reads only `input`, which both steps' arguments carry.
    { step: step as "initialize", name: `saldoFaultInjection${commandName}`, override: true },
  );
  return seen;
}

/**
 * Counts the chunk items read through `client` (GetItem on an `IMP#…#CH#n` key), whatever reads them. Runs in the
 * `initialize` step, where a document client's key is still plain (`pk` a string); a raw client's is marshalled.
 */
export function countChunkReads(client: DynamoDBClient): { chunks: number } {
  const seen = { chunks: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "GetCommand" || context.commandName === "GetItemCommand") {
        const key = (args.input as { Key?: { pk?: string | { S?: string } } }).Key;
        const pk = typeof key?.pk === "string" ? key.pk : key?.pk?.S;
        if (pk !== undefined && /#CH#\d+$/.test(pk)) seen.chunks++;
      }
      return next(args);
    },
    { step: "initialize", name: "saldoChunkReadCounter", override: true },
  );
  return seen;
}

/**
 * Follows the requests of `commandName` (e.g. "BatchWrite") in flight through `client`; `settled()` resolves once
 * none is. Lets a test wait for a writer's background writes to land instead of sleeping and hoping they have.
 */
export function trackInFlight(client: DynamoDBClient, commandName: string): { settled: () => Promise<void> } {
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!String(context.commandName ?? "").startsWith(commandName)) return next(args);
      inFlight++;
      try {
        return await next(args);
      } finally {
        inFlight--;
        if (inFlight === 0) for (const wake of waiters.splice(0)) wake();
      }
    },
    { step: "initialize", name: `saldoInFlight${commandName}`, override: true },
  );
  const settled = async (): Promise<void> => {
    // A batch that came back with unprocessed items is sent again a turn later: settled means still idle after one.
    for (;;) {
      if (inFlight > 0) await new Promise<void>((wake) => waiters.push(wake));
      await new Promise((next) => setImmediate(next));
      if (inFlight === 0) return;
    }
  };
  return { settled };
}
