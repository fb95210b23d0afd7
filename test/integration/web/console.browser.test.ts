import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOre } from "../../../lib/money/ore.ts";
import { ownFixture, sharedFixture, hasSharedFixtures } from "../../helpers/fixtures.ts";
import { ensureChromium } from "../../helpers/chromium.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, type ApiTestClient } from "../api/apiTestClient.ts";

/**
 * The web console end to end in a real browser (Debian's Chromium driven by playwright-core) against the local stack
 * on random ports: sign in, create a client and an engagement, drop a SAF-T file on the page (straight to S3 through
 * the presigned URL), follow the import, read the trial balance from the page and compare it with the API to the
 * øre, drill down to a voucher, export CSV and parse it back, store an integration key that is never shown again,
 * and see that another tenant sees nothing. Screenshots of each page go to SALDO_SCREENSHOT_DIR (default
 * .work/screenshots; docs/screenshots holds the committed ones).
 */
const root = resolve(import.meta.dirname, "..", "..", "..");
const screenshotDir = resolve(process.env.SALDO_SCREENSHOT_DIR ?? join(root, ".work", "screenshots"));
const chromiumReady = await ensureChromium();
if ("skip" in chromiumReady) console.warn(`[saldo tests] browser tests skipped: ${chromiumReady.skip}`);

const SHARED_SAFT = "saft/samples/skatteetaten_ExampleFile_SAF-T_Financial_888888888_20180228235959.xml";
const upload = hasSharedFixtures
  ? { path: sharedFixture(SHARED_SAFT), orgNumber: "888888888", name: "Tøyen Lekefabrikk AS", year: 2017 }
  : { path: ownFixture("saft/tiny-v130.xml"), orgNumber: "923609016", name: "Fjellbekk Snekkeri AS", year: 2025 };

/** A Norwegian figure as the page shows it (`-1 234,50`, no-break spaces) → øre. */
function oreOfCell(text: string): bigint {
  const plain = text.replace(/[\s\u00a0]/g, "").replace(",", ".");
  return plain === "" ? 0n : parseOre(plain);
}
const ore = (amount: string | null | undefined) => (amount ? parseOre(amount) : 0n);

describe.skipIf("skip" in chromiumReady)("web console in Chromium", { timeout: 180_000 }, () => {
  const local = useTestStack({ web: { port: 0 }, seedDemo: false });
  const tenant = "web-e2e";
  let browser: Browser;
  let page: Page;
  let api: ApiTestClient;
  let web: string;
  const ids = { clientId: "", engagementId: "" };

  const shot = async (name: string) => {
    await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
  };
  const engagementUrl = () => `${web}/clients/${ids.clientId}/engagements/${ids.engagementId}`;

  beforeAll(async () => {
    await mkdir(screenshotDir, { recursive: true });
    api = await apiTestClient(local());
    web = local().stack.webUrl!;
    browser = await chromium.launch({
      executablePath: (chromiumReady as { path: string }).path,
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(60_000);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("is served on its own origin, named in /health, allowed by the API's CORS (preflight too)", async () => {
    const health = (await (await fetch(`${local().stack.httpUrl}/health`)).json()) as { web?: { url: string } };
    expect(health.web?.url).toBe(web);
    const preflight = await fetch(`${local().stack.httpUrl}/clients`, {
      method: "OPTIONS",
      headers: {
        origin: web,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(web);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    const other = await fetch(`${local().stack.httpUrl}/clients`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "GET" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    // A token for the console's origin only: another origin is refused.
    const refused = await fetch(`${web}/local/token`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example" },
      body: JSON.stringify({ tenantId: tenant }),
    });
    expect(refused.status).toBe(403);
  });

  it("signs in with the local tenant picker and creates a client (org number checked) and an engagement", async () => {
    await page.goto(`${web}/clients`);
    await page.getByLabel("Leietaker").fill(tenant);
    await shot("sign-in");
    await page.getByRole("button", { name: "Logg inn" }).click();
    await page.getByRole("heading", { name: "Klienter", level: 1 }).waitFor();
    await expect(page.getByTestId("tenant").textContent()).resolves.toContain(tenant);

    await page.getByLabel("Navn").fill(upload.name);
    await page.getByLabel("Org.nr.").fill("123456789");
    await page.getByRole("button", { name: "Opprett" }).click();
    await page.getByText("Org.nr. har feil kontrollsiffer").waitFor();
    await page.getByLabel("Org.nr.").fill(upload.orgNumber);
    await page.getByRole("button", { name: "Opprett" }).click();
    await page.getByRole("link", { name: upload.name }).waitFor();
    await shot("clients");
    await page.getByRole("link", { name: upload.name }).click();
    await page.getByRole("heading", { name: upload.name, level: 1 }).waitFor();
    ids.clientId = decodeURIComponent(new URL(page.url()).pathname.split("/")[2]!);

    await page.getByLabel("Regnskapsår").fill(String(upload.year));
    await page.getByRole("button", { name: "Opprett" }).click();
    const engagementLink = page.getByTestId("engagements").getByRole("link").first();
    await engagementLink.waitFor();
    await shot("client");
    await engagementLink.click();
    await page.getByTestId("dropzone").waitFor();
    ids.engagementId = decodeURIComponent(new URL(page.url()).pathname.split("/")[4]!);
    const listed = await api.call("GET", `/clients/${ids.clientId}/engagements`, { tenant });
    expect(listed.json.items.map((e: { engagementId: string }) => e.engagementId)).toEqual([ids.engagementId]);
  });

  it("takes a SAF-T file dropped on the page straight to S3 and follows the import to its outcome", async () => {
    const bytes = await readFile(upload.path);
    const name = upload.path.split("/").pop()!;
    const dataTransfer = await page.evaluateHandle(
      ({ base64, fileName }) => {
        const binary = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        // In the page (DOM types are not in this project's Node lib).
        const dom = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: unknown): void } };
          File: new (parts: unknown[], name: string, options: { type: string }) => unknown;
        };
        const transfer = new dom.DataTransfer();
        transfer.items.add(new dom.File([binary], fileName, { type: "text/xml" }));
        return transfer;
      },
      { base64: bytes.toString("base64"), fileName: name },
    );
    await page.getByTestId("dropzone").dispatchEvent("drop", { dataTransfer });
    const outcome = page.getByTestId("import-outcome").locator("[data-status]");
    await page.getByTestId("import-outcome").locator('[data-status="succeeded"]').waitFor({ timeout: 120_000 });
    await expect(outcome.textContent()).resolves.toContain("aktiv");
    await shot("engagement-upload");
    const imports = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}/imports`, {
      tenant,
    });
    expect(imports.json.items).toHaveLength(1);
    expect(imports.json.items[0]).toMatchObject({
      status: "succeeded",
      active: true,
      source: { type: "file", fileName: name },
    });
  });

  it("shows the trial balance as the API has it, to the øre, with totals, a filter, and deep links that survive reload", async () => {
    await page.goto(`${engagementUrl()}/trial-balance`);
    const rows = page.getByTestId("trial-balance-rows");
    await rows.locator("[data-account]").first().waitFor();
    await page.reload();
    await rows.locator("[data-account]").first().waitFor();
    await shot("trial-balance");
    const expected = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}/trial-balance`, {
      tenant,
    });
    expect(expected.status).toBe(200);
    const accounts = expected.json.accounts as {
      account: string;
      opening: string | null;
      movement: string | null;
      closing: string;
    }[];

    // The table is virtualised: scroll it through and collect every row it renders.
    const seen = new Map<string, string[]>();
    for (let top = 0; ; top += 400) {
      const batch = await rows.evaluate((element, scrollTop) => {
        element.scrollTop = scrollTop;
        return [...element.querySelectorAll("[data-account]")].map((row) => [
          row.getAttribute("data-account")!,
          ...["opening", "movement", "closing"].map(
            (c) => row.querySelector(`[data-column="${c}"]`)!.textContent ?? "",
          ),
          row.getAttribute("data-flagged") ?? "",
        ]);
      }, top);
      await page.waitForFunction(() => true);
      for (const [account, ...cells] of batch) seen.set(account!, cells);
      const atEnd = await rows.evaluate(
        (element) => element.scrollTop + element.clientHeight >= element.scrollHeight - 1,
      );
      if (atEnd && seen.size >= accounts.length) break;
      if (top > accounts.length * 40 + 2000) break;
    }
    expect([...seen.keys()].sort()).toEqual(accounts.map((a) => a.account).sort());
    // Rows the validation report has a warning or error for are highlighted (none are for another reason here:
    // the engagement has no prior one).
    const warned = new Set(
      (expected.json.issues as { account?: string; severity: string }[])
        .filter((issue) => issue.account && issue.severity !== "info")
        .map((issue) => issue.account!),
    );
    expect(
      [...seen]
        .filter(([, cells]) => cells[3] === "true")
        .map(([account]) => account)
        .sort(),
    ).toEqual([...warned].sort());
    for (const account of accounts) {
      const [opening, movement, closing] = seen.get(account.account)!;
      expect({
        account: account.account,
        opening: oreOfCell(opening!),
        movement: oreOfCell(movement!),
        closing: oreOfCell(closing!),
      }).toEqual({
        account: account.account,
        opening: ore(account.opening),
        movement: ore(account.movement),
        closing: ore(account.closing),
      });
    }
    const totals = page.getByTestId("totals");
    expect(oreOfCell((await totals.locator('[data-column="closing"]').textContent()) ?? "")).toBe(
      ore(expected.json.totals.closing),
    );

    // Filter by account number: only that account's row, and totals of what is shown.
    const one = accounts.find((a) => ore(a.movement) !== 0n)!;
    await page.getByLabel("Filtrer på konto eller navn").fill(one.account);
    await expect
      .poll(async () =>
        rows.locator("[data-account]").evaluateAll((els) => els.map((e) => e.getAttribute("data-account"))),
      )
      .toEqual(accounts.filter((a) => a.account.startsWith(one.account)).map((a) => a.account));
    await page.getByLabel("Filtrer på konto eller navn").fill("");
  });

  it("exports the trial balance as CSV through the API (BOM, semicolons, decimal comma) that parses back to the same figures", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Eksporter CSV" }).click(),
    ]);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(bytes.toString("utf8"), { delimiter: ";", bom: true }) as string[][];
    const expected = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}/trial-balance`, {
      tenant,
    });
    const header = records[0]!;
    const closingColumn = header.findIndex((name) => /UB|Utgående/i.test(name));
    expect(closingColumn).toBeGreaterThan(0);
    for (const account of expected.json.accounts as { account: string; closing: string }[]) {
      const record = records.find((row) => row[0] === account.account);
      expect(record, account.account).toBeDefined();
      expect(oreOfCell(record![closingColumn]!)).toBe(parseOre(account.closing));
    }
  });

  it("exports the trial balance as XLSX through the API whose numeric cells read back (exceljs) to the API's figures to the øre", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Eksporter XLSX" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile((await download.path())!)) as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    const expected = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}/trial-balance`, {
      tenant,
    });
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    const column = (pattern: RegExp) => header.findIndex((name) => pattern.test(name));
    const figureColumns = [column(/\(IB\)/), column(/Bevegelse|Movement/), column(/\(UB\)/)];
    expect(Math.min(...figureColumns)).toBeGreaterThan(1);
    const cellOre = (value: unknown) =>
      value === null || value === undefined ? 0n : parseOre((value as number).toFixed(2));
    const accounts = expected.json.accounts as {
      account: string;
      opening: string | null;
      movement: string | null;
      closing: string;
    }[];
    const rows = new Map<string, bigint[]>();
    // The rows under the header, one per account, then the total row (SUM formulas with their values).
    for (let index = 2; index < 2 + accounts.length; index++) {
      const row = sheet.getRow(index);
      rows.set(
        String(row.getCell(1).value),
        figureColumns.map((c) => cellOre(row.getCell(c).value)),
      );
    }
    const totalRow = sheet.getRow(2 + accounts.length);
    const totalClosing = totalRow.getCell(figureColumns[2]!).value as { formula: string; result: number };
    expect(totalClosing.formula).toMatch(/^SUM\(/);
    expect(parseOre(totalClosing.result.toFixed(2))).toBe(ore(expected.json.totals.closing));
    expect([...rows.keys()].sort()).toEqual(accounts.map((a) => a.account).sort());
    for (const account of accounts)
      expect([account.account, ...rows.get(account.account)!]).toEqual([
        account.account,
        ore(account.opening),
        ore(account.movement),
        ore(account.closing),
      ]);
  });

  it("drills down from an account to its transactions and from a voucher to all its lines", async () => {
    const expected = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}/trial-balance`, {
      tenant,
    });
    const account = (expected.json.accounts as { account: string; movement: string | null }[]).find(
      (a) => ore(a.movement) !== 0n,
    )!;
    await page.goto(`${engagementUrl()}/trial-balance`);
    await page
      .getByTestId("trial-balance-rows")
      .getByRole("link", { name: account.account, exact: true })
      .first()
      .click();
    const lines = page.getByTestId("transaction-rows").locator("[data-voucher]");
    await lines.first().waitFor();
    await page.getByText("Alle linjer er hentet").waitFor();
    await shot("transactions");
    const amounts = await page.getByTestId("transaction-rows").locator('[data-column="amount"]').allTextContents();
    const apiLines = await api.call(
      "GET",
      `/clients/${ids.clientId}/engagements/${ids.engagementId}/transactions?account=${account.account}&limit=1000`,
      { tenant },
    );
    if (apiLines.json.items.length <= amounts.length)
      expect(amounts.reduce((sum, text) => sum + oreOfCell(text), 0n)).toBe(ore(account.movement));

    const voucher = (await lines.first().getAttribute("data-voucher"))!;
    await lines.first().getByRole("link", { name: voucher, exact: true }).click();
    await page.getByRole("heading", { name: new RegExp(`Bilag ${voucher}`) }).waitFor();
    await page.getByText("Alle linjer er hentet").waitFor();
    await shot("voucher");
    const voucherAmounts = await page
      .getByTestId("transaction-rows")
      .locator('[data-column="amount"]')
      .allTextContents();
    const apiVoucher = await api.call(
      "GET",
      `/clients/${ids.clientId}/engagements/${ids.engagementId}/transactions?voucher=${encodeURIComponent(voucher)}&limit=1000`,
      { tenant },
    );
    expect(voucherAmounts.map(oreOfCell)).toEqual(
      apiVoucher.json.items.map((line: { amount: string }) => parseOre(line.amount)),
    );
    expect(voucherAmounts.reduce((sum, text) => sum + oreOfCell(text), 0n)).toBe(0n);
  });

  it("lists the imports and shows an import's validation report grouped by code", async () => {
    await page.goto(`${engagementUrl()}/imports`);
    await page.getByTestId("imports").getByRole("link").first().click();
    await page.getByRole("heading", { name: "Valideringsrapport" }).waitFor();
    await shot("import");
    const importId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    const report = await api.call(
      "GET",
      `/clients/${ids.clientId}/engagements/${ids.engagementId}/imports/${importId}`,
      { tenant },
    );
    const codes = [...new Set((report.json.issues as { code: string }[]).map((issue) => issue.code))];
    const shown = await page.locator(".issue-group").evaluateAll((els) => els.map((e) => e.getAttribute("data-code")));
    expect(shown).toEqual(codes);
  });

  it("holds a file of another company, activates it after a confirmation, compares the versions and re-activates the first", async () => {
    const first = (await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}`, { tenant })).json
      .activeImportId as string;
    await page.goto(engagementUrl());
    const sample = await readFile(join(root, "samples", "demo-saft-1.30.xml"));
    // Nothing is lost on a failed upload: first the API answers an error (its problem is shown), then the presigned
    // PUT to S3 breaks off; each time "Prøv igjen" sends the same file again without choosing it anew.
    const beforeAttempts = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}/imports`, {
      tenant,
    });
    let apiRefusals = 0;
    await page.route(
      (url) => url.pathname.endsWith("/uploads"),
      async (route) => {
        if (route.request().method() !== "POST" || apiRefusals > 0) return route.fallback();
        apiRefusals++;
        await route.fulfill({
          status: 503,
          contentType: "application/problem+json",
          body: JSON.stringify({
            type: "about:blank",
            title: "Service Unavailable",
            status: 503,
            code: "SERVICE_UNAVAILABLE",
            detail: "The service is busy; try again in a moment",
          }),
        });
      },
    );
    let storageBreaks = 0;
    const s3Origin = new URL(local().stack.s3Endpoint).origin;
    await page.route(
      (url) => url.origin === s3Origin,
      async (route) => {
        if (route.request().method() !== "PUT" || storageBreaks > 0) return route.fallback();
        storageBreaks++;
        await route.abort("connectionreset");
      },
    );
    await page
      .getByLabel("Velg fil")
      .setInputFiles({ name: "other-company.xml", mimeType: "text/xml", buffer: sample });
    const failed = page.getByTestId("upload-failed");
    await failed.getByText("The service is busy; try again in a moment").waitFor();
    await expect(failed.textContent()).resolves.toContain("SERVICE_UNAVAILABLE");
    await failed.getByText("other-company.xml").waitFor();
    await failed.getByRole("button", { name: "Prøv igjen" }).click();
    await failed.getByText("Filen kom ikke fram til lagringen").waitFor();
    await shot("upload-retry");
    expect([apiRefusals, storageBreaks]).toEqual([1, 1]);
    await failed.getByRole("button", { name: "Prøv igjen" }).click();
    await page.getByTestId("import-outcome").locator('[data-status="held"]').waitFor({ timeout: 120_000 });
    await expect(page.getByTestId("import-outcome").textContent()).resolves.toContain("ORG_NUMBER_MISMATCH");
    await page.unrouteAll();
    // The failed attempts left no import behind; the retry made exactly one.
    const afterRetry = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}/imports`, {
      tenant,
    });
    expect(afterRetry.json.items).toHaveLength(beforeAttempts.json.items.length + 1);
    expect(afterRetry.json.items[0]).toMatchObject({ status: "held", source: { fileName: "other-company.xml" } });
    await page.getByTestId("import-outcome").getByRole("link").click();
    await page.getByRole("button", { name: "Aktiver" }).click();
    const dialog = page.getByRole("alertdialog");
    await expect(dialog.textContent()).resolves.toContain("ORG_NUMBER_MISMATCH");
    await shot("activate-confirm");
    await dialog.getByRole("button", { name: /Ja/ }).click();
    await page.locator("h1 [data-status]").getByText("aktiv").waitFor();
    const second = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    const engagement = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}`, { tenant });
    expect(engagement.json.activeImportId).toBe(second);

    await page.goto(`${engagementUrl()}/imports`);
    await page.getByRole("checkbox", { name: `Sammenlign ${first}` }).check();
    await page.getByRole("checkbox", { name: `Sammenlign ${second}` }).check();
    await page.getByRole("button", { name: "Sammenlign" }).click();
    await page.getByTestId("comparison").waitFor();
    await shot("compare");
    // The earlier version is "before" (`with`), the later one "after".
    expect(new URL(page.url()).pathname).toBe(
      `/clients/${ids.clientId}/engagements/${ids.engagementId}/imports/${second}/compare`,
    );
    expect(new URL(page.url()).searchParams.get("with")).toBe(first);
    const comparison = await api.call(
      "GET",
      `/clients/${ids.clientId}/engagements/${ids.engagementId}/imports/${second}/compare?with=${first}`,
      { tenant },
    );
    const rows = page.getByTestId("comparison").locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(comparison.json.accounts.length);
    for (const [index, row] of (
      comparison.json.accounts as { account: string; difference: { closing: string | null } }[]
    ).entries()) {
      const cells = await rows.nth(index).locator("td").allTextContents();
      expect([cells[0], oreOfCell(cells.at(-1)!)]).toEqual([row.account, ore(row.difference.closing)]);
    }

    await page.goto(`${engagementUrl()}/imports/${first}`);
    await page.getByRole("button", { name: "Aktiver" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: /Ja/ }).click();
    await page.locator("h1 [data-status]").getByText("aktiv").waitFor();
    const back = await api.call("GET", `/clients/${ids.clientId}/engagements/${ids.engagementId}`, { tenant });
    expect(back.json.activeImportId).toBe(first);
  });

  it("stores an integration key, shows its status, and never shows the key again", async () => {
    const secret = "demo-tripletex-ok";
    await page.goto(`${web}/clients`);
    await page.getByLabel("Navn").fill("Nordvik Bygg AS");
    await page.getByLabel("Org.nr.").fill("923456783");
    await page.getByLabel("Regnskapssystem").selectOption("tripletex");
    await page.getByRole("button", { name: "Opprett" }).click();
    await page.getByRole("link", { name: "Nordvik Bygg AS" }).click();
    await page.getByLabel("Ansattnøkkel (employee token) fra Tripletex").fill(secret);
    await page.getByRole("button", { name: "Lagre nøkkel" }).click();
    await page.getByText("Nøkkelen er lagret. Den vises aldri igjen.").waitFor();
    await page.getByTestId("integration-status").getByText("Nøkkel lagret").waitFor();
    await expect(page.getByLabel("Ansattnøkkel (employee token) fra Tripletex").inputValue()).resolves.toBe("");
    await shot("client-integration");
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.getByTestId("integration-status").getByText("Nøkkel lagret").waitFor();
    expect(await page.content()).not.toContain(secret);
    const storage = await page.evaluate(() => {
      const dom = globalThis as unknown as { localStorage: object; sessionStorage: object };
      return JSON.stringify({ ...dom.localStorage }) + JSON.stringify({ ...dom.sessionStorage });
    });
    expect(storage).not.toContain(secret);
  });

  it("syncs a connected client now and follows the sync to its figures", async () => {
    await page.getByLabel("Regnskapsår").fill("2025");
    await page.getByRole("button", { name: "Opprett" }).click();
    await page.getByTestId("engagements").getByRole("link").first().click();
    await page.getByRole("button", { name: "Synkroniser nå" }).click();
    await page.getByTestId("import-outcome").locator('[data-status="succeeded"]').waitFor({ timeout: 120_000 });
    await shot("sync");
    const clientId = decodeURIComponent(new URL(page.url()).pathname.split("/")[2]!);
    const engagementId = decodeURIComponent(new URL(page.url()).pathname.split("/")[4]!);
    const imports = await api.call("GET", `/clients/${clientId}/engagements/${engagementId}/imports`, { tenant });
    expect(imports.json.items[0]).toMatchObject({
      status: "succeeded",
      active: true,
      source: { type: "api", system: "tripletex" },
    });
    await page.getByRole("link", { name: "Saldobalanse" }).click();
    await page.getByTestId("trial-balance-rows").locator("[data-account]").first().waitFor();
    const expected = await api.call("GET", `/clients/${clientId}/engagements/${engagementId}/trial-balance`, {
      tenant,
    });
    const totals = page.getByTestId("totals");
    expect(oreOfCell((await totals.locator('[data-column="closing"]').textContent()) ?? "")).toBe(
      ore(expected.json.totals.closing),
    );
  });

  it("names each trial-balance column's source: the opening and movement from the sync, the closing computed", async () => {
    const clientId = decodeURIComponent(new URL(page.url()).pathname.split("/")[2]!);
    const engagementId = decodeURIComponent(new URL(page.url()).pathname.split("/")[4]!);
    const expected = await api.call("GET", `/clients/${clientId}/engagements/${engagementId}/trial-balance`, {
      tenant,
    });
    const plan = expected.json.sourcePlan as { opening: { from: { kind: string; importId: string | null } } };
    const sources = page.getByTestId("column-sources");
    const opening = sources.locator('[data-column="opening"]');
    await opening.locator(`[data-source-kind="${plan.opening.from.kind}"]`).waitFor();
    expect(plan.opening.from.kind).toBe("api");
    await expect(opening.getByRole("link").last().textContent()).resolves.toBe(plan.opening.from.importId);
    await sources.locator('[data-column="movement"] [data-source-kind="api"]').waitFor();
    await sources.locator('[data-column="closing"]').getByText("beregnet").waitFor();
  });

  it("shows the engagement's refresh record, closes and reopens it, and sets the client's refresh interval", async () => {
    const clientId = decodeURIComponent(new URL(page.url()).pathname.split("/")[2]!);
    const engagementId = decodeURIComponent(new URL(page.url()).pathname.split("/")[4]!);
    const engagementPath = `/clients/${clientId}/engagements/${engagementId}`;
    await page.goto(`${web}${engagementPath}`);
    await page.getByTestId("refresh-record").locator('[data-status="succeeded"]').waitFor();
    await page.getByTestId("data-as-of").waitFor();
    await page.getByTestId("reconciliation-status").locator("[data-reconciliation]").waitFor();
    await page.getByRole("button", { name: "Avslutt oppdraget" }).click();
    await page.getByTestId("closed-at").waitFor();
    await shot("engagement-refresh");
    const closed = await api.call("GET", engagementPath, { tenant });
    expect(closed.json.closedAt).toEqual(expect.any(String));
    await page.getByRole("button", { name: "Gjenåpne oppdraget" }).click();
    await page.getByRole("button", { name: "Avslutt oppdraget" }).waitFor();
    expect(await page.getByTestId("closed-at").count()).toBe(0);
    expect((await api.call("GET", engagementPath, { tenant })).json.closedAt).toBeNull();

    // The source plan: an explicit opening is saved as picked, "default" hands it back.
    const planPath = `${engagementPath}/source-plan`;
    await page.getByTestId("source-plan").locator('select[name="planOpening"]').selectOption("none");
    await expect
      .poll(async () => (await api.call("GET", planPath, { tenant })).json.opening, { timeout: 30_000 })
      .toMatchObject({ source: "none", chosenBy: "explicit" });
    await page.getByTestId("source-plan").locator('select[name="planOpening"]').selectOption("default");
    await expect
      .poll(async () => (await api.call("GET", planPath, { tenant })).json.opening, { timeout: 30_000 })
      .toMatchObject({ source: "api", chosenBy: "default" });
    // Whether a newer import may replace the active one: "no" is saved explicitly (the other parts stay default),
    // survives a reload, and "default" hands it back.
    const replace = page.getByTestId("source-plan").locator('select[name="planReplace"]');
    await replace.selectOption("false");
    await expect
      .poll(async () => (await api.call("GET", planPath, { tenant })).json, { timeout: 30_000 })
      .toMatchObject({
        replace: { value: false, chosenBy: "explicit" },
        opening: { chosenBy: "default" },
        movement: { chosenBy: "default" },
      });
    await page.reload();
    await expect(replace.inputValue()).resolves.toBe("false");
    await page.getByTestId("source-plan").locator('select[name="planOpening"]').selectOption("none");
    await expect
      .poll(async () => (await api.call("GET", planPath, { tenant })).json, { timeout: 30_000 })
      .toMatchObject({ replace: { value: false, chosenBy: "explicit" }, opening: { source: "none" } });
    await page.getByTestId("source-plan").locator('select[name="planOpening"]').selectOption("default");
    await replace.selectOption("default");
    await expect
      .poll(async () => (await api.call("GET", planPath, { tenant })).json, { timeout: 30_000 })
      .toMatchObject({ replace: { value: true, chosenBy: "default" }, opening: { chosenBy: "default" } });

    await page.goto(`${web}/clients/${clientId}`);
    await page.getByLabel("Automatisk oppdatering").selectOption("hourly");
    await page.getByTestId("interval-saved").waitFor();
    expect((await api.call("GET", `/clients/${clientId}`, { tenant })).json.refresh).toEqual({ interval: "hourly" });
    await page.reload();
    await expect(page.getByLabel("Automatisk oppdatering").inputValue()).resolves.toBe("hourly");
  });

  it("reconciles across years: the API's wrong opening shows on equity with its code, amount, sources and hint", async () => {
    await page.goto(`${web}/clients`);
    await page.getByLabel("Navn").fill("Havbris Restaurant AS");
    await page.getByLabel("Org.nr.").fill("934567897");
    await page.getByLabel("Regnskapssystem").selectOption("tripletex");
    await page.getByRole("button", { name: "Opprett" }).click();
    await page.getByRole("link", { name: "Havbris Restaurant AS" }).click();
    const clientUrl = page.url();
    await page.getByLabel("Ansattnøkkel (employee token) fra Tripletex").fill("demo-tripletex-wrong-ib");
    await page.getByRole("button", { name: "Lagre nøkkel" }).click();
    await page.getByText("Nøkkelen er lagret. Den vises aldri igjen.").waitFor();
    const engagementIds: string[] = [];
    for (const year of ["2024", "2025"]) {
      await page.goto(clientUrl);
      await page.getByLabel("Regnskapsår").fill(year);
      await page.getByRole("button", { name: "Opprett" }).click();
      await page
        .getByTestId("engagements")
        .locator("tr", { hasText: `31.12.${year}` })
        .getByRole("link")
        .first()
        .click();
      await page.waitForURL(/\/engagements\/[^/]+$/);
      engagementIds.push(decodeURIComponent(new URL(page.url()).pathname.split("/")[4]!));
      await page.getByRole("button", { name: "Synkroniser nå" }).click();
      await page.getByTestId("import-outcome").locator('[data-status="succeeded"]').waitFor({ timeout: 120_000 });
    }
    const clientId = decodeURIComponent(new URL(page.url()).pathname.split("/")[2]!);
    const engagementId = decodeURIComponent(new URL(page.url()).pathname.split("/")[4]!);
    const expected = await api.call("GET", `/clients/${clientId}/engagements/${engagementId}/reconciliation`, {
      tenant,
    });
    expect(expected.json.status).toBe("differences");
    const difference = (
      expected.json.differences as { code: string; account: string; amount: string; hint: string | null }[]
    ).find((d) => d.code === "OPENING_API_DIFFERS" && d.account === "2050")!;
    expect(difference.hint).toBe("RESULT_NOT_MOVED_TO_EQUITY");

    // The engagement page's badge links to the page.
    await page.reload();
    await page.getByTestId("reconciliation-status").locator('[data-reconciliation="differences"]').click();
    const row = page.locator(
      '[data-testid="reconciliation-table"] tr[data-code="OPENING_API_DIFFERS"][data-account="2050"]',
    );
    await row.waitFor();
    await expect(page.getByTestId("reconciliation-count").textContent()).resolves.toBe(String(expected.json.count));
    expect(oreOfCell((await page.getByTestId("reconciliation-total").textContent()) ?? "")).toBe(
      ore(expected.json.total),
    );
    expect(oreOfCell((await row.locator("td.num").textContent()) ?? "")).toBe(ore(difference.amount));
    await row
      .locator('[data-hint="RESULT_NOT_MOVED_TO_EQUITY"]')
      .getByText("ikke overført til egenkapitalen")
      .waitFor();
    await row.locator('[data-source-kind="api"]').waitFor();
    await row
      .locator('[data-source-kind="prior"]')
      .getByRole("link", { name: engagementIds[0], exact: true })
      .waitFor();
    await shot("reconciliation");
    await row.getByRole("link", { name: "2050", exact: true }).click();
    await page.waitForURL(/\/transactions\?account=2050$/);
  });

  it("shows another tenant nothing of the first tenant's, even by deep link", async () => {
    await page.getByRole("button", { name: "Logg ut" }).click();
    await page.getByLabel("Leietaker").fill("web-e2e-other");
    await page.getByRole("button", { name: "Logg inn" }).click();
    await page.getByTestId("tenant").getByText("web-e2e-other").waitFor();
    await page.goto(`${web}/clients`);
    await page.getByText("Ingen klienter ennå.").waitFor();
    await page.goto(`${engagementUrl()}/trial-balance`);
    await page.getByRole("alert").waitFor();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/NOT_FOUND|finnes ikke|not found/i);
    expect(await page.content()).not.toContain(upload.name);
    await shot("other-tenant");
  });

  it("speaks English when asked", async () => {
    await page.goto(`${web}/clients`);
    await page.getByLabel("Språk").selectOption("en");
    await page.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
    await page.getByLabel("Language").selectOption("nb");
    await page.getByRole("heading", { name: "Klienter", level: 1 }).waitFor();
  });
});
