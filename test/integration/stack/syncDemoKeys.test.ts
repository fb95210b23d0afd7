import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ImportSummarySchema } from "../../../lib/imports/importReports.ts";
import { LedgerJsonSchema, type LedgerJson } from "../../../lib/ledger/ledgerJson.ts";
import {
  demoCompanyBooks,
  reportedBalancesBefore,
  type DemoCompanySlug,
  type DemoKey,
} from "../../../lib/local/fakes/demoBooks.ts";
import { LocalStackHealthSchema } from "../../../lib/local/stack/healthRoute.ts";
import { formatOre, parseOre } from "../../../lib/money/ore.ts";
import { runSaldo, userEnvironment } from "../../helpers/saldoCli.ts";
import { spawnSaldoStart, type SpawnedStack } from "../../helpers/saldoStart.ts";

/**
 * The issue's "Done when": from a clean start of the real local stack (`saldo start` in its own process, as
 * `npm start` runs it), `saldo connect` + `saldo engagement create --year 2025` + `saldo sync` for each demo key gives a
 * trial balance that sums to zero and whose figures are the fake's books to the øre; a second `saldo sync` is
 * `unchanged` and costs the fake at most 5 requests.
 */

const YEAR_2025 = { start: "2025-01-01", end: "2025-12-31" };
/** Each step runs the CLI in its own process on a machine that may be busy. */
const STEP_TIMEOUT_MS = 240_000;

let dataDir: string;
let stack: SpawnedStack | undefined;
let httpUrl: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "saldo-sync-e2e-"));
  stack = spawnSaldoStart({
    ...userEnvironment(),
    SALDO_DATA_DIR: dataDir,
    PORT: "0",
    SALDO_DYNAMODB_PORT: "0",
    SALDO_S3_PORT: "0",
    SALDO_TRIPLETEX_PORT: "0",
    SALDO_POWEROFFICE_GO_PORT: "0",
    SALDO_WEB_PORT: "0",
    SALDO_SEED_DEMO: "false",
    POWERTOOLS_LOG_LEVEL: "WARN",
  });
  await stack.ready;
  httpUrl = /HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stack.output.join("\n"))![1]!;
}, 180_000);

afterAll(async () => {
  // Ctrl-C, then SIGKILL if it has not stopped within 30 s: no stack (and no JVM) outlives the file.
  await stack?.stop("SIGINT");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const saldo = (args: string[]) => runSaldo(args, { dataDir });

async function fakeRequests(): Promise<{ tripletex: number; "poweroffice-go": number }> {
  const health = LocalStackHealthSchema.parse(await (await fetch(`${httpUrl}/health`)).json());
  return { tripletex: health.fakes.tripletex.requests, "poweroffice-go": health.fakes["poweroffice-go"].requests };
}

const ConnectJsonSchema = z.object({
  system: z.enum(["poweroffice-go", "tripletex"]),
  client: z
    .object({ clientId: z.string(), name: z.string(), orgNumber: z.string().nullable(), created: z.boolean() })
    .nullable(),
  key: z.object({ set: z.boolean(), masked: z.string().optional() }).passthrough().nullable(),
  companyId: z.string().nullable(),
  connection: z
    .object({ status: z.string(), company: z.object({ id: z.string(), name: z.string() }).passthrough().optional() })
    .passthrough(),
  companies: z.array(z.object({ id: z.string(), name: z.string(), orgNumber: z.string().optional() })).nullable(),
});

const SyncJsonSchema = z.object({
  import: ImportSummarySchema,
  sync: z
    .object({
      system: z.string(),
      company: z.object({ id: z.string(), name: z.string() }).passthrough().nullable(),
      requestCount: z.number().nullable(),
      fetchedAt: z.string().nullable(),
      dataAsOf: z.string().nullable(),
    })
    .nullable(),
  trialBalance: LedgerJsonSchema.nullable(),
});

/** Every account's opening, movement and closing as the fake's books have them for 2025 (and the API reports them). */
function expectedFigures(slug: DemoCompanySlug): Map<string, { opening: string; movement: string; closing: string }> {
  const books = demoCompanyBooks(slug);
  const reportedOpening = reportedBalancesBefore(books, YEAR_2025.start);
  const figures = new Map<string, { opening: string; movement: string; closing: string }>();
  for (const row of books.trialBalance(YEAR_2025)) {
    // What the API reports as the opening (the wrong-IB company's known problem included); the postings are true.
    const opening = reportedOpening.get(row.account.number) ?? row.opening;
    figures.set(row.account.number, {
      opening: formatOre(opening),
      movement: formatOre(row.movement),
      closing: formatOre(opening + row.movement),
    });
  }
  return figures;
}

/** The synced trial balance is the books' to the øre: every account the books have, nothing else, and totals of 0. */
function expectBooksFigures(trialBalance: LedgerJson, slug: DemoCompanySlug): void {
  const expected = expectedFigures(slug);
  const zero = { opening: "0.00", movement: "0.00", closing: "0.00" };
  const synced = new Map(trialBalance.accounts.map((account) => [account.account, account]));
  for (const [number, figures] of expected) {
    const account = synced.get(number);
    if (account === undefined) expect(figures, `account ${number} missing from the sync`).toEqual(zero);
    else
      expect({
        account: number,
        opening: account.opening,
        movement: account.movement,
        closing: account.closing,
      }).toEqual({
        account: number,
        ...figures,
      });
  }
  for (const number of synced.keys()) expect(expected.has(number), `account ${number} is not in the books`).toBe(true);
  const sum = (pick: (account: LedgerJson["accounts"][number]) => string | null) =>
    formatOre(trialBalance.accounts.reduce((total, account) => total + parseOre(pick(account) ?? "0.00"), 0n));
  expect(sum((account) => account.closing)).toBe("0.00");
  expect(trialBalance.totals.closing).toBe("0.00");
  expect(trialBalance.totals.movement).toBe("0.00");
}

/** The words naming a client's 2025 engagement: `--tenant … --client … --engagement 2025`. */
function engagement2025(tenant: string, client: string): string[] {
  return ["--tenant", tenant, "--client", client, "--engagement", "2025"];
}

/** `saldo engagement create` of the client's 2025 year-end engagement. */
function createEngagement2025(tenant: string, client: string) {
  return saldo(["engagement", "create", "--tenant", tenant, "--client", client, "--year", "2025"]);
}

async function connect(system: string, tenant: string, client: string, key: DemoKey, extra: string[] = []) {
  const result = await saldo([
    "connect",
    system,
    "--tenant",
    tenant,
    "--client",
    client,
    "--key",
    key,
    "--json",
    ...extra,
  ]);
  return { ...result, json: result.stdout ? ConnectJsonSchema.parse(JSON.parse(result.stdout)) : undefined };
}

async function sync(tenant: string, client: string) {
  const result = await saldo(["sync", ...engagement2025(tenant, client), "--json"]);
  expect(result.stderr).not.toMatch(/saldo:/);
  return { ...result, json: SyncJsonSchema.parse(JSON.parse(result.stdout)) };
}

describe("saldo connect + engagement create + sync against the local stack's fakes (the demo keys)", () => {
  const cases: { key: DemoKey; system: string; slug: DemoCompanySlug }[] = [
    { key: "demo-poweroffice-ok", system: "poweroffice-go", slug: "fjordlys" },
    { key: "demo-tripletex-ok", system: "tripletex", slug: "nordvik" },
  ];
  for (const { key, system, slug } of cases) {
    it(
      `${key}: the trial balance is the fake's books to the øre, and a second sync is unchanged in at most 5 requests`,
      { timeout: STEP_TIMEOUT_MS },
      async () => {
        const tenant = `t-${key}`;
        const books = demoCompanyBooks(slug);
        const connected = await connect(system, tenant, slug, key);
        expect(connected.stderr).toBe("");
        expect(connected.code).toBe(0);
        expect(connected.json).toMatchObject({
          client: { clientId: slug, name: books.company.name, orgNumber: books.company.orgNumber, created: true },
          connection: { status: "ok", company: { id: books.company.id, name: books.company.name } },
          key: { set: true },
        });
        const engagement = await createEngagement2025(tenant, slug);
        expect(engagement.code).toBe(0);

        const first = await sync(tenant, slug);
        expect(first.code).toBe(0);
        expect(first.json.import).toMatchObject({ status: "succeeded", active: true, failure: null, heldFor: [] });
        expect(first.json.sync).toMatchObject({ system, company: { id: books.company.id, name: books.company.name } });
        expectBooksFigures(first.json.trialBalance!, slug);

        const before = await fakeRequests();
        const second = await sync(tenant, slug);
        const after = await fakeRequests();
        expect(second.code).toBe(0);
        expect(second.json.import).toMatchObject({ status: "unchanged", active: false });
        expect(after[system as keyof typeof after] - before[system as keyof typeof before]).toBeLessThanOrEqual(5);
        expect(second.json.sync!.requestCount).toBeLessThanOrEqual(5);
        // The active version is still the first sync's, with the same figures.
        expect(second.json.trialBalance).toEqual(first.json.trialBalance);
      },
    );
  }

  it(
    "demo-tripletex-accountant: without --company the companies are listed and nothing is created; with one, that company is synced",
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      const tenant = "t-accountant";
      const listed = await connect("tripletex", tenant, "nordvik", "demo-tripletex-accountant");
      expect(listed.code).toBe(3);
      expect(listed.json).toMatchObject({ client: null, key: null, connection: { status: "no-access" } });
      const nordvik = demoCompanyBooks("nordvik").company;
      const skarvik = demoCompanyBooks("skarvik").company;
      expect(listed.json!.companies!.map((company) => company.id).sort()).toEqual([nordvik.id, skarvik.id].sort());
      const text = await saldo([
        "connect",
        "tripletex",
        "--tenant",
        tenant,
        "--client",
        "nordvik",
        "--key",
        "demo-tripletex-accountant",
        "--locale",
        "en",
      ]);
      expect(text.code).toBe(3);
      expect(text.stdout).toContain("pick one with --company");
      expect(text.stdout).toContain(`${skarvik.id}  ${skarvik.name}`);
      expect((await createEngagement2025(tenant, "nordvik")).code).toBe(1);

      const bound = await connect("tripletex", tenant, "skarvik", "demo-tripletex-accountant", [
        "--company",
        skarvik.id,
      ]);
      expect(bound.stderr).toBe("");
      expect(bound.code).toBe(0);
      expect(bound.json).toMatchObject({
        client: { clientId: "skarvik", name: skarvik.name, orgNumber: skarvik.orgNumber, created: true },
        companyId: skarvik.id,
        connection: { status: "ok", company: { id: skarvik.id } },
      });
      const refused = await connect("tripletex", tenant, "other", "demo-tripletex-accountant", ["--company", "999999"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("does not reach company 999999");

      expect((await createEngagement2025(tenant, "skarvik")).code).toBe(0);
      const synced = await sync(tenant, "skarvik");
      expect(synced.code).toBe(0);
      expect(synced.json.import.status).toBe("succeeded");
      expect(synced.json.sync!.company).toMatchObject({ id: skarvik.id, name: skarvik.name });
      expectBooksFigures(synced.json.trialBalance!, "skarvik");
    },
  );

  it(
    "a refused key creates and stores nothing; a key lacking a privilege fails the sync with CONNECTOR_NO_ACCESS, nothing active",
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      const tenant = "t-refused";
      const refused = await saldo([
        "connect",
        "tripletex",
        "--tenant",
        tenant,
        "--client",
        "nobody",
        "--key",
        "not-a-demo-key",
        "--json",
      ]);
      expect(refused.code).toBe(3);
      expect(ConnectJsonSchema.parse(JSON.parse(refused.stdout))).toMatchObject({
        client: null,
        key: null,
        connection: { status: "invalid-key" },
      });
      const noClient = await createEngagement2025(tenant, "nobody");
      expect(noClient.code).toBe(1);
      expect(noClient.stderr).toContain("saldo: Klienten «nobody» finnes ikke (eller er slettet).");

      // A key whose client lacks a module: connect says no-access with the privilege; the sync fails with its code.
      expect((await connect("poweroffice-go", tenant, "fjordlys", "demo-poweroffice-ok")).code).toBe(0);
      expect((await createEngagement2025(tenant, "fjordlys")).code).toBe(0);
      const noAccess = await connect("poweroffice-go", tenant, "fjordlys", "demo-poweroffice-no-access" as DemoKey);
      expect(noAccess.code).toBe(3);
      expect(noAccess.json!.connection).toMatchObject({
        status: "no-access",
        missingPrivileges: ["AccountTransaction"],
      });
      const failed = await saldo(["sync", ...engagement2025(tenant, "fjordlys"), "--locale", "en"]);
      expect(failed.code).toBe(3);
      expect(failed.stdout).toContain("CONNECTOR_NO_ACCESS");
      expect(failed.stdout).toContain("the engagement has no active version yet");
      const notConnected = await saldo(["sync", ...engagement2025(tenant, "nobody")]);
      expect(notConnected.code).toBe(1);
      expect(notConnected.stderr).toMatch(/^saldo: Klienten «nobody» finnes ikke .*\(CLIENT_NOT_FOUND\)\n$/);
    },
  );

  it(
    "demo-tripletex-wrong-ib: the API's 2025 opening that leaves the 2024 result out shows as an opening difference with a stable code",
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      const tenant = "t-wrong-ib";
      const connected = await connect("tripletex", tenant, "havbris", "demo-tripletex-wrong-ib");
      expect(connected.code).toBe(0);
      expect((await createEngagement2025(tenant, "havbris")).code).toBe(0);
      const result = await sync(tenant, "havbris");
      const books = demoCompanyBooks("havbris");
      const missing = books.reportedOpeningAdjustments.reduce((total, adjustment) => total + adjustment.amount, 0n);
      expect(missing).not.toBe(0n);
      // The figures are read as the API reports them — the postings are right, the opening leaves the 2024 result out
      // of equity — and an API trial balance that does not balance is a doubt: the version is held (exit 3) with
      // FIGURES_UNRELIABLE, nothing becomes the engagement's figures until a person accepts it (#10 reconciles it).
      expect(result.code).toBe(3);
      expect(result.json.import).toMatchObject({ status: "held", heldFor: ["FIGURES_UNRELIABLE"] });
      expect(result.json.trialBalance).toBeNull();
      const importId = result.json.import.importId;
      const accepted = await saldo([
        "activate",
        ...engagement2025(tenant, "havbris"),
        "--import",
        importId,
        "--accept",
        "FIGURES_UNRELIABLE",
      ]);
      expect(accepted.code).toBe(0);
      const shown = await saldo(["trial-balance", ...engagement2025(tenant, "havbris"), "--json"]);
      const trialBalance = LedgerJsonSchema.parse(JSON.parse(shown.stdout));
      expect(trialBalance.issues).toContainEqual(
        expect.objectContaining({ code: "OPENING_NOT_BALANCED", severity: "error", amount: formatOre(missing) }),
      );
      expect(trialBalance.totals.opening).toBe(formatOre(missing));
      expect(trialBalance.totals.movement).toBe("0.00");
      // Every account is what the API reports: the true postings on top of the reported opening.
      const expected = expectedFigures("havbris");
      for (const account of trialBalance.accounts)
        expect({ account: account.account, opening: account.opening, movement: account.movement }).toEqual({
          account: account.account,
          opening: expected.get(account.account)!.opening,
          movement: expected.get(account.account)!.movement,
        });
      const text = await saldo(["trial-balance", ...engagement2025(tenant, "havbris")]);
      expect(text.stdout).toMatch(
        new RegExp(`FEIL +OPENING_NOT_BALANCED: the opening balances sum to ${formatOre(missing).replace(".", "\\.")}`),
      );
      // saldo reconcile, the CLI of GET …/reconciliation: the unbalanced opening is a difference (exit 3).
      const reconciled = await saldo(["reconcile", ...engagement2025(tenant, "havbris"), "--json"]);
      expect(reconciled.code).toBe(3);
      const reconciliation = JSON.parse(reconciled.stdout);
      expect(reconciliation.status).toBe("differences");
      expect(reconciliation.differences.map((difference: { code: string }) => difference.code)).toContain(
        "OPENING_NOT_BALANCED",
      );
      expect(reconciliation.differences).toHaveLength(reconciliation.count);
      const reconciledText = await saldo(["reconcile", ...engagement2025(tenant, "havbris")]);
      expect(reconciledText.code).toBe(3);
      expect(reconciledText.stdout).toMatch(/avvik/);
      expect(reconciledText.stdout).toContain("OPENING_NOT_BALANCED");
    },
  );
});
