import { afterEach, describe, expect, it } from "vitest";
import { ConnectorError } from "../../../../lib/connectors/errors.ts";
import { addDays } from "../../../../lib/connectors/tripletex/dateWindows.ts";
import type { ConnectorCredentials, PulledLedger, PulledRecord } from "../../../../lib/connectors/ports.ts";
import {
  TripletexConnector,
  type TripletexConnectorOptions,
} from "../../../../lib/connectors/tripletex/TripletexConnector.ts";
import { LedgerSummarizer } from "../../../../lib/ledger/summarizeLedger.ts";
import type { Transaction } from "../../../../lib/ledger/types.ts";
import { FakeTripletexServer } from "../../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import type { LedgerBooks } from "../../../../lib/local/fakes/demoBooks.ts";
import type { TripletexFakeApiOptions } from "../../../../lib/local/fakes/tripletex/TripletexFakeApi.ts";
import { Secret } from "../../../../lib/secrets/Secret.ts";
import { busyBooks, testBooks, voucherOf } from "../../../helpers/tripletexBooks.ts";

/**
 * The Tripletex connector against the fake over real HTTP: auth and sessions, paging across windows and the row cap,
 * and every fault the issue lists (429, 5xx, timeouts, malformed JSON, a changed response shape, invalid keys).
 */

const CONSUMER = "saldo-consumer-test";
const YEAR_2025 = { start: "2025-01-01", end: "2025-12-31" };

let server: FakeTripletexServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Setup {
  books?: LedgerBooks;
  maxRowsPerQuery?: number;
  now?: () => Date;
}

async function start(setup: Setup = {}) {
  const books = setup.books ?? busyBooks(() => 2);
  const options: TripletexFakeApiOptions = {
    consumerToken: CONSUMER,
    companies: [books, testBooks({ id: "900", name: "Byrå AS", orgNumber: "987654325", vouchers: [] })],
    employeeTokens: [
      { token: "employee-ok", companyId: 4711, employee: { id: 1, firstName: "Kari", lastName: "Nordmann" } },
      {
        token: "accountant",
        companyId: 900,
        employee: { id: 2, firstName: "Ola", lastName: "Byrå" },
        accountantFor: [4711],
      },
      {
        token: "no-postings",
        companyId: 4711,
        employee: { id: 3, firstName: "Per", lastName: "Lønn" },
        denied: ["/ledger/posting"],
      },
    ],
    ...(setup.maxRowsPerQuery ? { maxRowsPerQuery: setup.maxRowsPerQuery } : {}),
    ...(setup.now ? { now: setup.now } : {}),
  };
  server = await FakeTripletexServer.start(options);
  return { server, books };
}

function connector(overrides: Partial<TripletexConnectorOptions> = {}): TripletexConnector {
  return new TripletexConnector({
    baseUrl: server!.url,
    consumerToken: new Secret(CONSUMER),
    http: { timeoutMs: 2_000, retry: { baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 5_000 } },
    ...overrides,
  });
}

function key(employeeToken: string, companyId?: string): ConnectorCredentials<"tripletex"> {
  return { key: new Secret({ employeeToken }), ...(companyId ? { companyId } : {}) };
}

async function drain(ledger: PulledLedger): Promise<{ records: PulledRecord[]; transactions: Transaction[] }> {
  const records: PulledRecord[] = [];
  for await (const record of ledger.records) records.push(record);
  return {
    records,
    transactions: records.flatMap((record) => (record.type === "transaction" ? [record.transaction] : [])),
  };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error("expected a ConnectorError");
}

describe("Tripletex connector: auth", () => {
  it("checks an employee token: ok, the company with its org number in digits, in 7 requests", async () => {
    await start();
    const check = await connector().check(key("employee-ok"));
    expect(check).toMatchObject({
      status: "ok",
      company: { id: "4711", name: "Fjordkraft Test AS", orgNumber: "923456783" },
    });
    // Session, whoAmI, withLoginAccess, the company, and the three endpoints a pull needs.
    expect(server!.server.exchanges.map((exchange) => exchange.route)).toEqual([
      "/token/session/:create",
      "/token/session/>whoAmI",
      "/company/>withLoginAccess",
      "/company/{id}",
      "/ledger/account",
      "/balanceSheet",
      "/ledger/posting",
    ]);
  });

  it("reports an unknown employee token as invalid-key, never throwing and never echoing the token", async () => {
    await start();
    const check = await connector().check(key("not-a-token"));
    expect(check.status).toBe("invalid-key");
    expect(JSON.stringify(check)).not.toContain("not-a-token");
    expect(
      server!.server.exchanges.every((exchange) => !exchange.query.has("employeeToken") || exchange.method === "PUT"),
    ).toBe(true);
  });

  it("reports a token without the postings entitlement as no-access, naming what is missing", async () => {
    await start();
    const check = await connector().check(key("no-postings"));
    expect(check).toMatchObject({
      status: "no-access",
      missingPrivileges: ["ledger/posting (postings)"],
      company: { id: "4711" },
    });
  });

  it("asks for sessions two days ahead and creates a new one, once, when the session is refused (401)", async () => {
    await start();
    const tripletex = connector();
    const dayBefore = new Date().toISOString().slice(0, 10);
    await tripletex.listCompanies(key("employee-ok"));
    const dayAfter = new Date().toISOString().slice(0, 10);
    const create = server!.server.exchanges.find((exchange) => exchange.path === "/token/session/:create")!;
    // Either day the call saw: a run across midnight (UTC) must not fail on the date rolling over.
    expect([addDays(dayBefore, 2), addDays(dayAfter, 2)]).toContain(create.query.get("expirationDate"));
    server!.api.expireSessions();
    const created = server!.api.sessionsCreated;
    const { transactions } = await drain(
      await tripletex.pull(key("employee-ok"), { period: { start: "2025-01-01", end: "2025-01-31" } }),
    );
    expect(transactions).toHaveLength(62);
    expect(server!.api.sessionsCreated).toBe(created + 1);
    expect(
      server!.server.count({ route: "/token/session/>whoAmI" }) + server!.server.count({ route: "/company/{id}" }),
    ).toBeGreaterThan(0);
  });

  it("renews a session before it lapses, without waiting for a 401", async () => {
    let today = new Date("2026-02-10T08:00:00Z");
    await start({ now: () => today });
    const tripletex = connector({ now: () => today });
    await tripletex.listCompanies(key("employee-ok"));
    await tripletex.listCompanies(key("employee-ok"));
    expect(server!.api.sessionsCreated).toBe(1);
    today = new Date("2026-02-11T08:00:00Z"); // one day left on a session that expires 2026-02-12: renew
    await tripletex.listCompanies(key("employee-ok"));
    expect(server!.api.sessionsCreated).toBe(2);
    expect(server!.server.exchanges.filter((exchange) => exchange.status === 401)).toHaveLength(0);
  });

  it("says invalid-key when even a fresh session is refused", async () => {
    await start();
    const tripletex = connector();
    await tripletex.listCompanies(key("employee-ok"));
    // Every session the fake hands out from now on is already expired.
    const original = server!.api.handle.bind(server!.api);
    server!.api.handle = (request) => {
      const response = original(request);
      if (request.path === "/token/session/:create") server!.api.expireSessions();
      return response;
    };
    server!.api.expireSessions();
    const error = await failure(tripletex.listCompanies(key("employee-ok")));
    expect(error).toMatchObject({ code: "CONNECTOR_INVALID_KEY", status: "invalid-key" });
  });

  it("lets an accountant token list its clients, refuses it unbound, and reads a bound client's books through its id", async () => {
    await start();
    const tripletex = connector();
    expect(await tripletex.listCompanies(key("accountant"))).toEqual([
      { id: "4711", name: "Fjordkraft Test AS", orgNumber: "923456783" },
    ]);
    const unbound = await tripletex.check(key("accountant"));
    expect(unbound.status).toBe("no-access");
    expect(unbound.message).toMatch(/accountant key that reaches 1 client company/);
    // Not the accounting firm's own company: a client must never be named after it.
    expect(unbound.company).toBeUndefined();
    expect(await tripletex.check(key("accountant", "4711"))).toMatchObject({ status: "ok", company: { id: "4711" } });
    // Bound to a company it may not log into: no-access, saying so.
    const elsewhere = await tripletex.check(key("accountant", "999"));
    expect(elsewhere.status).toBe("no-access");
    expect(elsewhere.message).toMatch(/No login access to company 999/);
    const logged = server!.api.log.length;
    const pulled = await tripletex.pull(key("accountant", "4711"), {
      period: { start: "2025-03-01", end: "2025-03-31" },
    });
    const { transactions } = await drain(pulled);
    expect(transactions).toHaveLength(62);
    // Everything after the two proxy-free calls went out under the client's id.
    const usernames = new Set(
      server!.api.log
        .slice(logged)
        .filter(
          (entry) =>
            !["/token/session/>whoAmI", "/company/>withLoginAccess", "/token/session/:create"].includes(entry.path),
        )
        .map((entry) => entry.username),
    );
    expect(usernames).toEqual(new Set(["4711"]));
  });
});

describe("Tripletex connector: paging, windows and the row cap", () => {
  it("pages until a short page and splits windows over the cap, giving exactly the books' vouchers, whole and balanced", async () => {
    // 3 vouchers (6 postings) a day, 25 (50 postings) on 2025-06-30; cap lowered to 40 rows so months and that day
    // must be split.
    const books = busyBooks((date) => (date === "2025-06-30" ? 25 : 3));
    await start({ books, maxRowsPerQuery: 40 });
    const period = { start: "2025-01-01", end: "2025-07-31" };
    const pulled = await connector({ pageSize: 7 }).pull(key("employee-ok"), { period });
    const { records, transactions } = await drain(pulled);
    const expectedVouchers = 211 * 3 + 25;
    expect(transactions).toHaveLength(expectedVouchers);
    expect(new Set(transactions.map((transaction) => transaction.id)).size).toBe(expectedVouchers);
    expect(transactions.every((transaction) => transaction.lines.length === 2)).toBe(true);

    const summarizer = new LedgerSummarizer();
    summarizer.add({
      type: "header",
      header: { format: "saft", formatVersion: "api", encoding: "utf-8", company: {}, period, currency: "NOK" },
    });
    for (const record of records) summarizer.add(record);
    const summary = summarizer.finish();
    expect(summary.issues.filter((issue) => issue.severity !== "info")).toEqual([]);
    expect(summary.totals.closing).toBe(0n);
    const sales = summary.rows.find((row) => row.account === "3000")!;
    expect(sales.closing).toBe(-12_345n * BigInt(expectedVouchers));

    const exchanges = server!.server.exchanges.filter((exchange) => exchange.path === "/ledger/posting");
    expect(exchanges.some((exchange) => exchange.status === 422)).toBe(true);
    expect(exchanges.some((exchange) => exchange.query.has("accountNumberFrom"))).toBe(true);
    // The windows read cover the year exactly once, in order.
    const windows = pulled.provenance().windows;
    expect(windows[0]!.start).toBe("2025-01-01");
    expect(windows.at(-1)!.end).toBe("2025-07-31");
    for (let index = 1; index < windows.length; index++) {
      const previousEnd = new Date(`${windows[index - 1]!.end}T00:00:00Z`).getTime();
      expect(new Date(`${windows[index]!.start}T00:00:00Z`).getTime() - previousEnd).toBe(86_400_000);
    }
    expect(pulled.provenance().requestCount).toBe(server!.server.exchanges.length);
  });

  it("uses exclusive dateTo: a period ending 31 January asks for dateTo=2025-02-01 and gets 31 January's vouchers", async () => {
    await start();
    const { transactions } = await drain(
      await connector().pull(key("employee-ok"), { period: { start: "2025-01-01", end: "2025-01-31" } }),
    );
    expect(transactions.filter((transaction) => transaction.date === "2025-01-31")).toHaveLength(2);
    const posting = server!.server.exchanges.find((exchange) => exchange.path === "/ledger/posting")!;
    expect(posting.query.get("dateTo")).toBe("2025-02-01");
    const balance = server!.server.exchanges.find(
      (exchange) => exchange.path === "/balanceSheet" && exchange.query.get("count") !== "1",
    )!;
    expect(balance.query.get("includeActiveAccountsWithoutMovements")).toBe("true");
  });
});

describe("Tripletex connector: faults", () => {
  it("throttles on X-Rate-Limit-Remaining: a pull of many more requests than the budget gets no 429", async () => {
    await start();
    server!.api.setRateLimit({ limit: 5, periodSeconds: 1 });
    const pulled = await connector().pull(key("employee-ok"), { period: { start: "2025-01-01", end: "2025-03-31" } });
    expect((await drain(pulled)).transactions).toHaveLength(180);
    expect(server!.server.exchanges.length).toBeGreaterThan(10);
    expect(server!.server.exchanges.filter((exchange) => exchange.status === 429)).toEqual([]);
  });

  it("backs off on its own from a 429 without X-Rate-Limit-Reset, and honours Retry-After, then completes", async () => {
    await start();
    // Another client of the same token owner spent the budget: the connector never saw a Remaining of 0.
    const spendBudget = () => {
      const create = server!.api.handle({
        method: "PUT",
        path: "/token/session/:create",
        query: new URLSearchParams({
          consumerToken: CONSUMER,
          employeeToken: "employee-ok",
          expirationDate: "2099-01-01",
        }),
      });
      const token = (create.body as { value?: { token: string } }).value?.token ?? "";
      const authorization = `Basic ${Buffer.from(`0:${token}`).toString("base64")}`;
      while (
        server!.api.handle({
          method: "GET",
          path: "/token/session/>whoAmI",
          query: new URLSearchParams(),
          authorization,
        }).status !== 429
      );
    };
    // A fixed random source makes the client's own backoff (125, 250, 500, 500 ms …) outlast the 1 s period.
    const patient = connector({
      http: { timeoutMs: 2_000, random: () => 0.5, retry: { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 500 } },
    });

    server!.api.setRateLimit({ limit: 5, periodSeconds: 1, omitResetOn429: true });
    spendBudget();
    const first = await patient.pull(key("employee-ok"), { period: { start: "2025-01-01", end: "2025-01-31" } });
    expect((await drain(first)).transactions).toHaveLength(62);
    const refused = server!.server.exchanges.filter((exchange) => exchange.status === 429);
    expect(refused.length).toBeGreaterThan(0);

    server!.api.setRateLimit({ limit: 5, periodSeconds: 1, retryAfterOn429: true });
    // On a loaded machine the 1 s window can lapse between spending the budget and the connector's first call (then
    // the pull meets no 429 at all): spend it again and pull again until the pull meets the spent budget.
    let refusedWithRetryAfter = 0;
    for (let round = 0; round < 5 && refusedWithRetryAfter === 0; round++) {
      server!.server.clearExchanges();
      spendBudget();
      const second = await patient.pull(key("employee-ok"), { period: { start: "2025-02-01", end: "2025-02-28" } });
      expect((await drain(second)).transactions).toHaveLength(56);
      refusedWithRetryAfter = server!.server.exchanges.filter((exchange) => exchange.status === 429).length;
    }
    // Retry-After was honoured: the one refused call was retried after the wait, and nothing was refused again.
    expect(refusedWithRetryAfter).toBe(1);
  });

  it("reports rate-limited when the API keeps answering 429 past the retries, or asks for a longer wait than it will sleep", async () => {
    await start();
    server!.server.inject({ path: "/ledger/account", fault: { kind: "status", status: 429 }, times: Infinity });
    const error = await failure(connector().pull(key("employee-ok"), { period: YEAR_2025 }));
    expect(error).toMatchObject({ code: "CONNECTOR_RATE_LIMITED", status: "rate-limited" });
    expect(server!.server.count({ route: "/ledger/account" })).toBe(5);

    server!.server.clearFaults();
    server!.server.inject({
      path: "/ledger/account",
      fault: { kind: "status", status: 429, headers: { "Retry-After": "3600" } },
      times: Infinity,
    });
    const check = await connector().check(key("employee-ok"));
    expect(check.status).toBe("rate-limited");
    expect(check.retryAfter).toEqual(expect.any(String));
  });

  it("retries 5xx and a hung request, then completes; reports unavailable when 5xx persists", async () => {
    await start();
    server!.server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 503 }, times: 2 });
    server!.server.inject({ path: "/balanceSheet", fault: { kind: "hang" }, times: 1 });
    const tripletex = connector({ http: { timeoutMs: 300, retry: { baseDelayMs: 5, maxDelayMs: 20 } } });
    const { transactions } = await drain(
      await tripletex.pull(key("employee-ok"), { period: { start: "2025-01-01", end: "2025-01-31" } }),
    );
    expect(transactions).toHaveLength(62);

    server!.server.clearFaults();
    server!.server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 502 }, times: Infinity });
    const pulled = await tripletex.pull(key("employee-ok"), { period: YEAR_2025 });
    const error = await failure(drain(pulled));
    expect(error).toMatchObject({ code: "CONNECTOR_UNAVAILABLE", status: "unavailable" });
  });

  it("fails loudly on malformed JSON and on a changed response shape, naming the endpoint and the field", async () => {
    await start();
    server!.server.inject({ path: "/ledger/posting", fault: { kind: "malformed-json" }, times: Infinity });
    const malformed = await failure(drain(await connector().pull(key("employee-ok"), { period: YEAR_2025 })));
    expect(malformed).toMatchObject({ code: "CONNECTOR_RESPONSE_INVALID", endpoint: "GET /ledger/posting" });

    server!.server.clearFaults();
    server!.server.inject({
      path: "/ledger/posting",
      fault: {
        kind: "transform",
        transform: (json) => {
          const body = json as { values: Record<string, unknown>[] };
          for (const value of body.values) {
            value.amountNOK = value.amount;
            delete value.amount;
          }
          return body;
        },
      },
      times: Infinity,
    });
    const changed = await failure(drain(await connector().pull(key("employee-ok"), { period: YEAR_2025 })));
    expect(changed.code).toBe("CONNECTOR_RESPONSE_INVALID");
    expect(changed.message).toMatch(/GET \/ledger\/posting.*values\[0\]\.amount/);
  });

  it("reads a window again when the books change between its pages, and gives up as unavailable when they keep changing", async () => {
    await start();
    let changes = 0;
    server!.server.inject({
      path: "/ledger/posting",
      when: (request) => request.query.get("from") !== "0" && request.query.get("count") !== "1",
      fault: {
        kind: "transform",
        transform: (json) => ({ ...(json as object), versionDigest: `changed-${++changes}` }),
      },
      times: Infinity,
    });
    const pulled = await connector({ pageSize: 10 }).pull(key("employee-ok"), {
      period: { start: "2025-01-01", end: "2025-01-31" },
    });
    const error = await failure(drain(pulled));
    expect(error).toMatchObject({ code: "CONNECTOR_UNAVAILABLE", status: "unavailable" });
    expect(error.message).toMatch(/2025-01-01…2025-01-31 kept changing while being read \(3 attempts\)/);
    expect(server!.server.count({ route: "/ledger/posting", path: "/ledger/posting" })).toBeGreaterThan(3);
  });

  it("refuses an amount with more than two decimals as CONNECTOR_AMOUNT_INVALID", async () => {
    await start();
    server!.server.inject({
      path: "/balanceSheet",
      when: (request) => request.query.get("count") !== "1",
      fault: {
        kind: "transform",
        transform: (json) => {
          const body = json as { values: { balanceOut: number }[] };
          body.values[0]!.balanceOut = 10.005;
          return body;
        },
      },
    });
    const error = await failure(connector().pull(key("employee-ok"), { period: YEAR_2025 }));
    expect(error.code).toBe("CONNECTOR_AMOUNT_INVALID");
    expect(error.message).toMatch(/balanceOut/);
  });
});

describe("Tripletex connector: incremental refresh", () => {
  it("leaves a change made between the plan and an incremental pull, in a window the pull keeps, to the next plan", async () => {
    await start();
    const tripletex = connector();
    const base = await tripletex.pull(key("employee-ok"), { period: YEAR_2025 });
    await drain(base);
    server!.api.addVoucher(
      4711,
      voucherOf(90_011, "2025-11-20", [
        ["1920", 900n],
        ["3000", -900n],
      ]),
    );
    const plan = await tripletex.plan(key("employee-ok"), {
      period: YEAR_2025,
      previousMarker: base.provenance().marker!,
    });
    expect(plan).toMatchObject({ kind: "incremental", windows: [{ start: "2025-11-01", end: "2025-11-30" }] });
    if (plan.kind !== "incremental") return;
    // Booked after the plan, in May: a window the incremental pull keeps from before.
    server!.api.addVoucher(
      4711,
      voucherOf(90_012, "2025-05-20", [
        ["1920", 300n],
        ["3000", -300n],
      ]),
    );
    const pulled = await tripletex.pull(key("employee-ok"), {
      period: YEAR_2025,
      previousMarker: base.provenance().marker!,
      windows: plan.windows,
      planned: plan.planned,
    });
    await drain(pulled);
    const next = await tripletex.plan(key("employee-ok"), {
      period: YEAR_2025,
      previousMarker: pulled.provenance().marker!,
    });
    expect(next).toMatchObject({ kind: "incremental", windows: [{ start: "2025-05-01", end: "2025-05-31" }] });
  });

  it("plans an unchanged re-sync in at most 5 requests and sees a new voucher, or a voucher and its reversal, in its month", async () => {
    await start();
    const tripletex = connector();
    const pulled = await tripletex.pull(key("employee-ok"), { period: YEAR_2025 });
    await drain(pulled);
    const marker = pulled.provenance().marker!;

    server!.server.clearExchanges();
    const unchanged = await tripletex.plan(key("employee-ok"), { period: YEAR_2025, previousMarker: marker });
    expect(unchanged.kind).toBe("unchanged");
    expect(server!.server.exchanges.length).toBeLessThanOrEqual(5);
    expect(unchanged.requestCount).toBe(server!.server.exchanges.length);

    server!.api.addVoucher(
      4711,
      voucherOf(90_001, "2025-11-30", [
        ["1920", 500n],
        ["3000", -500n],
      ]),
    );
    expect(await tripletex.plan(key("employee-ok"), { period: YEAR_2025, previousMarker: marker })).toMatchObject({
      kind: "incremental",
      windows: [{ start: "2025-11-01", end: "2025-11-30" }],
    });
    // A marker of a pull from before incremental refresh (no per-window digests): the change is read in full.
    const older = Object.fromEntries(Object.entries(marker.details!).filter(([name]) => !name.startsWith("window:")));
    expect(
      await tripletex.plan(key("employee-ok"), { period: YEAR_2025, previousMarker: { ...marker, details: older } }),
    ).toMatchObject({ kind: "full", reason: expect.stringMatching(/no digest per window/) });

    // A voucher and its reversal move no figure; the voucher list still changes.
    await server!.close();
    await start();
    const again = connector();
    const base = await again.pull(key("employee-ok"), { period: YEAR_2025 });
    await drain(base);
    server!.api.addVoucher(
      4711,
      voucherOf(90_002, "2025-05-05", [
        ["1920", 700n],
        ["3000", -700n],
      ]),
    );
    server!.api.addVoucher(
      4711,
      voucherOf(90_003, "2025-05-06", [
        ["1920", -700n],
        ["3000", 700n],
      ]),
    );
    expect(
      await again.plan(key("employee-ok"), { period: YEAR_2025, previousMarker: base.provenance().marker! }),
    ).toMatchObject({ kind: "incremental", windows: [{ start: "2025-05-01", end: "2025-05-31" }] });
  });
});
