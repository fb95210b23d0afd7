import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import type { ImportRun } from "../../../lib/imports/types.ts";
import { useTestStack } from "./localStackFixture.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";

const samplePath = join(resolve(import.meta.dirname, "..", "..", ".."), "samples", "demo-saft-1.30.xml");
const ref = { tenantId: "firm-sweep", clientId: "fjellbekk", engagementId: "q1" };
// Only explicit sweeps here (the timer is covered by the same function); start-up ran one on an empty table.
const stack = useTestStack({ sweepIntervalMs: 0 });

describe("local stack: the import sweeper", () => {
  it("re-queues an attempt that died and delivers its event again; the handler takes it over and imports the file", async () => {
    const { stack: running, stores, s3 } = stack();
    await stack().createEngagement(ref);
    const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/demo.xml`;
    const put = await s3.send(
      new PutObjectCommand({ Bucket: running.bucketName, Key: key, Body: await readFile(samplePath) }),
    );
    await running.waitForDeliveries();
    const [first] = await listAllImports(stores.importStore, ref);
    expect(first).toMatchObject({ status: "succeeded", attempts: 1 });

    // An attempt that died: claimed (as the handler claims a later event of the same object), its lease long gone.
    const sequencer = "FFFFFFFFFFFFFFFF";
    const eventTime = new Date(Date.now() + 1_000).toISOString();
    const dead: ImportRun = {
      ...ref,
      importId: "01DEADATTEMPT0000000000000",
      status: "running",
      source: {
        type: "file",
        bucket: running.bucketName,
        key,
        fileName: "demo.xml",
        etag: put.ETag!.replace(/"/g, ""),
        sequencer,
        size: 9140,
      },
      sourceId: `s3:${running.bucketName}/${key}##${sequencer}`,
      orderKey: `${eventTime}#${sequencer.padStart(32, "0")}`,
      trigger: { kind: "s3-event" },
      createdAt: new Date().toISOString(),
      startedAt: new Date().toISOString(),
    };
    await stores.importStore.claimImport(dead, {
      owner: "killed-process",
      until: new Date(Date.now() - 60_000).toISOString(),
    });

    const report = await running.sweep();
    expect(report).toMatchObject({ requeued: [dead.importId], failed: [], errors: [] });
    const swept = await stores.importStore.getImport({ ...ref, importId: dead.importId });
    expect(swept).toMatchObject({ status: "succeeded", attempts: 2, format: "saft", counts: { lines: 14 } });
    expect((await stores.engagementStore.getEngagement(ref))?.activeImportId).toBe(dead.importId);
    expect(await stores.importStore.getImport({ ...ref, importId: first!.importId })).toMatchObject({
      status: "superseded",
    });
    // Nothing is left for the next sweep.
    expect(await running.sweep()).toMatchObject({ requeued: [], failed: [], errors: [] });
  });
});
