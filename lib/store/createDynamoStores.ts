import { DynamoEngagementStore } from "./DynamoEngagementStore.ts";
import { DynamoImportStore, type DynamoImportStoreOptions } from "./DynamoImportStore.ts";
import { DynamoTable, type DynamoTableOptions } from "./dynamo/DynamoTable.ts";

/** Options of {@link createDynamoStores}: the table and its client, and the import store's. */
export type DynamoStoresOptions = DynamoTableOptions & DynamoImportStoreOptions;

/** Both stores on one DynamoDB table and one SDK client. */
export interface DynamoStores {
  engagementStore: DynamoEngagementStore;
  importStore: DynamoImportStore;
  /** Destroys the SDK client when the stores created it. */
  close(): void;
}

/**
 * The EngagementStore and the ImportStore on saldo's one table, sharing one SDK client: what every composition root
 * (the functions, the CLI, the local stack) builds.
 */
export function createDynamoStores(options: DynamoStoresOptions): DynamoStores {
  const table = new DynamoTable(options);
  return {
    engagementStore: new DynamoEngagementStore({ table }),
    importStore: new DynamoImportStore({ ...options, table }),
    close: () => table.close(),
  };
}
