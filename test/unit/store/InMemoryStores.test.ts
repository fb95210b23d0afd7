import { createInMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { storeContract } from "./storeContract.ts";

storeContract("InMemory stores", async (now) => {
  const stores = createInMemoryStores({ now });
  return { stores, dataExpiries: async (importId) => stores.importStore.dataExpiries(importId) };
});
