/**
 * `npm run bench:web`: the web console at the scale (#11: "fast with 5 000 accounts and 1 M transaction
 * lines"). Generates a SAF-T file of `--accounts` accounts and `--lines` transaction lines (bench/generateSaft.ts,
 * dense profile, a third of the vouchers balanced on the bank account so one account has many lines), starts the
 * local stack with the console (temporary data folder, random ports), drops the file in the bucket and waits for the
 * import, then drives Debian's Chromium (playwright-core) and prints:
 * - trial balance: time from navigation to the first rows, rows in the DOM, time for a scroll to the last account to
 *   show it, time for the filter to find the last account, the page's JS heap (after a garbage collection);
 * - transactions of the busiest account: time to the first rows, time per further page of 500 lines (the API's
 *   cursor, loaded as the table is scrolled to its end), rows in the DOM and the JS heap after `--pages` pages.
 *
 * Options: --accounts (default 5 000), --lines (default 1 000 000), --pages (default 20), --dir (where the generated
 * file is kept and reused; default the OS temp folder). Prints figures; it is not a timed test. The machine's load
 * average is printed with them: on a shared machine they vary.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { chromium, type Page } from "playwright-core";
import { listAllImports } from "../lib/imports/listAllImports.ts";
import { createLocalS3Client } from "../lib/local/localClients.ts";
import { seedClient } from "../lib/local/seedClient.ts";
import { localDynamoDbClientConfig, startLocalStack } from "../lib/local/stack/startLocalStack.ts";
import { createDynamoStores } from "../lib/store/createDynamoStores.ts";
import { writeSaftFile } from "./generateSaft.ts";

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "5000" },
    lines: { type: "string", default: "1000000" },
    pages: { type: "string", default: "20" },
    dir: { type: "string", default: join(tmpdir(), "saldo-bench") },
  },
});
const accounts = Number(values.accounts);
const lines = Number(values.lines);
const pages = Number(values.pages);
const chromiumPath = process.env.SALDO_CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.error(`no Chromium at ${chromiumPath} (apt-get install chromium, or set SALDO_CHROMIUM)`);
  process.exit(2);
}

const LINES_PER_TRANSACTION = 3;
await mkdir(values.dir!, { recursive: true });
const file = join(values.dir!, `web-${accounts}-accounts-${lines}-lines.xml`);
if (!existsSync(file)) {
  console.log(`generating ${file} …`);
  await writeSaftFile(file, {
    transactions: Math.ceil(lines / LINES_PER_TRANSACTION),
    linesPerTransaction: LINES_PER_TRANSACTION,
    accounts,
    seed: 11,
    profile: "dense",
    busyAccountShare: 0.3,
  });
}

process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
const tenant = "bench";
const ref = { tenantId: tenant, clientId: "generated", engagementId: "fy2025" };
const dataDir = await mkdtemp(join(tmpdir(), "saldo-bench-web-"));
const stack = await startLocalStack({
  dataDir,
  dynamoDbPort: 0,
  s3Port: 0,
  httpPort: 0,
  sweepIntervalMs: 0,
  refreshIntervalMs: 0,
  web: { port: 0, autoSignIn: tenant },
});
const stores = createDynamoStores({
  tableName: stack.tableName,
  clientConfig: localDynamoDbClientConfig(stack.dynamoDbEndpoint),
});
const s3 = createLocalS3Client(stack.s3Endpoint);
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});

const seconds = (since: number) => (performance.now() - since) / 1000;
const ms = (since: number) => Math.round(performance.now() - since);

/** The page's used JS heap after a full garbage collection, in MB. */
async function heapMB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  await cdp.detach();
  return Math.round((usedSize / 1024 / 1024) * 10) / 10;
}

/**
 * Opens the trial balance: time to the first rows, rows in the DOM (at the top and scrolled to the end), time for a
 * scroll to the end to show the last account, time for the filter to find it, and the JS heap.
 */
async function measureTrialBalance(page: Page, base: string, accountIds: string[]) {
  let started = performance.now();
  await page.goto(`${base}/trial-balance`);
  const rows = page.getByTestId("trial-balance-rows");
  await rows.locator("[data-account]").first().waitFor({ timeout: 60_000 });
  const firstRowsMs = ms(started);
  const domRows = await rows.locator("[role=row]").count();
  const lastAccount = accountIds.at(-1)!;
  started = performance.now();
  await rows.evaluate((element) => {
    element.scrollTop = element.scrollHeight;
  });
  await rows.locator(`[data-account="${lastAccount}"]`).waitFor();
  const scrollToEndMs = ms(started);
  const domRowsAtEnd = await rows.locator("[role=row]").count();
  await rows.evaluate((element) => {
    element.scrollTop = 0;
  });
  started = performance.now();
  await page.getByRole("searchbox").fill(lastAccount);
  const matching = accountIds.filter((account) => account.startsWith(lastAccount)).length;
  await page.waitForFunction(
    `document.querySelectorAll('[data-testid="trial-balance-rows"] [data-account]').length === ${matching}`,
  );
  await rows.locator(`[data-account="${lastAccount}"]`).waitFor();
  const filterMs = ms(started);
  await page.getByRole("searchbox").fill("");
  await rows.locator("[data-account]").nth(10).waitFor();
  return { firstRowsMs, domRows, domRowsAtEnd, scrollToEndMs, filterMs, heapMB: await heapMB(page) };
}

try {
  await seedClient(stores, { ...ref, name: "Benk & Båt AS", accountingSystem: "other" }, [
    { engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 },
  ]);
  console.log(`importing ${(statSync(file).size / 1e6).toFixed(0)} MB through the bucket …`);
  const importStarted = performance.now();
  await s3.send(
    new PutObjectCommand({
      Bucket: stack.bucketName,
      Key: `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/bench.xml`,
      Body: createReadStream(file, { highWaterMark: 1024 * 1024 }),
      ContentLength: statSync(file).size,
    }),
  );
  await stack.waitForDeliveries();
  const importSeconds = seconds(importStarted);
  const [run] = await listAllImports(stores.importStore, ref);
  if (run?.status !== "succeeded")
    throw new Error(`the import did not succeed: ${JSON.stringify(run?.failure ?? run?.heldFor ?? run?.status)}`);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(300_000);
  const base = `${stack.webUrl}/clients/${ref.clientId}/engagements/${ref.engagementId}`;
  // Sign in (the console signs in as the bench tenant on first open) and load the app once, so the figures below
  // are those of opening a page in a running console, not of the first download of its script.
  await page.goto(`${stack.webUrl}/clients`);
  await page.getByTestId("tenant").getByText(tenant).waitFor();

  // Trial balance. The account numbers come from the store (the API's answer is what is measured).
  const accountIds = (await stores.importStore.readTrialBalance({ ...ref, importId: run.importId })).map(
    (row) => row.account,
  );
  const trialBalance = await measureTrialBalance(page, base, accountIds).catch(async (error: unknown) => ({
    error: `${error instanceof Error ? error.message.split("\n")[0] : String(error)}; the page says: ${
      (await page.getByRole("alert").allTextContents()).join(" ") || "nothing"
    }`,
  }));

  // Transactions of the busiest account (the bank: the first account of the chart).
  const busy = accountIds[0]!;
  let started = performance.now();
  await page.goto(`${base}/transactions?account=${busy}`);
  const txRows = page.getByTestId("transaction-rows");
  await txRows.locator("[data-voucher]").first().waitFor();
  const txFirstRowsMs = ms(started);
  const lineCount = page.getByTestId("line-count");
  const loaded = async () => Number.parseInt((await lineCount.textContent()) ?? "0", 10);
  const pageTimes: number[] = [];
  for (let n = 0; n < pages; n++) {
    const before = await loaded();
    if ((await lineCount.textContent())?.includes("·")) break;
    started = performance.now();
    await txRows.evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await page.waitForFunction(
      `parseInt(document.querySelector('[data-testid="line-count"]')?.textContent ?? "0", 10) > ${before}`,
    );
    pageTimes.push(ms(started));
  }
  const txLoaded = await loaded();
  const txDomRows = await txRows.locator("[role=row]").count();
  const txHeapMB = await heapMB(page);
  const median = [...pageTimes].sort((a, b) => a - b)[Math.floor(pageTimes.length / 2)] ?? 0;

  const figures = {
    accounts: run.counts?.accounts,
    lines: run.counts?.lines,
    importSeconds: Math.round(importSeconds * 10) / 10,
    trialBalance,
    transactions: {
      account: busy,
      firstRowsMs: txFirstRowsMs,
      pageOf500MedianMs: median,
      pageOf500MaxMs: Math.max(0, ...pageTimes),
      linesLoaded: txLoaded,
      domRows: txDomRows,
      heapMB: txHeapMB,
    },
    loadAverage: loadavg().map((load) => Math.round(load * 10) / 10),
  };
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await browser.close();
  s3.destroy();
  stores.close();
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
