import { InMemoryLedgerStore } from "../../../lib/store/InMemoryLedgerStore.ts";
import { ledgerStoreContract } from "./ledgerStoreContract.ts";

ledgerStoreContract("InMemoryLedgerStore", async (now) => {
  const store = new InMemoryLedgerStore({ now });
  return { store, dataExpiries: async (importId) => store.dataExpiries(importId) };
});
