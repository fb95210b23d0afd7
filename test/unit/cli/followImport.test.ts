import { describe, expect, it } from "vitest";
import { followImport, type ImportProgressView } from "../../../lib/cli/followImport.ts";
import { InMemoryLedgerStore } from "../../../lib/store/InMemoryLedgerStore.ts";
import { client, engagement, importRun, newTenantId } from "../store/storeFixtures.ts";

async function setup() {
  const store = new InMemoryLedgerStore({ now: () => new Date("2025-01-10T10:00:00.000Z") });
  const tenantId = newTenantId();
  const ref = { tenantId, clientId: "acme", engagementId: "2024" };
  await store.createClient(client(tenantId, "acme"));
  await store.createEngagement(engagement(tenantId, "acme", "2024"));
  const claim = await store.claimImport(importRun(ref), "2025-01-10T10:15:00.000Z");
  if (claim.outcome !== "claimed") throw new Error("expected a claim");
  return { store, ref, run: claim.run };
}

describe("following an upload's import", () => {
  it("reports the running import's progress on every poll and returns it once it has ended", async () => {
    const { store, ref, run } = await setup();
    const seen: ImportProgressView[] = [];
    const pauses: number[] = [];
    const ended = await followImport(
      store,
      ref,
      { key: run.source.type === "file" ? run.source.key : "", etag: "abc123", notBefore: 0, timeoutMs: 60_000 },
      (progress) => seen.push(progress),
      {
        sleep: async (ms) => {
          pauses.push(ms);
          if (pauses.length === 3) await store.saveImport({ ...run, status: "succeeded", finishedAt: "2025-01-10T10:01:00.000Z" });
        },
      },
    );
    expect(ended).toMatchObject({ importId: run.importId, status: "succeeded" });
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatchObject({ status: "running", size: 1234 });
    expect(pauses).toEqual([200, 300, 450]);
  });

  it("does not take another upload's import (other ETag) for this one, and gives up after the timeout", async () => {
    const { store, ref, run } = await setup();
    await store.saveImport({ ...run, status: "succeeded" });
    let clock = 0;
    await expect(
      followImport(
        store,
        ref,
        { key: run.source.type === "file" ? run.source.key : "", etag: "other", notBefore: 0, timeoutMs: 5_000 },
        () => {},
        { now: () => clock, sleep: async (ms) => void (clock += ms) },
      ),
    ).rejects.toMatchObject({ code: "IMPORT_WAIT_TIMEOUT", message: expect.stringContaining("has not started") });
  });
});
