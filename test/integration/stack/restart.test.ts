import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { readActiveLedger } from "../../../lib/imports/readActiveLedger.ts";
import { startTestStack } from "./localStackFixture.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";

const demo = { tenantId: "demo", clientId: "fjellbekk", engagementId: "q1-2025" };
let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("restarting the local stack on the same data folder", () => {
  // Two full stack starts (two JVMs): about a minute on a loaded 2-core machine, so the limit is generous.
  it(
    "keeps clients, engagements, imports, trial balances and uploaded objects, and does not seed twice",
    { timeout: 180_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), "saldo-restart-"));
      const first = await startTestStack({ dataDir, seedDemo: true });
      let firstImportId: string | undefined;
      try {
        expect(first.stack.demo?.uploaded).toBe(true);
        const ledger = await readActiveLedger(first.stores, demo);
        expect(ledger.state).toBe("active");
        if (ledger.state === "active") firstImportId = ledger.run.importId;
      } finally {
        await first.stop();
      }
      expect(existsSync(join(dataDir, "stack.json"))).toBe(false);

      const second = await startTestStack({ dataDir, seedDemo: true });
      try {
        expect(second.stack.demo).toMatchObject({
          uploaded: false,
          latestImport: { importId: firstImportId, status: "succeeded" },
        });
        expect(await listAllImports(second.stores.importStore, demo)).toHaveLength(1);
        const ledger = await readActiveLedger(second.stores, demo);
        expect(ledger.state).toBe("active");
        if (ledger.state !== "active") return;
        expect(ledger.run.importId).toBe(firstImportId);
        expect(ledger.summary.rows).toHaveLength(11);
        // 2400 Leverandørgjeld in the sample: OpeningCreditBalance 43000.00, ClosingCreditBalance 25000.00.
        expect(ledger.summary.rows.find((row) => row.account === "2400")).toMatchObject({
          opening: -4_300_000n,
          closing: -2_500_000n,
        });
        const head = await second.s3.send(
          new HeadObjectCommand({
            Bucket: second.stack.bucketName,
            Key: "uploads/demo/fjellbekk/q1-2025/demo-saft-1.30.xml",
          }),
        );
        expect(head.ContentLength).toBe(9140);
      } finally {
        await second.stop();
      }
    },
  );
});
