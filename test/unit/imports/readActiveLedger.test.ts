import { describe, expect, it } from "vitest";
import { readActiveLedger } from "../../../lib/imports/readActiveLedger.ts";
import type { ImportRun } from "../../../lib/imports/types.ts";
import { LedgerJsonSchema, toLedgerJson } from "../../../lib/ledger/ledgerJson.ts";
import { createInMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { client, engagement, importRun, lease, newTenantId } from "../store/storeFixtures.ts";

/** An active import with the given file header (or none), read back as `saldo trial-balance` and the API see it. */
async function activeLedgerWith(header: ImportRun["header"]) {
  const stores = createInMemoryStores();
  const tenantId = newTenantId();
  const ref = { tenantId, clientId: "c1", engagementId: "fy2024" };
  await stores.engagementStore.createClient(client(tenantId, "c1"));
  await stores.engagementStore.createEngagement(engagement(tenantId, "c1", "fy2024"));
  const claim = await stores.importStore.claimImport(importRun(ref), lease("2025-01-10T10:30:00.000Z"));
  if (claim.outcome !== "claimed") throw new Error("expected a claim");
  const writer = stores.importStore.openImportWriter(claim.run);
  await writer.finish([]);
  const finished: ImportRun = {
    ...claim.run,
    status: "succeeded",
    finishedAt: "2025-01-10T10:01:00.000Z",
    format: "sie",
    formatVersion: "4E",
    encoding: "cp865",
    ...(header ? { header } : {}),
  };
  await stores.importStore.saveImport(finished);
  await stores.importStore.activateImport(finished, {
    orderKey: finished.orderKey,
    now: "2025-01-10T10:01:00.000Z",
    retentionSeconds: 3600,
  });
  const ledger = await readActiveLedger(stores, ref);
  if (ledger.state !== "active") throw new Error(`expected an active import, got ${ledger.state}`);
  return LedgerJsonSchema.parse(toLedgerJson(ledger.summary));
}

describe("readActiveLedger and the currency of the active import", () => {
  it("shows no currency (null) for a file that states none, rather than a made-up NOK", async () => {
    const json = await activeLedgerWith({ company: { orgNumber: "923609016" } });
    expect(json.currency).toBeNull();
  });

  it("shows the currency a file states", async () => {
    const json = await activeLedgerWith({ company: {}, currency: "SEK" });
    expect(json.currency).toBe("SEK");
  });

  it("takes NOK for an import without a file header (an accounting-system API import)", async () => {
    const json = await activeLedgerWith(undefined);
    expect(json.currency).toBe("NOK");
  });
});
