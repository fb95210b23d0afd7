import { PutObjectCommand } from "@aws-sdk/client-s3";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSaft } from "../../../bench/generateSaft.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";
import { seedClient } from "../../../lib/local/seedClient.ts";
import { parseOre } from "../../../lib/money/ore.ts";
import { ensureChromium } from "../../helpers/chromium.ts";
import { collect } from "../../helpers/fixtures.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, type ApiTestClient } from "../api/apiTestClient.ts";

/**
 * The console at scale (issue #11: "fast with 5 000 accounts … virtualised tables, paged loading"): a chart of 5 000
 * accounts (bench/generateSaft.ts) whose bank account has well over one page of lines. The trial balance keeps a
 * bounded number of rows in the DOM whatever the number of accounts, scrolls to the last account and its filter finds
 * it; the bank's transactions load page by page with the API's cursor as the table is scrolled, again with a bounded
 * DOM. `npm run bench:web` measures the same pages at 1 M lines (README "Web console").
 */
const chromiumReady = await ensureChromium();
if ("skip" in chromiumReady) console.warn(`[saldo tests] browser tests skipped: ${chromiumReady.skip}`);

const ACCOUNTS = 5_000;
/** Rows a virtualised table may hold: what fits in its 600 px (32 px rows) plus the overscan on both sides. */
const MAX_DOM_ROWS = 60;
const oreOfCell = (text: string) => parseOre(text.replace(/[\s\u00a0]/g, "").replace(",", ".") || "0");

describe.skipIf("skip" in chromiumReady)("web console with 5 000 accounts", { timeout: 600_000 }, () => {
  const tenant = "web-scale";
  const local = useTestStack({ web: { port: 0, autoSignIn: tenant }, seedDemo: false, sweepIntervalMs: 0 });
  const ref = { tenantId: tenant, clientId: "big", engagementId: "fy2025" };
  let browser: Browser;
  let page: Page;
  let api: ApiTestClient;
  let base: string;
  const engagementPath = `/clients/${ref.clientId}/engagements/${ref.engagementId}`;

  beforeAll(async () => {
    api = await apiTestClient(local());
    const { stores, s3, stack } = local();
    await seedClient(stores, { ...ref, name: "Benk & Båt AS", accountingSystem: "other" }, [
      { engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 },
    ]);
    const file = Buffer.concat(
      await collect(
        generateSaft({
          transactions: 2_400,
          accounts: ACCOUNTS,
          seed: 11,
          profile: "dense",
          busyAccountShare: 0.5,
        }),
      ),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: stack.bucketName,
        Key: `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/big.xml`,
        Body: file,
      }),
    );
    await stack.waitForDeliveries();
    const [run] = await listAllImports(stores.importStore, ref);
    expect(run?.status).toBe("succeeded");

    browser = await chromium.launch({
      executablePath: (chromiumReady as { path: string }).path,
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(120_000);
    base = `${stack.webUrl}${engagementPath}`;
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("keeps the trial balance's DOM bounded, scrolls to the last account and filters to it, to the øre", async () => {
    const expected = await api.call("GET", `${engagementPath}/trial-balance`, { tenant });
    const accounts = expected.json.accounts as { account: string; closing: string }[];
    expect(accounts).toHaveLength(ACCOUNTS);
    await page.goto(`${base}/trial-balance`);
    const rows = page.getByTestId("trial-balance-rows");
    await rows.locator("[data-account]").first().waitFor();
    await expect(page.getByTestId("trial-balance").getAttribute("aria-rowcount")).resolves.toBe(String(ACCOUNTS + 2));
    const atTop = await rows.locator("[role=row]").count();
    expect(atTop).toBeGreaterThan(10);
    expect(atTop).toBeLessThanOrEqual(MAX_DOM_ROWS);

    const last = accounts.at(-1)!;
    await rows.evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    const lastRow = rows.locator(`[data-account="${last.account}"]`);
    await lastRow.waitFor();
    expect(await rows.locator("[role=row]").count()).toBeLessThanOrEqual(MAX_DOM_ROWS);
    expect(await rows.locator(`[data-account="${accounts[0]!.account}"]`).count()).toBe(0);
    expect(oreOfCell((await lastRow.locator('[data-column="closing"]').textContent()) ?? "")).toBe(
      parseOre(last.closing),
    );

    await rows.evaluate((element) => {
      element.scrollTop = 0;
    });
    await page.getByLabel("Filtrer på konto eller navn").fill(last.account);
    const wanted = accounts.filter((a) => a.account.startsWith(last.account)).map((a) => a.account);
    await expect
      .poll(() => rows.locator("[data-account]").evaluateAll((els) => els.map((e) => e.getAttribute("data-account"))), {
        timeout: 60_000,
      })
      .toEqual(wanted);
    const shownTotal = await page.getByTestId("totals").locator('[data-column="closing"]').textContent();
    expect(oreOfCell(shownTotal ?? "")).toBe(
      accounts.filter((a) => wanted.includes(a.account)).reduce((sum, a) => sum + parseOre(a.closing), 0n),
    );
  });

  it("loads the bank account's lines a page at a time with the cursor as the table scrolls, the DOM bounded", async () => {
    const bank = (await api.call("GET", `${engagementPath}/trial-balance`, { tenant })).json.accounts[0].account;
    let total = 0;
    let cursor: string | null = null;
    do {
      const answer: { json: { items: unknown[]; nextCursor: string | null } } = await api.call(
        "GET",
        `${engagementPath}/transactions?account=${bank}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { tenant },
      );
      total += answer.json.items.length;
      cursor = answer.json.nextCursor;
    } while (cursor);
    expect(total).toBeGreaterThan(1_000);

    const pages: string[] = [];
    page.on("request", (request) => {
      // The API's answers only (not the console's own page, whose URL has the same path).
      if (request.url().startsWith(`${local().stack.httpUrl}/`) && request.url().includes("/transactions?"))
        pages.push(request.url());
    });
    await page.goto(`${base}/transactions?account=${bank}`);
    const rows = page.getByTestId("transaction-rows");
    const count = page.getByTestId("line-count");
    await expect.poll(() => count.textContent(), { timeout: 120_000 }).toBe("500 linjer");
    for (let round = 0; round < 20 && !((await count.textContent()) ?? "").includes("Alle linjer"); round++) {
      const before = Number.parseInt((await count.textContent()) ?? "0", 10);
      await rows.evaluate((element) => {
        element.scrollTop = element.scrollHeight;
      });
      await expect
        .poll(async () => Number.parseInt((await count.textContent()) ?? "0", 10), { timeout: 120_000 })
        .toBeGreaterThan(before);
      expect(await rows.locator("[role=row]").count()).toBeLessThanOrEqual(MAX_DOM_ROWS);
    }
    await expect.poll(() => count.textContent(), { timeout: 120_000 }).toContain("Alle linjer er hentet");
    expect(Number.parseInt((await count.textContent()) ?? "0", 10)).toBe(total);
    // One request a page of 500, never the same page twice, each after the first with the previous answer's cursor.
    expect(pages).toHaveLength(Math.ceil(total / 500));
    expect(new Set(pages).size).toBe(pages.length);
    expect(pages.slice(1).every((url) => new URL(url).searchParams.has("cursor"))).toBe(true);
    expect(new URL(pages[0]!).searchParams.has("cursor")).toBe(false);
  });
});
