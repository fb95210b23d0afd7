import { describe, expect, it } from "vitest";
import { followImport, type ImportProgressView } from "../../../lib/cli/followImport.ts";
import { createInMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { client, engagement, importRun, newTenantId } from "../store/storeFixtures.ts";

async function setup() {
  const stores = createInMemoryStores({ now: () => new Date("2025-01-10T10:00:00.000Z") });
  const tenantId = newTenantId();
  const ref = { tenantId, clientId: "acme", engagementId: "2024" };
  await stores.engagementStore.createClient(client(tenantId, "acme"));
  await stores.engagementStore.createEngagement(engagement(tenantId, "acme", "2024"));
  const claim = await stores.importStore.claimImport(importRun(ref), {
    owner: "test-attempt",
    until: "2025-01-10T10:15:00.000Z",
  });
  if (claim.outcome !== "claimed") throw new Error("expected a claim");
  return { stores, ref, run: claim.run };
}

describe("following an upload's import", () => {
  it("reports the running import's progress on every poll and returns it once it has ended", async () => {
    const { stores, ref, run } = await setup();
    const seen: ImportProgressView[] = [];
    const pauses: number[] = [];
    const ended = await followImport(
      stores.importStore,
      ref,
      { key: run.source.type === "file" ? run.source.key : "", etag: "abc123", notBefore: 0, timeoutMs: 60_000 },
      (progress) => seen.push(progress),
      {
        sleep: async (ms) => {
          pauses.push(ms);
          // What the running import's heartbeat records (the import lifecycle's `progress`).
          if (pauses.length === 1) {
            const progress = { bytesRead: 600, size: 1234, lines: 42, updatedAt: "2025-01-10T10:00:30.000Z" };
            await stores.importStore.saveImport({ ...run, progress } as typeof run);
          }
          if (pauses.length === 3)
            await stores.importStore.saveImport({
              ...run,
              status: "succeeded",
              finishedAt: "2025-01-10T10:01:00.000Z",
            });
        },
      },
    );
    expect(ended).toMatchObject({ importId: run.importId, status: "succeeded" });
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ status: "running", size: 1234 });
    expect(seen[1]).toEqual({ status: "running", bytesRead: 600, size: 1234, lines: 42 });
    expect(pauses).toEqual([200, 300, 450]);
  });

  it("returns at once an import that has already ended, whatever its final status", async () => {
    const { stores, ref, run } = await setup();
    await stores.importStore.saveImport({
      ...run,
      status: "failed",
      failure: { code: "FORMAT_TRUNCATED", message: "cut" },
    });
    const seen: ImportProgressView[] = [];
    const ended = await followImport(
      stores.importStore,
      ref,
      { key: run.source.type === "file" ? run.source.key : "", notBefore: 0, timeoutMs: 1 },
      (progress) => seen.push(progress),
    );
    expect(ended).toMatchObject({ status: "failed" });
    expect(seen).toEqual([]);
  });

  it("does not take another upload's import (other ETag) for this one, and gives up after the timeout", async () => {
    const { stores, ref, run } = await setup();
    await stores.importStore.saveImport({ ...run, status: "succeeded" });
    let clock = 0;
    await expect(
      followImport(
        stores.importStore,
        ref,
        { key: run.source.type === "file" ? run.source.key : "", etag: "other", notBefore: 0, timeoutMs: 5_000 },
        () => {},
        { now: () => clock, sleep: async (ms) => void (clock += ms) },
      ),
    ).rejects.toMatchObject({ code: "IMPORT_WAIT_TIMEOUT", message: expect.stringContaining("has not started") });
  });
});
