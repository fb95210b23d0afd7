import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import axe from "axe-core";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalIssuer } from "../../../lib/auth/localIssuer.ts";
import { DEMO } from "../../../lib/local/stack/seedDemo.ts";
import { ensureChromium } from "../../helpers/chromium.ts";
import { startTestOidcIssuer, type TestOidcIssuer, type TestOidcUser } from "../../helpers/testOidcIssuer.ts";
import { startTestStack, type TestStack } from "../stack/localStackFixture.ts";

/**
 * The console signed in as in the cloud, in a real browser: the local stack trusts an OIDC issuer (the test issuer on
 * loopback, oidc-provider) through the same settings a deployment has — issuer URL, audience, tenant claim for the
 * API's authorizer; issuer, public client id and scope in the console's `/config.json` — and the console signs in
 * there with the authorization code flow and PKCE. Also: the interface language, and an automated accessibility
 * check (axe-core) of the main pages.
 */
const root = resolve(import.meta.dirname, "..", "..", "..");
const screenshotDir = resolve(process.env.SALDO_SCREENSHOT_DIR ?? join(root, ".work", "screenshots"));
const chromiumReady = await ensureChromium();
if ("skip" in chromiumReady) console.warn(`[saldo tests] browser tests skipped: ${chromiumReady.skip}`);
const axeSource = axe.source;

/** What the page's functions use of the DOM (this project's Node lib has no DOM types). */
interface Dom {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  document: { documentElement: { lang: string } };
}

const CLIENT_ID = "saldo-web-test";
const AUDIENCE = "saldo-api";
const TENANT_CLAIM = "https://saldo.example/tenant";
const accountant: TestOidcUser = { subject: "kari@revisjon.example", tenantId: DEMO.ref.tenantId };
const stranger: TestOidcUser = { subject: "ola@annet-firma.example", tenantId: "annet-firma" };

describe.skipIf("skip" in chromiumReady)(
  "web console signed in at an OIDC issuer, in Chromium",
  { timeout: 180_000 },
  () => {
    let issuer: TestOidcIssuer;
    let local: TestStack;
    let browser: Browser;
    let web: string;
    const contexts: BrowserContext[] = [];

    /** A fresh browser profile: no session at the console, no session cookie at the issuer. */
    async function newPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      return page;
    }

    /** From the sign-in page through the issuer and back to `path`, signed in as `user`. */
    async function signIn(page: Page, user: TestOidcUser, path = "/clients"): Promise<void> {
      issuer.signInAs(user);
      await page.goto(`${web}${path}`);
      await page.getByRole("button", { name: "Logg inn med organisasjonens konto" }).click();
      await page.waitForURL((url) => url.origin === web && url.pathname === path);
      await page.getByTestId("tenant").waitFor();
    }

    async function apiGet(path: string, token: string) {
      const response = await fetch(`${local.stack.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    }

    /** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA rules). */
    async function accessibilityProblems(page: Page): Promise<string[]> {
      if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } })
          .axe;
        const result = (await axe.run((globalThis as unknown as Dom).document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        })) as {
          passes: unknown[];
          violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
        };
        if (result.passes.length === 0) throw new Error("axe-core checked nothing on this page");
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.map((n) => n.target.join(" ")),
        }));
      });
      return violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.slice(0, 5).join(", ")}`);
    }

    beforeAll(async () => {
      await mkdir(screenshotDir, { recursive: true });
      issuer = await startTestOidcIssuer({
        clientId: CLIENT_ID,
        audience: AUDIENCE,
        tenantClaim: TENANT_CLAIM,
        user: accountant,
      });
      local = await startTestStack({
        seedDemo: true,
        web: { port: 0 },
        oidc: {
          issuer: issuer.issuer,
          audience: AUDIENCE,
          tenantClaim: TENANT_CLAIM,
          clientId: CLIENT_ID,
          scope: "openid",
        },
      });
      web = local.stack.webUrl!;
      browser = await chromium.launch({
        executablePath: (chromiumReady as { path: string }).path,
        args: ["--no-sandbox", "--disable-dev-shm-usage"],
      });
    }, 150_000);
    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser?.close();
      await local?.stop();
      if (local) await rm(local.dataDir, { recursive: true, force: true });
      await issuer?.stop();
    }, 60_000);

    it("tells the console to sign in at the issuer (no local token route) and the API trusts only that issuer", async () => {
      const config = (await (await fetch(`${web}/config.json`)).json()) as { auth: Record<string, unknown> };
      expect(config.auth).toEqual({
        kind: "oidc",
        issuer: issuer.issuer,
        clientId: CLIENT_ID,
        scope: "openid",
        audience: AUDIENCE,
        tenantClaim: TENANT_CLAIM,
      });
      const localRoute = await fetch(`${web}/local/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenantId: "demo" }),
      });
      expect(localRoute.status).not.toBe(200);
      // A token of the stack's own local issuer (what `saldo token` prints) is not accepted any more.
      const localToken = await (await openLocalIssuer({ dataDir: local.dataDir })).issueToken({ tenantId: "demo" });
      const refused = await apiGet("/clients", localToken);
      expect(refused.status).toBe(401);
      expect(refused.json.code).toBe("AUTH_INVALID_TOKEN");
    });

    it("signs in with the authorization code flow and PKCE, comes back to the deep link and shows the tenant's clients", async () => {
      const page = await newPage();
      const deepLink = `/clients/${DEMO.ref.clientId}`;
      await page.goto(`${web}${deepLink}`);
      await page.getByRole("button", { name: "Logg inn med organisasjonens konto" }).waitFor();
      // OIDC mode has no tenant picker: the tenant is the token's claim.
      await expect(page.getByLabel("Leietaker").count()).resolves.toBe(0);
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.screenshot({ path: join(screenshotDir, "oidc-sign-in.png") });

      const before = issuer.authorizations.length;
      await signIn(page, accountant, deepLink);
      const authorization = issuer.authorizations[before]!;
      expect(Object.fromEntries(authorization)).toMatchObject({
        client_id: CLIENT_ID,
        response_type: "code",
        code_challenge_method: "S256",
        redirect_uri: `${web}/auth/callback`,
        scope: "openid",
      });
      expect(authorization.get("code_challenge")).toMatch(/^[\w-]{43}$/);
      await page.getByRole("heading", { name: DEMO.client.name, level: 1 }).waitFor();
      await expect(page.getByTestId("tenant").textContent()).resolves.toContain(DEMO.ref.tenantId);

      // The token the console holds is the issuer's, for the API's audience, naming the tenant; the API agrees.
      const token = await page.evaluate(
        () => JSON.parse((globalThis as unknown as Dom).sessionStorage.getItem("saldo.session")!).accessToken as string,
      );
      const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<
        string,
        unknown
      >;
      expect(payload).toMatchObject({
        iss: issuer.issuer,
        aud: AUDIENCE,
        sub: accountant.subject,
        [TENANT_CLAIM]: "demo",
      });
      const clients = await apiGet("/clients", token);
      expect(clients.status).toBe(200);
      const names = (clients.json.items as { name: string }[]).map((c) => c.name);
      expect(names).toContain(DEMO.client.name);
      await page.goto(`${web}/clients`);
      for (const name of names) await page.getByRole("link", { name }).waitFor();
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.screenshot({ path: join(screenshotDir, "oidc-clients.png") });

      // Sign-out ends the session in this tab and at the issuer (RP-initiated logout), which sends the browser back
      // to the console's start page: the sign-in page says so, and a reload stays signed out.
      const logout = issuer.logouts;
      await page.getByRole("button", { name: "Logg ut" }).click();
      await page.waitForURL(`${web}/`);
      await expect(page.getByTestId("signin-notice").textContent()).resolves.toBe("Du er logget ut.");
      expect(issuer.logouts).toBe(logout + 1);
      expect(
        await page.evaluate(() => (globalThis as unknown as Dom).sessionStorage.getItem("saldo.session")),
      ).toBeNull();
      await page.reload();
      await page.getByRole("button", { name: "Logg inn med organisasjonens konto" }).waitFor();
      await expect(page.getByTestId("tenant").count()).resolves.toBe(0);
      // The issuer's session is gone too: the next sign-in in this browser is whoever signs in now.
      await signIn(page, stranger, "/clients");
      await page.getByText("Ingen klienter ennå.").waitFor();
    });

    it("shows a user of another tenant none of the demo tenant's clients", async () => {
      const page = await newPage();
      await signIn(page, stranger);
      await expect(page.getByTestId("tenant").textContent()).resolves.toContain(stranger.tenantId);
      await page.getByText("Ingen klienter ennå.").waitFor();
      await expect(page.getByRole("link", { name: DEMO.client.name }).count()).resolves.toBe(0);
      // Nor by its URL.
      await page.goto(`${web}/clients/${DEMO.ref.clientId}`);
      await page.getByRole("alert").waitFor();
      await expect(page.getByRole("heading", { name: DEMO.client.name }).count()).resolves.toBe(0);
    });

    it("takes an expired token back to sign-in with a readable message, and signs in again to the same page", async () => {
      const page = await newPage();
      // A token the issuer signed that expired a minute ago, in a session the tab still believes in (its clock
      // disagrees): the API answers 401 AUTH_EXPIRED.
      const expired = await issuer.mintAccessToken(accountant, new Date(Date.now() - 60_000));
      expect((await apiGet("/clients", expired)).json.code).toBe("AUTH_EXPIRED");
      await page.goto(`${web}/`);
      await page.evaluate(
        (token) =>
          (globalThis as unknown as Dom).sessionStorage.setItem(
            "saldo.session",
            JSON.stringify({ accessToken: token, tenantId: "demo", expiresAt: Date.now() + 3600_000 }),
          ),
        expired,
      );
      await page.goto(`${web}/clients`);
      await expect(page.getByTestId("signin-notice").textContent()).resolves.toBe(
        "Økten din er utløpt. Logg inn igjen.",
      );
      issuer.signInAs(accountant);
      await page.getByRole("button", { name: "Logg inn med organisasjonens konto" }).click();
      await page.getByTestId("tenant").filter({ hasText: accountant.tenantId }).waitFor();
      expect(page.url()).toBe(`${web}/clients`);
      await page.getByRole("link", { name: DEMO.client.name }).waitFor();
    });

    it("speaks bokmål by default and English when picked; figures and dates as the README states for each", async () => {
      const page = await newPage();
      const path = `/clients/${DEMO.ref.clientId}/engagements/${DEMO.ref.engagementId}/trial-balance`;
      await signIn(page, accountant, path);
      const token = await page.evaluate(
        () => JSON.parse((globalThis as unknown as Dom).sessionStorage.getItem("saldo.session")!).accessToken as string,
      );
      const expected = await apiGet(path, token);
      const accounts = expected.json.accounts as { account: string; closing: string }[];
      const withThousands = accounts.find((a) => /^-?\d{4,}\./.test(a.closing))!;
      expect(withThousands).toBeDefined();
      const cell = page.locator(`[data-account="${withThousands.account}"] [data-column="closing"]`);

      await expect(page.evaluate(() => (globalThis as unknown as Dom).document.documentElement.lang)).resolves.toBe(
        "nb",
      );
      await page.getByRole("heading", { name: "Saldobalanse 01.01.2025–31.03.2025", level: 1 }).waitFor();
      const norwegian = (await cell.textContent())!;
      expect(norwegian).toMatch(/^-?\d{1,3}(\u00a0\d{3})+,\d{2}$/);
      expect(norwegian.replace(/\u00a0/g, "").replace(",", ".")).toBe(withThousands.closing);
      expect(await accessibilityProblems(page)).toEqual([]);

      await page.getByLabel("Språk").selectOption("en");
      await page.getByRole("heading", { name: "Trial balance 01.01.2025–31.03.2025", level: 1 }).waitFor();
      await expect(page.evaluate(() => (globalThis as unknown as Dom).document.documentElement.lang)).resolves.toBe(
        "en",
      );
      const english = (await cell.textContent())!;
      expect(english).toMatch(/^-?\d{1,3}(,\d{3})+\.\d{2}$/);
      expect(english.replace(/,/g, "")).toBe(withThousands.closing);
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      await page.screenshot({ path: join(screenshotDir, "oidc-trial-balance-en.png") });
      // The choice is kept: a reload stays in English.
      await page.reload();
      await page.getByRole("heading", { name: "Trial balance 01.01.2025–31.03.2025", level: 1 }).waitFor();
      await page.getByLabel("Language").selectOption("nb");
      await page.getByRole("heading", { name: "Saldobalanse 01.01.2025–31.03.2025", level: 1 }).waitFor();
    });

    it("has no serious accessibility violations on the client card, the engagement and its imports", async () => {
      const page = await newPage();
      const engagement = `/clients/${DEMO.ref.clientId}/engagements/${DEMO.ref.engagementId}`;
      await signIn(page, accountant, `/clients/${DEMO.ref.clientId}`);
      await page.getByRole("heading", { name: DEMO.client.name, level: 1 }).waitFor();
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.goto(`${web}${engagement}`);
      await page.getByTestId("dropzone").waitFor();
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.goto(`${web}${engagement}/imports`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      expect(await accessibilityProblems(page)).toEqual([]);
    });
  },
);
