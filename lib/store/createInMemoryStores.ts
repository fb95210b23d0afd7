import { InMemoryEngagementStore } from "./InMemoryEngagementStore.ts";
import { InMemoryImportStore, type InMemoryImportStoreOptions } from "./InMemoryImportStore.ts";

/** Both in-memory stores, over the same engagements. */
export interface InMemoryStores {
  engagementStore: InMemoryEngagementStore;
  importStore: InMemoryImportStore;
}

/** An EngagementStore and an ImportStore in process memory that see each other's engagements, for unit tests. */
export function createInMemoryStores(options: InMemoryImportStoreOptions = {}): InMemoryStores {
  const engagementStore = new InMemoryEngagementStore();
  return { engagementStore, importStore: new InMemoryImportStore(engagementStore, options) };
}
