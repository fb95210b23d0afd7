import { afterAll, describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { demoCompanyBooks } from "../../../../lib/local/fakes/demoBooks.ts";
import {
  DEMO_POWEROFFICE_APPLICATION_KEY,
  DEMO_POWEROFFICE_NO_ACCESS_KEY,
  DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
  startDemoPowerOfficeGoServer,
} from "../../../../lib/local/fakes/powerofficeGo/powerOfficeDemoClients.ts";
import { KeyedRateLimiter } from "../../../../lib/connectors/http/index.ts";
import { PowerOfficeGoConnector } from "../../../../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import {
  contractResponsesOf,
  hasSharedSpecs,
  loadOpenApiContract,
  POWEROFFICE_GO_OPENAPI,
} from "../../../helpers/openApiContract.ts";
import { credentialsOf, summarizePull } from "../../../helpers/powerOfficeFake.ts";

const server = await startDemoPowerOfficeGoServer();
afterAll(() => server.close());
const books = demoCompanyBooks("fjordlys");
// One limiter for the file, as one process has: the connectors of the tests share the subscription key's budget.
const limiter = new KeyedRateLimiter();

function demoConnector() {
  return new PowerOfficeGoConnector({
    applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
    subscriptionKey: DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
    baseUrl: server.url,
    limiter,
    retry: { baseDelayMs: 20 },
  });
}

describe("the demo PowerOffice Go client (demo-poweroffice-ok)", () => {
  for (const year of [2024, 2025]) {
    it(`gives ${year}'s trial balance exactly as the demo books have it`, async () => {
      const period = { start: `${year}-01-01`, end: `${year}-12-31` };
      const ledger = await demoConnector().pull(credentialsOf("demo-poweroffice-ok"), { period });
      expect(ledger.company).toEqual({
        id: books.company.id,
        name: books.company.name,
        orgNumber: books.company.orgNumber,
      });
      const { summary } = await summarizePull(ledger);
      const expected = books.trialBalance(period);
      const rows = new Map(summary.rows.map((row) => [row.account, row]));
      for (const line of expected) {
        const row = rows.get(line.account.number);
        const figures = row
          ? { opening: row.opening, movement: row.movement, closing: row.closing }
          : { opening: 0n, movement: 0n, closing: 0n };
        expect({ account: line.account.number, ...figures }).toEqual({
          account: line.account.number,
          opening: line.opening,
          movement: line.movement,
          closing: line.closing,
        });
      }
      expect(summary.totals.closing).toBe(0n);
      expect(summary.issues.filter((issue) => issue.severity === "error")).toEqual([]);
      expect(summary.transactions.count).toBe([...books.vouchers(period)].length);
    });
  }

  it("2025 opens with 2024's balance-sheet closing and result accounts at zero", async () => {
    const ledger = await demoConnector().pull(credentialsOf("demo-poweroffice-ok"), {
      period: { start: "2025-01-01", end: "2025-12-31" },
    });
    const { summary } = await summarizePull(ledger);
    const closing2024 = books.balancesAt("2024-12-31");
    for (const row of summary.rows) {
      const expected = Number(row.account) < 3000 ? (closing2024.get(row.account) ?? 0n) : 0n;
      expect({ account: row.account, opening: row.opening }).toEqual({ account: row.account, opening: expected });
    }
  });

  it("reports demo-poweroffice-no-access as no-access, naming the missing privilege", async () => {
    const check = await demoConnector().check(credentialsOf(DEMO_POWEROFFICE_NO_ACCESS_KEY));
    expect(check).toMatchObject({
      status: "no-access",
      missingPrivileges: ["AccountTransaction"],
      company: { name: books.company.name },
    });
  });
});

describe.skipIf(!hasSharedSpecs)("contract: every answer the fake sent matches the vendor's OpenAPI document", () => {
  it("validates the resource API's responses (the token endpoint is not in the v2 document)", async () => {
    // A few more answers of other shapes: an unknown key's 401s, a 204, a 400 and a 403 (the privilege).
    await demoConnector().check(credentialsOf("not-a-key"));
    await demoConnector().check(credentialsOf(DEMO_POWEROFFICE_NO_ACCESS_KEY));
    const empty = await demoConnector().pull(credentialsOf("demo-poweroffice-ok"), {
      period: { start: "2027-01-01", end: "2027-01-31" },
    });
    await summarizePull(empty);
    server.inject({
      path: "/v2/TrialBalance",
      fault: { kind: "status", status: 403, json: { Title: "Forbidden", Status: 403 } },
    });
    await demoConnector()
      .pull(credentialsOf("demo-poweroffice-ok"), { period: { start: "2025-01-01", end: "2025-01-31" } })
      .catch(() => undefined);

    const contract = await loadOpenApiContract(POWEROFFICE_GO_OPENAPI, {
      basePath: "/v2",
      errorSchema: "ProblemDetails",
    });
    const problemDetails = await problemDetailsValidator();
    const checked = contractResponsesOf(server.resourceExchanges);
    const failures: string[] = [];
    for (const response of checked) {
      // 401/403/429 are documented without content, but the API sends ProblemDetails ("default" response): the status
      // is checked against the document, the body against ProblemDetails.
      if (response.status >= 400 && response.body !== undefined) {
        failures.push(...contract.validateAll([{ ...response, body: undefined }]));
        if (!problemDetails(response.body))
          failures.push(`${response.method} ${response.path} ${response.status}: not ProblemDetails`);
        continue;
      }
      failures.push(...contract.validateAll([response]));
    }
    expect(failures).toEqual([]);
    const seen = new Set(checked.map((response) => `${response.path.slice(3)} ${response.status}`));
    for (const expected of [
      "/ClientIntegrationInformation 200",
      "/OrganizationSettings 200",
      "/FinancialSettings 200",
      "/GeneralLedgerAccounts 200",
      "/TrialBalance 200",
      "/AccountTransactions 200",
      "/AccountTransactions 204",
      "/TrialBalance 403",
    ]) {
      expect(seen).toContain(expected);
    }
  });
});

async function problemDetailsValidator() {
  const document = parseYaml(await readFile(POWEROFFICE_GO_OPENAPI, "utf8"), { maxAliasCount: -1 }) as object;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  (addFormatsModule as unknown as (ajv: Ajv) => Ajv)(ajv);
  ajv.addSchema(document, "openapi");
  return ajv.compile({ $ref: "openapi#/components/schemas/ProblemDetails" });
}
