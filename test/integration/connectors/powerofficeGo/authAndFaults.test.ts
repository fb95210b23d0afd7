import { describe, expect, it } from "vitest";
import { ConnectorError } from "../../../../lib/connectors/errors.ts";
import { testBooks } from "../../../helpers/powerOfficeTestBooks.ts";
import { connectorFor, credentialsOf, startPowerOfficeFake, summarizePull } from "../../../helpers/powerOfficeFake.ts";

const books = testBooks({ perDay: 1 });
// The server's own 10/s budget is tested in rateLimit.test.ts; here each test's connector has a limiter of its own, so the
// server is generous rather than throttling one test for the requests of the one before.
const server = await startPowerOfficeFake({
  requestsPerSecond: 1000,
  clients: [
    { clientKey: "client-ok", books },
    {
      clientKey: "client-no-transactions",
      books: testBooks({ perDay: 1, clientId: "c7d0e7c4-0000-4000-8000-000000000002", name: "Uten Modul AS" }),
      validPrivileges: ["CommonServices", "GeneralLedgerAccount", "TrialBalance"],
      invalidPrivileges: ["AccountTransaction"],
    },
  ],
});
const march = { period: { start: "2025-03-01", end: "2025-03-31" } };

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error("expected the call to fail");
}

async function pullAll(connector = connectorFor(server), request = march) {
  const ledger = await connector.pull(credentialsOf("client-ok"), request);
  return { ledger, ...(await summarizePull(ledger)) };
}

describe("PowerOffice Go authentication", () => {
  it("checks a valid client key: ok, with the client's name and org number", async () => {
    const check = await connectorFor(server).check(credentialsOf("client-ok"));
    expect(check).toMatchObject({
      status: "ok",
      company: { id: books.clientId, name: "Demo Regnskap AS", orgNumber: "923609016" },
    });
    expect(await connectorFor(server).listCompanies(credentialsOf("client-ok"))).toEqual([check.company]);
  });

  it("reports an unknown client key as invalid-key, without throwing from check and with a stable code from pull", async () => {
    const check = await connectorFor(server).check(credentialsOf("not-a-client-key"));
    expect(check.status).toBe("invalid-key");
    expect(check.message).not.toContain("not-a-client-key");
    const error = await failureOf(connectorFor(server).pull(credentialsOf("not-a-client-key"), march));
    expect(error.code).toBe("CONNECTOR_INVALID_KEY");
  });

  it("reports a client lacking a module as no-access with the missing privilege, before reading any figures", async () => {
    const check = await connectorFor(server).check(credentialsOf("client-no-transactions"));
    expect(check).toMatchObject({
      status: "no-access",
      missingPrivileges: ["AccountTransaction"],
      company: { name: "Uten Modul AS" },
    });
    const before = server.resourceExchanges.length;
    const error = await failureOf(connectorFor(server).pull(credentialsOf("client-no-transactions"), march));
    expect(error.code).toBe("CONNECTOR_NO_ACCESS");
    expect(error.context.missingPrivileges).toEqual(["AccountTransaction"]);
    expect(server.resourceExchanges.slice(before).map((exchange) => exchange.path)).toEqual([
      "/v2/ClientIntegrationInformation",
    ]);
  });

  it("names the endpoint's privilege when the API answers 403 to a call (ProblemDetails in either key casing)", async () => {
    server.inject({
      path: "/v2/TrialBalance",
      fault: { kind: "status", status: 403, json: { Title: "Forbidden", Status: 403, Detail: "Missing privilege" } },
    });
    const error = await failureOf(pullAll());
    expect(error.code).toBe("CONNECTOR_NO_ACCESS");
    expect(error.context.missingPrivileges).toEqual(["TrialBalance"]);
    expect(error.message).toContain("Missing privilege");
  });

  it("reports saldo's own refused subscription key as unavailable (platform configuration), not the client's key", async () => {
    const check = await connectorFor(server, { subscriptionKey: "wrong-subscription" }).check(
      credentialsOf("client-ok"),
    );
    expect(check.status).toBe("unavailable");
    expect(check.message).toMatch(/subscription key/);
  });

  it("caches the token across calls and requests a new one once when the server says it expired (401)", async () => {
    const connector = connectorFor(server);
    const tokensBefore = server.exchanges.filter((exchange) => exchange.path === "/OAuth/Token").length;
    await connector.check(credentialsOf("client-ok"));
    await connector.check(credentialsOf("client-ok"));
    expect(server.exchanges.filter((exchange) => exchange.path === "/OAuth/Token").length - tokensBefore).toBe(1);

    server.api.expireTokens();
    const expiredAt = server.exchanges.length;
    const { summary } = await pullAll(connector);
    expect(summary.transactions.count).toBe(31);
    const since = server.exchanges.slice(expiredAt);
    expect(since.map((exchange) => `${exchange.status} ${exchange.path}`).slice(0, 3)).toEqual([
      "401 /v2/ClientIntegrationInformation",
      "200 /OAuth/Token",
      "200 /v2/ClientIntegrationInformation",
    ]);
    expect(server.exchanges.filter((exchange) => exchange.path === "/OAuth/Token").length - tokensBefore).toBe(2);
  });

  it("renews the token once expires_in has passed, without waiting for a 401", async () => {
    let now = Date.now();
    const connector = connectorFor(server, { now: () => now });
    const statusesFrom = server.exchanges.length;
    await connector.check(credentialsOf("client-ok"));
    now += 1201 * 1000;
    await connector.check(credentialsOf("client-ok"));
    const seen = server.exchanges.slice(statusesFrom);
    expect(seen.filter((exchange) => exchange.path === "/OAuth/Token")).toHaveLength(2);
    expect(seen.filter((exchange) => exchange.status === 401)).toHaveLength(0);
  });

  it("gives up with invalid-key when a fresh token is refused too", async () => {
    server.inject({
      path: "/v2/ClientIntegrationInformation",
      times: 2,
      fault: { kind: "status", status: 401, json: { title: "Unauthorized" } },
    });
    const check = await connectorFor(server).check(credentialsOf("client-ok"));
    expect(check.status).toBe("invalid-key");
  });
});

describe("PowerOffice Go faults", () => {
  it("retries 5xx answers and finishes with the right figures", async () => {
    server.inject({ path: "/v2/AccountTransactions", times: 2, fault: { kind: "status", status: 503 } });
    const { summary } = await pullAll();
    expect(summary.transactions.count).toBe(31);
    expect(summary.issues.filter((issue) => issue.severity === "error")).toEqual([]);
  });

  it("reports unavailable when the API keeps failing", async () => {
    server.inject({ path: "/v2/FinancialSettings", times: Infinity, fault: { kind: "status", status: 500 } });
    try {
      const error = await failureOf(pullAll(connectorFor(server, { retry: { maxAttempts: 2, baseDelayMs: 10 } })));
      expect(error.code).toBe("CONNECTOR_UNAVAILABLE");
      expect(error.status).toBe("unavailable");
    } finally {
      server.clearFaults();
    }
  });

  it("times out a hanging call, retries it, and finishes", async () => {
    server.inject({ path: "/v2/TrialBalance", fault: { kind: "hang" } });
    const { summary } = await pullAll(connectorFor(server, { timeoutMs: 300 }));
    expect(summary.transactions.count).toBe(31);
  });

  it("reports a timeout when the API never answers", async () => {
    server.inject({ path: "/v2/FinancialSettings", times: Infinity, fault: { kind: "hang" } });
    try {
      const error = await failureOf(
        pullAll(connectorFor(server, { timeoutMs: 200, retry: { maxAttempts: 2, baseDelayMs: 10 } })),
      );
      expect(error.code).toBe("CONNECTOR_TIMEOUT");
    } finally {
      server.clearFaults();
    }
  });

  it("fails loudly on malformed JSON, naming the endpoint", async () => {
    server.inject({ path: "/v2/GeneralLedgerAccounts", fault: { kind: "malformed-json" } });
    const error = await failureOf(pullAll());
    expect(error.code).toBe("CONNECTOR_RESPONSE_INVALID");
    expect(error.message).toContain("/GeneralLedgerAccounts");
  });

  it("fails loudly on a changed response shape, naming the endpoint and the field", async () => {
    server.inject({
      path: "/v2/AccountTransactions",
      fault: {
        kind: "transform",
        transform: (body) =>
          (body as Record<string, unknown>[]).map(({ AccountNo, ...rest }) => ({ ...rest, AccountNumber: AccountNo })),
      },
    });
    const error = await failureOf(pullAll());
    expect(error.code).toBe("CONNECTOR_RESPONSE_INVALID");
    expect(error.message).toContain("/AccountTransactions");
    expect(error.message).toContain("[0].AccountNo");
  });

  it("refuses an amount that is not exact to the øre", async () => {
    server.inject({
      path: "/v2/TrialBalance",
      fault: {
        kind: "transform",
        transform: (body) =>
          (body as Record<string, unknown>[]).map((line, index) => (index === 0 ? { ...line, Balance: 10.005 } : line)),
      },
    });
    const error = await failureOf(pullAll());
    expect(error.code).toBe("CONNECTOR_AMOUNT_INVALID");
    expect(error.message).toContain("[0].Balance");
  });

  it("reads an empty month (204, no body) as no postings", async () => {
    const { summary, ledger } = await pullAll(connectorFor(server), {
      period: { start: "2026-01-01", end: "2026-01-31" },
    });
    expect(summary.transactions.count).toBe(0);
    const transactionCalls = ledger
      .provenance()
      .requests.filter((request) => request.path.startsWith("/AccountTransactions"));
    expect(transactionCalls).toEqual([expect.objectContaining({ status: 204, rows: 0 })]);
    for (const row of summary.rows) expect(row.closing).toBe(row.opening);
    expect(summary.rows.find((row) => row.account === "1920")!.opening).not.toBe(0n);
  });
});
