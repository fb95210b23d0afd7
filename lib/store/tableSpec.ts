import type { CreateTableCommandInput, UpdateTimeToLiveCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * The single DynamoDB table of saldo, as plain data.
 *
 * Why plain data: the same description drives the cloud table (infra/storage.ts, which may not import lib/ — it
 * repeats these names as literals and test/unit/infra/ asserts they equal this spec) and the local table that
 * lib/local/ensureTable.ts creates in DynamoDB Local. Keys are generic (`pk`/`sk`, `gsi1pk`/`gsi1sk`) because the
 * single-table layout puts tenants, clients, engagements, imports and their rows in one table (issue #3).
 */
export const TABLE_SPEC = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  globalSecondaryIndexes: [
    {
      name: "gsi1",
      partitionKey: { name: "gsi1pk", type: "S" },
      sortKey: { name: "gsi1sk", type: "S" },
      projection: "ALL",
    },
  ],
  /** Epoch seconds; DynamoDB TTL deletes items some time after this instant (superseded import versions). */
  ttlAttribute: "expiresAt",
  /** On-demand capacity: imports are bursty (one 2 GB file, then nothing for days). */
  billingMode: "PAY_PER_REQUEST",
  pointInTimeRecovery: true,
} as const satisfies TableSpec;

/** A DynamoDB key attribute: name and scalar type (S string, N number, B binary). */
export interface KeyAttributeSpec {
  readonly name: string;
  readonly type: "S" | "N" | "B";
}

/** A global secondary index with a composite key and a full projection. */
export interface GlobalSecondaryIndexSpec {
  readonly name: string;
  readonly partitionKey: KeyAttributeSpec;
  readonly sortKey: KeyAttributeSpec;
  readonly projection: "ALL" | "KEYS_ONLY";
}

/** Plain-data description of a DynamoDB table with a composite primary key. */
export interface TableSpec {
  readonly partitionKey: KeyAttributeSpec;
  readonly sortKey: KeyAttributeSpec;
  readonly globalSecondaryIndexes: readonly GlobalSecondaryIndexSpec[];
  readonly ttlAttribute: string;
  readonly billingMode: "PAY_PER_REQUEST";
  readonly pointInTimeRecovery: boolean;
}

/**
 * The `CreateTable` request for a table named `tableName` following `spec`.
 *
 * TTL and point-in-time recovery are not part of `CreateTable` in the DynamoDB API; see {@link toTimeToLiveInput}.
 */
export function toCreateTableInput(tableName: string, spec: TableSpec = TABLE_SPEC): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttributeSpec>();
  for (const attribute of [
    spec.partitionKey,
    spec.sortKey,
    ...spec.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]) {
    attributes.set(attribute.name, attribute);
  }
  return {
    TableName: tableName,
    BillingMode: spec.billingMode,
    AttributeDefinitions: [...attributes.values()].map((attribute) => ({
      AttributeName: attribute.name,
      AttributeType: attribute.type,
    })),
    KeySchema: [
      { AttributeName: spec.partitionKey.name, KeyType: "HASH" },
      { AttributeName: spec.sortKey.name, KeyType: "RANGE" },
    ],
    // DynamoDB rejects an empty list ("GSI list is empty/invalid"): leave the field out when there is no index.
    ...(spec.globalSecondaryIndexes.length === 0
      ? {}
      : {
          GlobalSecondaryIndexes: spec.globalSecondaryIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: "HASH" as const },
              { AttributeName: index.sortKey.name, KeyType: "RANGE" as const },
            ],
            Projection: { ProjectionType: index.projection },
          })),
        }),
  };
}

/** The `UpdateTimeToLive` request that enables TTL on `spec.ttlAttribute`. */
export function toTimeToLiveInput(tableName: string, spec: TableSpec = TABLE_SPEC): UpdateTimeToLiveCommandInput {
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
  };
}
