import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { TABLE_SPEC, toCreateTableInput, toTimeToLiveInput, type TableSpec } from "../store/tableSpec.ts";
import { LocalResourceError } from "./errors.ts";

/** Which table {@link ensureTable} makes sure of: a name and the plain-data spec (default: saldo's table). */
export interface TableDefinition {
  tableName: string;
  spec?: TableSpec;
}

/**
 * Creates the table unless it exists, waits until it is ACTIVE, and enables TTL on the spec's attribute; safe to call
 * on every start (a persisted DynamoDB Local keeps the table) and from concurrent processes.
 *
 * Point-in-time recovery is not set here: it is a cloud backup feature DynamoDB Local does not implement; infra/
 * turns it on for the real table.
 *
 * @returns whether this call created the table.
 * @throws LocalResourceError `TABLE_SCHEMA_MISMATCH` when a table of that name exists with other keys or indexes
 * (e.g. a data folder from an older saldo), `TABLE_SETUP_FAILED` when DynamoDB refuses.
 */
export async function ensureTable(
  dynamoClient: DynamoDBClient,
  definition: TableDefinition,
): Promise<{ created: boolean }> {
  const { tableName } = definition;
  const spec = definition.spec ?? TABLE_SPEC;
  try {
    let created = false;
    let table = await describeTable(dynamoClient, tableName);
    if (table === undefined) {
      try {
        await dynamoClient.send(new CreateTableCommand(toCreateTableInput(tableName, spec)));
        created = true;
      } catch (error) {
        // Lost a race with another process creating it: fine, check what it created below.
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitUntilTableExists(
        { client: dynamoClient, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
        { TableName: tableName },
      );
      table = await describeTable(dynamoClient, tableName);
    }
    assertMatchesSpec(tableName, table, spec);

    const ttl = await dynamoClient.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const ttlDescription = ttl.TimeToLiveDescription;
    const ttlEnabled =
      ttlDescription?.AttributeName === spec.ttlAttribute &&
      (ttlDescription.TimeToLiveStatus === "ENABLED" || ttlDescription.TimeToLiveStatus === "ENABLING");
    if (!ttlEnabled) await dynamoClient.send(new UpdateTimeToLiveCommand(toTimeToLiveInput(tableName, spec)));
    return { created };
  } catch (error) {
    if (error instanceof LocalResourceError) throw error;
    const detail = error instanceof Error ? error.message || error.name : String(error);
    throw new LocalResourceError("TABLE_SETUP_FAILED", `Could not set up the table "${tableName}": ${detail}`, {
      cause: error,
      context: { tableName },
    });
  }
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

function assertMatchesSpec(tableName: string, table: TableDescription | undefined, spec: TableSpec): void {
  const expected = toCreateTableInput(tableName, spec);
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
    (schema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`).join(",");
  const actualIndexes = new Map(
    (table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, keys(index.KeySchema)]),
  );
  const problems: string[] = [];
  if (keys(table?.KeySchema) !== keys(expected.KeySchema)) {
    problems.push(`key schema is ${keys(table?.KeySchema) || "unknown"}, expected ${keys(expected.KeySchema)}`);
  }
  for (const index of expected.GlobalSecondaryIndexes ?? []) {
    const actual = actualIndexes.get(index.IndexName);
    if (actual !== keys(index.KeySchema)) {
      problems.push(`index ${index.IndexName} is ${actual ?? "missing"}, expected ${keys(index.KeySchema)}`);
    }
  }
  if (problems.length > 0) {
    throw new LocalResourceError(
      "TABLE_SCHEMA_MISMATCH",
      `The table "${tableName}" exists but does not match saldo's table spec: ${problems.join("; ")}. ` +
        "Delete the local data folder (SALDO_DATA_DIR) or the table to recreate it.",
      { context: { tableName, problems } },
    );
  }
}
