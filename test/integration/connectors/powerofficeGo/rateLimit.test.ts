import { describe, expect, it } from "vitest";
import { KeyedRateLimiter } from "../../../../lib/connectors/http/index.ts";
import { PowerOfficeGoConnector } from "../../../../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import type { FakePowerOfficeGoServer } from "../../../../lib/local/fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { testBooks } from "../../../helpers/powerOfficeTestBooks.ts";
import {
  connectorFor,
  credentialsOf,
  startPowerOfficeFake,
  summarizePull,
  TEST_APPLICATION_KEY,
  TEST_SUBSCRIPTION_KEY,
} from "../../../helpers/powerOfficeFake.ts";

const clients = [
  { clientKey: "client-a", books: testBooks({ clientId: "c7d0e7c4-0000-4000-8000-00000000000a", name: "Alfa AS" }) },
  { clientKey: "client-b", books: testBooks({ clientId: "c7d0e7c4-0000-4000-8000-00000000000b", name: "Beta AS" }) },
];
const quarter = { period: { start: "2025-01-01", end: "2025-06-30" } };

/** Most requests the server accepted for the subscription key in any one-second window. */
function peakPerSecond(server: FakePowerOfficeGoServer): number {
  const times = server.api.acceptedAt.get(TEST_SUBSCRIPTION_KEY) ?? [];
  let peak = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= 1000) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

async function syncBoth(connectors: [PowerOfficeGoConnector, PowerOfficeGoConnector]) {
  return Promise.all(
    connectors.map(async (connector, index) => {
      const ledger = await connector.pull(credentialsOf(clients[index]!.clientKey), quarter);
      return (await summarizePull(ledger)).summary;
    }),
  );
}

describe("PowerOffice Go rate limit: 10 requests per second per subscription key", () => {
  it("keeps two clients syncing at once under the cap when their connectors share the process's limiter", async () => {
    const server = await startPowerOfficeFake({ clients });
    // Two connector instances (two tenants' clients), no limiter passed: both use the process-wide one.
    const options = {
      applicationKey: TEST_APPLICATION_KEY,
      subscriptionKey: TEST_SUBSCRIPTION_KEY,
      baseUrl: server.url,
      timeoutMs: 10_000,
    };
    const summaries = await syncBoth([new PowerOfficeGoConnector(options), new PowerOfficeGoConnector(options)]);
    expect(summaries.map((summary) => summary.transactions.count)).toEqual([181, 181]);
    expect(server.api.throttled.get(TEST_SUBSCRIPTION_KEY) ?? 0).toBe(0);
    expect(peakPerSecond(server)).toBeLessThanOrEqual(10);
    expect(server.api.acceptedAt.get(TEST_SUBSCRIPTION_KEY)!.length).toBeGreaterThan(20);
  });

  it("without a shared budget the server throttles (429 'Try again in N seconds'), and the connectors back off and still finish", async () => {
    const server = await startPowerOfficeFake({ clients });
    const generous = { requests: 50, perMs: 1000 };
    const summaries = await syncBoth([
      connectorFor(server, { limiter: new KeyedRateLimiter(), rateLimit: generous }),
      connectorFor(server, { limiter: new KeyedRateLimiter(), rateLimit: generous }),
    ]);
    expect(summaries.map((summary) => summary.transactions.count)).toEqual([181, 181]);
    expect(server.api.throttled.get(TEST_SUBSCRIPTION_KEY) ?? 0).toBeGreaterThan(0);
    expect(
      server.exchanges.some(
        (exchange) => exchange.status === 429 && JSON.stringify(exchange.json).includes("Try again in"),
      ),
    ).toBe(true);
  });

  it("honours a Retry-After header on a 429", async () => {
    const server = await startPowerOfficeFake({ clients, retryAfterHeader: true });
    server.inject({
      path: "/v2/FinancialSettings",
      fault: {
        kind: "status",
        status: 429,
        headers: { "retry-after": "1" },
        json: { title: "Too Many Requests", status: 429 },
      },
    });
    const connector = connectorFor(server);
    const started = Date.now();
    const ledger = await connector.pull(credentialsOf("client-a"), quarter);
    const { summary } = await summarizePull(ledger);
    expect(summary.transactions.count).toBe(181);
    const settingsCalls = server.exchanges.filter((exchange) => exchange.path === "/v2/FinancialSettings");
    expect(settingsCalls.map((exchange) => exchange.status)).toEqual([429, 200]);
    expect(settingsCalls[1]!.at - settingsCalls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("reports rate-limited with the time to come back when the API keeps throttling", async () => {
    const server = await startPowerOfficeFake({ clients });
    server.inject({
      path: "/v2/ClientIntegrationInformation",
      times: Infinity,
      fault: {
        kind: "status",
        status: 429,
        json: { title: "Too Many Requests", detail: "Rate limit is exceeded. Try again in 120 seconds." },
      },
    });
    const check = await connectorFor(server).check(credentialsOf("client-a"));
    expect(check.status).toBe("rate-limited");
    expect(Date.parse(check.retryAfter!)).toBeGreaterThan(Date.now() + 100_000);
  });
});
