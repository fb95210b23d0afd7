/**
 * The sync benchmark of one fake, in its own process: a synthetic year of `<postings>` posting lines served by the
 * fake Tripletex or PowerOffice Go over real HTTP on loopback (bench/syncFake.ts, its own process), synced through the
 * real `syncFromApi` into the real store (DynamoDB Local, in memory — its own JVM — as bench/e2e.ts's file pipeline),
 * then synced again with nothing changed. Measures
 * - the first sync: requests made (the import's provenance count), wall time, postings per second, the outcome;
 * - peak RSS of this process (the connector, the import pipeline and the SDK; not the fake, not DynamoDB Local), and
 *   its growth over the RSS once everything was set up (the baseline);
 * - the unchanged re-sync: its requests and wall time, and that it made no new version;
 * - the re-sync after `<new>` new postings booked in the year's last month (default 1 000): its requests, wall time,
 *   the windows it read from the API and its mode (incremental: the other months are kept from the first version).
 *
 * Usage: node bin/run-ts.js bench/sync.ts <tripletex|poweroffice> <postings> [<new>] — prints one JSON line
 * (bench/run.ts reads it). Exits non-zero when the first sync did not import the year, the re-sync was not
 * `unchanged`, or the re-sync after the new postings did not import them incrementally.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PowerOfficeGoConnector } from "../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import { TripletexConnector } from "../lib/connectors/tripletex/TripletexConnector.ts";
import { startDynamoDbLocal } from "../lib/local/dynamoDbLocal.ts";
import { ensureTable } from "../lib/local/ensureTable.ts";
import { createLocalDynamoDbClient } from "../lib/local/localClients.ts";
import { seedClient } from "../lib/local/seedClient.ts";
import { localDynamoDbClientConfig } from "../lib/local/stack/startLocalStack.ts";
import { syncFromApi, type SyncDeps, type SyncResult } from "../lib/imports/syncFromApi.ts";
import { EncryptedFileKeyVault } from "../lib/secrets/EncryptedFileKeyVault.ts";
import { Secret } from "../lib/secrets/Secret.ts";
import { createDynamoStores } from "../lib/store/createDynamoStores.ts";
import { BENCH_FAKE_KEYS } from "./syncFakeKeys.ts";

const [system, postingsText, newText] = process.argv.slice(2);
const postings = Number(postingsText);
const newPostings = Number(newText ?? 1_000);
if ((system !== "tripletex" && system !== "poweroffice") || !Number.isInteger(postings)) {
  console.error("usage: sync.ts <tripletex|poweroffice> <postings>");
  process.exit(2);
}
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";

const fake = spawn(process.execPath, ["bin/run-ts.js", "bench/syncFake.ts", system, String(postings)], {
  stdio: ["pipe", "pipe", "inherit"],
});
const fakeLines = createInterface({ input: fake.stdout! })[Symbol.asyncIterator]();
const fakeUrl = await new Promise<string>((resolve, reject) => {
  fake.once("exit", (code) => reject(new Error(`the fake exited (${code}) before it listened`)));
  void fakeLines.next().then(({ value }) => resolve((JSON.parse(value as string) as { url: string }).url));
});

/** Books `count` new postings in the fake's last month; resolves with how many it booked. */
async function bookNewPostings(count: number): Promise<number> {
  fake.stdin!.write(`${JSON.stringify({ add: count })}\n`);
  const { value } = await fakeLines.next();
  return (JSON.parse(value as string) as { added: number }).added;
}

const dataDir = await mkdtemp(join(tmpdir(), "saldo-bench-sync-"));
const dynamoDbLocal = await startDynamoDbLocal({ port: 0 });
const dynamo = createLocalDynamoDbClient(dynamoDbLocal.endpoint);
const tableName = "saldo-bench-sync";
await ensureTable(dynamo, { tableName });
const stores = createDynamoStores({ tableName, clientConfig: localDynamoDbClientConfig(dynamoDbLocal.endpoint) });
const keys = new EncryptedFileKeyVault({ directory: join(dataDir, "secrets"), masterKey: new Uint8Array(32).fill(3) });

const integration = system === "tripletex" ? "tripletex" : "poweroffice-go";
const connectors: SyncDeps["connectors"] =
  system === "tripletex"
    ? {
        tripletex: new TripletexConnector({
          baseUrl: fakeUrl,
          consumerToken: new Secret(BENCH_FAKE_KEYS.tripletexConsumerToken),
        }),
      }
    : {
        "poweroffice-go": new PowerOfficeGoConnector({
          applicationKey: BENCH_FAKE_KEYS.powerOfficeApplicationKey,
          subscriptionKey: BENCH_FAKE_KEYS.powerOfficeSubscriptionKey,
          baseUrl: fakeUrl,
        }),
      };
const deps = { ...stores, keys, connectors, retentionSeconds: 7 * 86_400 };
const ref = { tenantId: "bench", clientId: `synthetic-${system}`, engagementId: "2025" };
const trigger = { kind: "cli" as const, by: "bench" };

function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as (() => void) | undefined)?.();
}

async function timed(): Promise<{ result: SyncResult; seconds: number }> {
  const started = process.hrtime.bigint();
  const result = await syncFromApi(deps, { ref, trigger });
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

try {
  await seedClient(stores, { ...ref, name: "Syntetisk Volum AS", accountingSystem: integration }, [
    { engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 },
  ]);
  const keyRef = { tenantId: ref.tenantId, clientId: ref.clientId };
  if (integration === "tripletex")
    await keys.put({ ...keyRef, system: "tripletex" }, { employeeToken: BENCH_FAKE_KEYS.tripletexEmployeeToken });
  else await keys.put({ ...keyRef, system: "poweroffice-go" }, { clientKey: BENCH_FAKE_KEYS.powerOfficeClientKey });

  collectGarbage();
  const baselineRssBytes = process.memoryUsage().rss;
  const first = await timed();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  if (first.result.outcome !== "imported") {
    throw new Error(
      `the sync did not import the year: ${first.result.outcome} ${JSON.stringify(first.result.run.failure ?? first.result.run.heldFor ?? "")}`,
    );
  }
  const imported = first.result.run;
  // syntheticBooks gives `postings` lines, or up to 2 fewer (its vouchers come in a pattern of 3, 3, 2 and 2 lines).
  if ((imported.counts?.lines ?? 0) < postings - 2 || imported.counts?.totals.closing !== "0.00")
    throw new Error(`the sync imported ${JSON.stringify(imported.counts)} for ${postings} postings`);

  const again = await timed();
  if (again.result.outcome !== "unchanged") throw new Error(`the re-sync was ${again.result.outcome}, not unchanged`);
  const engagement = await stores.engagementStore.getEngagement(ref);

  const added = await bookNewPostings(newPostings);
  const incremental = await timed();
  const incrementalRun = incremental.result.run;
  const incrementalSource = incrementalRun.source.type === "api" ? incrementalRun.source : undefined;
  if (incremental.result.outcome !== "imported" || incrementalSource?.mode !== "incremental")
    throw new Error(
      `the re-sync after ${added} new postings was ${incremental.result.outcome} (${incrementalSource?.mode})`,
    );
  if ((incrementalRun.counts?.lines ?? 0) !== (imported.counts?.lines ?? 0) + added)
    throw new Error(
      `the incremental re-sync has ${incrementalRun.counts?.lines} lines, not ${imported.counts?.lines} + ${added}`,
    );

  console.log(
    JSON.stringify({
      system,
      postings: imported.counts?.lines ?? 0,
      vouchers: imported.counts?.transactions ?? 0,
      accounts: imported.counts?.accounts ?? 0,
      closingTotal: imported.counts?.totals.closing,
      requests: imported.source.type === "api" ? imported.source.requestCount : undefined,
      windows: imported.source.type === "api" ? imported.source.windows?.length : undefined,
      seconds: first.seconds,
      baselineRssBytes,
      peakRssBytes,
      resync: {
        outcome: again.result.outcome,
        requests: again.result.run.source.type === "api" ? again.result.run.source.requestCount : undefined,
        seconds: again.seconds,
        activeImportUnchanged: engagement?.activeImportId === imported.importId,
      },
      incremental: {
        added,
        outcome: incremental.result.outcome,
        mode: incrementalSource.mode,
        requests: incrementalSource.requestCount,
        windows: incrementalSource.windows?.length ?? 0,
        seconds: incremental.seconds,
        closingTotal: incrementalRun.counts?.totals.closing,
      },
    }),
  );
} finally {
  fake.stdin!.end();
  stores.close();
  dynamo.destroy();
  await dynamoDbLocal.stop();
  await rm(dataDir, { recursive: true, force: true });
}
