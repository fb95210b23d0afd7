import { describe, expect, it } from "vitest";
import { generateSaft } from "../../../bench/generateSaft.ts";
import { importFile } from "../../../lib/imports/importFile.ts";
import { toTrialBalanceViewJson } from "../../../lib/imports/importViews.ts";
import { getTrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import { seedClient } from "../../../lib/local/seedClient.ts";
import { createDynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { useTestEmulators } from "../../helpers/emulators.ts";
import { collect } from "../../helpers/fixtures.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { newTenantId } from "../../unit/store/storeFixtures.ts";

/**
 * The trial-balance read at the console's scale against DynamoDB Local: imports a generated SAF-T file (bench/web.ts's
 * profile: dense, a third of the vouchers on the bank) of `SALDO_VIEW_BENCH_ACCOUNTS` accounts and
 * `SALDO_VIEW_BENCH_LINES` lines, then times `readTrialBalance` and `getTrialBalanceView` + its JSON (median of
 * `SALDO_VIEW_BENCH_RUNS`) and prints the JSON's size. Opt-in:
 * `SALDO_VIEW_BENCH=1 npx vitest run test/integration/store/trialBalanceView.bench.test.ts` (README "At scale").
 */
const accounts = Number(process.env.SALDO_VIEW_BENCH_ACCOUNTS ?? 5_000);
const lines = Number(process.env.SALDO_VIEW_BENCH_LINES ?? 30_000);
const runs = Number(process.env.SALDO_VIEW_BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe.skipIf(process.env.SALDO_VIEW_BENCH === undefined)("trial-balance view benchmark", () => {
  const emulators = useTestEmulators();

  it(`reads the trial balance of ${accounts} accounts and ${lines} lines`, { timeout: 1_800_000 }, async () => {
    const stores = createDynamoStores({ tableName: emulators().tableName, client: emulators().dynamo });
    const ref = { tenantId: newTenantId("bench"), clientId: "generated", engagementId: "fy2025" };
    await seedClient(stores, { ...ref, name: "Benk & Båt AS", accountingSystem: "other" }, [
      { engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 },
    ]);
    const files = new MemoryFileSource();
    const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/bench.xml`;
    files.objects.set(
      key,
      Buffer.concat(
        await collect(
          generateSaft({
            transactions: Math.ceil(lines / 3),
            accounts,
            seed: 11,
            profile: "dense",
            busyAccountShare: 0.3,
          }),
        ),
      ),
    );
    const imported = await importFile(
      { ...stores, files, retentionSeconds: 3600, now: () => new Date() },
      { bucket: "b", key, sequencer: "0001", eventTime: new Date().toISOString(), trigger: { kind: "s3-event" } },
    );
    if (imported.outcome !== "imported") throw new Error(`the import ended ${imported.outcome}`);

    const readMs: number[] = [];
    const viewMs: number[] = [];
    let json = "";
    for (let run = 0; run < runs; run++) {
      let started = performance.now();
      const rows = await stores.importStore.readTrialBalance(imported.run);
      readMs.push(performance.now() - started);
      expect(rows).toHaveLength(accounts);
      started = performance.now();
      json = JSON.stringify(toTrialBalanceViewJson(await getTrialBalanceView(stores, ref)));
      viewMs.push(performance.now() - started);
    }
    const report = {
      accounts,
      lines: imported.run.counts?.lines,
      readTrialBalanceMs: Math.round(median(readMs)),
      viewMs: Math.round(median(viewMs)),
      viewMsAll: viewMs.map(Math.round),
      jsonMegabytes: Number((json.length / 1e6).toFixed(2)),
    };
    console.log(JSON.stringify(report));
    expect(JSON.parse(json).accounts).toHaveLength(accounts);
  });
});
