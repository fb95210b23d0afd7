import { describe, expect, it } from "vitest";
import { generateSaft } from "../../../bench/generateSaft.ts";
import { parseFile } from "../../../lib/formats/parseFile.ts";
import { LedgerSummarizer } from "../../../lib/ledger/summarizeLedger.ts";
import { createDynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { useTestEmulators } from "../../helpers/emulators.ts";
import {
  client,
  engagement,
  importRun,
  makeTransaction,
  newTenantId,
  trialBalanceOf,
  lease,
} from "../../unit/store/storeFixtures.ts";

/**
 * Write throughput of DynamoImportStore into DynamoDB Local, and items and bytes per 1 000 lines. Opt-in (it takes
 * a while): `SALDO_STORE_BENCH=1 SALDO_STORE_BENCH_LINES=1000000 npx vitest run test/integration/store/DynamoImportStore.bench.test.ts`
 */
const lines = Number(process.env.SALDO_STORE_BENCH_LINES ?? 200_000);

describe.skipIf(process.env.SALDO_STORE_BENCH === undefined)("DynamoImportStore write benchmark", () => {
  const emulators = useTestEmulators();

  it(`writes ${lines} lines`, { timeout: 1_800_000 }, async () => {
    const stores = createDynamoStores({ tableName: emulators().tableName, client: emulators().dynamo });
    const tenantId = newTenantId("bench");
    await stores.engagementStore.createClient(client(tenantId, "acme"));
    await stores.engagementStore.createEngagement(engagement(tenantId, "acme", "2024"));
    const claim = await stores.importStore.claimImport(
      importRun({ tenantId, clientId: "acme", engagementId: "2024" }),
      lease("2099-01-01T00:00:00.000Z"),
    );
    if (claim.outcome !== "claimed") throw new Error("expected a claim");

    const writer = stores.importStore.openImportWriter(claim.run);
    const transactions = Math.ceil(lines / 3.5);
    let written = 0;
    let peakRss = process.memoryUsage().rss;
    const sample = [];
    const startedAt = performance.now();
    for (let index = 0; index < transactions; index++) {
      const transaction = makeTransaction(index, transactions);
      written += transaction.lines.length;
      if (index < 200) sample.push(transaction);
      await writer.addTransaction(transaction);
      if (index % 10_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const statistics = await writer.finish(trialBalanceOf(sample));
    const seconds = (performance.now() - startedAt) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    const report = {
      lines: written,
      seconds: Number(seconds.toFixed(1)),
      linesPerSecond: Math.round(written / seconds),
      items: statistics.items,
      chunks: statistics.chunks,
      itemsPer1000Lines: Number(((statistics.items / written) * 1000).toFixed(3)),
      bytesPer1000Lines: Math.round((statistics.bytes / written) * 1000),
      megabytesWritten: Number((statistics.bytes / 1e6).toFixed(1)),
      peakRssMb: Math.round(peakRss / 1e6),
    };
    console.log(JSON.stringify(report));
    expect(report.itemsPer1000Lines).toBeLessThanOrEqual(10);
  });

  it(`writes ${lines} lines of a generated SAF-T file, parsed on the way`, { timeout: 1_800_000 }, async () => {
    const stores = createDynamoStores({ tableName: emulators().tableName, client: emulators().dynamo });
    const tenantId = newTenantId("bench");
    const claim = await stores.importStore.claimImport(
      importRun({ tenantId, clientId: "acme", engagementId: "2024" }),
      lease("2099-01-01T00:00:00.000Z"),
    );
    if (claim.outcome !== "claimed") throw new Error("expected a claim");
    const writer = stores.importStore.openImportWriter(claim.run);
    const summarizer = new LedgerSummarizer();
    let written = 0;
    let peakRss = process.memoryUsage().rss;
    const startedAt = performance.now();
    const { records } = await parseFile(generateSaft({ transactions: Math.ceil(lines / 3), accounts: 300 }));
    for await (const record of records) {
      summarizer.add(record);
      if (record.type !== "transaction") continue;
      written += record.transaction.lines.length;
      await writer.addTransaction(record.transaction);
      if (written % 30_000 < 3) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const statistics = await writer.finish(summarizer.finish().rows);
    const seconds = (performance.now() - startedAt) / 1000;
    const report = {
      source: "generated SAF-T 1.30 via parseFile",
      lines: written,
      seconds: Number(seconds.toFixed(1)),
      linesPerSecond: Math.round(written / seconds),
      items: statistics.items,
      chunks: statistics.chunks,
      itemsPer1000Lines: Number(((statistics.items / written) * 1000).toFixed(3)),
      bytesPer1000Lines: Math.round((statistics.bytes / written) * 1000),
      megabytesWritten: Number((statistics.bytes / 1e6).toFixed(1)),
      peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1e6),
    };
    console.log(JSON.stringify(report));
    expect(report.itemsPer1000Lines).toBeLessThanOrEqual(10);
  });
});
