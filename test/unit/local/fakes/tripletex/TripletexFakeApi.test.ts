import { describe, expect, it } from "vitest";
import { type FakeApiRequest, TripletexFakeApi } from "../../../../../lib/local/fakes/tripletex/TripletexFakeApi.ts";
import { testBooks, voucherOf } from "../../../../helpers/tripletexBooks.ts";

const CONSUMER = "test-consumer";
const YEARS = [
  { start: "2024-01-01", end: "2024-12-31" },
  { start: "2025-01-01", end: "2025-12-31" },
];

/** 2024: sale 1000.00, cost 400.00; allocation 8960/2050 600.00. 2025: sale 50.00. Opening: bank 100.00 / capital. */
function books(id: string, name: string, wrongIb = false) {
  return testBooks({
    id,
    name,
    fiscalYears: YEARS,
    vouchers: [
      voucherOf(1, "2024-03-01", [
        ["1920", 100_000n],
        ["3000", -100_000n],
      ]),
      voucherOf(2, "2024-06-30", [
        ["4000", 40_000n],
        ["1920", -40_000n],
      ]),
      voucherOf(
        3,
        "2024-12-31",
        [
          ["8960", 60_000n],
          ["2050", -60_000n],
        ],
        { kind: "result-allocation" },
      ),
      voucherOf(
        4,
        "2025-01-01",
        [
          ["1500", 5_000n],
          ["3000", -5_000n],
        ],
        { number: 1 },
      ),
    ],
    ...(wrongIb
      ? { adjustments: [{ from: "2025-01-01", account: "2050", amount: 60_000n, note: "2024 result not moved" }] }
      : {}),
  });
}

function setup(options: { wrongIb?: boolean; now?: () => Date; maxRows?: number } = {}) {
  const api = new TripletexFakeApi({
    consumerToken: CONSUMER,
    companies: [
      books("501", "Fjord AS", options.wrongIb),
      books("502", "Klient AS"),
      testBooks({ id: "900", name: "Regnskapsbyrå AS", vouchers: [] }),
    ],
    employeeTokens: [
      { token: "emp", companyId: 501, employee: { id: 7, firstName: "Kari", lastName: "Nordmann" } },
      {
        token: "acc",
        companyId: 900,
        employee: { id: 8, firstName: "Ola", lastName: "Revisor" },
        accountantFor: [501, 502],
      },
      {
        token: "limited",
        companyId: 501,
        employee: { id: 9, firstName: "Per", lastName: "Lønn" },
        denied: ["/ledger/posting"],
      },
    ],
    now: options.now ?? (() => new Date("2026-02-10T12:00:00Z")),
    ...(options.maxRows ? { maxRowsPerQuery: options.maxRows } : {}),
  });
  return { api };
}

function session(api: TripletexFakeApi, employeeToken: string, expirationDate = "2026-02-12"): string {
  const response = api.handle({
    method: "PUT",
    path: "/token/session/:create",
    query: new URLSearchParams({ consumerToken: CONSUMER, employeeToken, expirationDate }),
  });
  expect(response.status).toBe(200);
  return (response.body as { value: { token: string } }).value.token;
}

function get(api: TripletexFakeApi, token: string, path: string, query: Record<string, string> = {}, username = "0") {
  const request: FakeApiRequest = {
    method: "GET",
    path,
    query: new URLSearchParams(query),
    authorization: `Basic ${Buffer.from(`${username}:${token}`).toString("base64")}`,
  };
  return api.handle(request) as { status: number; headers: Record<string, string>; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("the fake Tripletex API", () => {
  it("gives a session asked for with today's date that is already expired, and one for today + 2 that works until it lapses", () => {
    let now = new Date("2026-02-10T12:00:00Z");
    const { api } = setup({ now: () => now });
    const sameDay = session(api, "emp", "2026-02-10");
    const whoAmI = get(api, sameDay, "/token/session/>whoAmI");
    expect(whoAmI.status).toBe(401);
    expect(whoAmI.body).toMatchObject({ status: 401, code: 3000 });
    expect(whoAmI.body.requestId).toBe(whoAmI.headers["x-tlx-request-id"]);

    const twoDays = session(api, "emp", "2026-02-12");
    expect(get(api, twoDays, "/token/session/>whoAmI").body.value).toMatchObject({ companyId: 501, employeeId: 7 });
    now = new Date("2026-02-12T00:00:01Z");
    expect(get(api, twoDays, "/token/session/>whoAmI").status).toBe(401);
  });

  it("refuses a wrong consumer or employee token at :create with 403 code 9000, and a missing expirationDate with 422", () => {
    const { api } = setup();
    const wrong = api.handle({
      method: "PUT",
      path: "/token/session/:create",
      query: new URLSearchParams({ consumerToken: CONSUMER, employeeToken: "nope", expirationDate: "2026-02-12" }),
    });
    expect(wrong).toMatchObject({ status: 403, body: { status: 403, code: 9000 } });
    const missing = api.handle({
      method: "PUT",
      path: "/token/session/:create",
      query: new URLSearchParams({ consumerToken: CONSUMER, employeeToken: "emp" }),
    });
    expect(missing).toMatchObject({
      status: 422,
      body: { code: 15000, validationMessages: [{ field: "expirationDate" }] },
    });
  });

  it("lets an accountant token with username 0 call only >whoAmI and >withLoginAccess; a client's id opens its books", () => {
    const { api } = setup();
    const token = session(api, "acc");
    const clients = get(api, token, "/company/>withLoginAccess", { fields: "id,name" });
    expect(clients.body.values).toEqual([
      { id: 501, name: "Fjord AS" },
      { id: 502, name: "Klient AS" },
    ]);
    expect(get(api, token, "/ledger/account")).toMatchObject({ status: 403, body: { code: 9000 } });
    expect(get(api, token, "/ledger/account", {}, "502").status).toBe(200);
    expect(get(api, token, "/company/502", { fields: "id,name" }, "502").body.value).toEqual({
      id: 502,
      name: "Klient AS",
    });
    expect(get(api, token, "/ledger/account", {}, "777")).toMatchObject({ status: 403, body: { code: 9000 } });
  });

  it("refuses an endpoint the employee token is not entitled to with 403", () => {
    const { api } = setup();
    const token = session(api, "limited");
    expect(get(api, token, "/ledger/account").status).toBe(200);
    expect(get(api, token, "/ledger/posting", { dateFrom: "2024-01-01", dateTo: "2025-01-01" })).toMatchObject({
      status: 403,
      body: { code: 9000 },
    });
  });

  it("reads the balance sheet with an exclusive dateTo, leaving out accounts without movement unless asked", () => {
    const { api } = setup();
    const token = session(api, "emp");
    const fields = "account(number),balanceIn,balanceChange,balanceOut";
    const year = get(api, token, "/balanceSheet", { dateFrom: "2024-01-01", dateTo: "2025-01-01", fields }).body.values;
    expect(year).toEqual([
      { account: { number: 1920 }, balanceIn: 100, balanceChange: 600, balanceOut: 700 },
      { account: { number: 2050 }, balanceIn: 0, balanceChange: -600, balanceOut: -600 },
      { account: { number: 3000 }, balanceIn: 0, balanceChange: -1000, balanceOut: -1000 },
      { account: { number: 4000 }, balanceIn: 0, balanceChange: 400, balanceOut: 400 },
      { account: { number: 8960 }, balanceIn: 0, balanceChange: 600, balanceOut: 600 },
    ]);
    // dateTo 2024-12-31 is exclusive: the year-end voucher of the 31st is not in it.
    const withoutLastDay = get(api, token, "/balanceSheet", { dateFrom: "2024-01-01", dateTo: "2024-12-31", fields })
      .body.values;
    expect(withoutLastDay.map((row: { account: { number: number } }) => row.account.number)).toEqual([
      1920, 3000, 4000,
    ]);
    const all = get(api, token, "/balanceSheet", {
      dateFrom: "2024-01-01",
      dateTo: "2025-01-01",
      fields,
      includeActiveAccountsWithoutMovements: "true",
    }).body.values;
    // Every (active) account of the chart comes too, with its opening.
    expect(all).toHaveLength(30);
    expect(all.find((row: { account: { number: number } }) => row.account.number === 2000)).toEqual({
      account: { number: 2000 },
      balanceIn: -100,
      balanceChange: 0,
      balanceOut: -100,
    });
  });

  it("opens 2025 with 2024's balance-sheet closing and result accounts at zero; the wrong-IB company leaves the allocation out", () => {
    const fields = "account(number),balanceIn";
    const query = {
      dateFrom: "2025-01-01",
      dateTo: "2026-01-01",
      fields,
      includeActiveAccountsWithoutMovements: "true",
    };
    const opening = (wrongIb: boolean) => {
      const { api } = setup({ wrongIb });
      const rows = get(api, session(api, "emp"), "/balanceSheet", query).body.values as {
        account: { number: number };
        balanceIn: number;
      }[];
      return Object.fromEntries(rows.map((row) => [row.account.number, row.balanceIn]));
    };
    const right = opening(false);
    expect(right).toMatchObject({ 1920: 700, 2000: -100, 2050: -600, 3000: 0, 4000: 0, 8960: 0 });
    expect(Object.values(right).reduce((sum, value) => sum + value, 0)).toBe(0);
    const wrong = opening(true);
    expect(wrong).toMatchObject({ 1920: 700, 2000: -100, 2050: 0 });
    expect(Object.values(wrong).reduce((sum, value) => sum + value, 0)).toBe(600);
  });

  it("pages postings with from/count, keeps one versionDigest across pages and changes it when the books change", () => {
    const { api } = setup();
    const token = session(api, "emp");
    const query = { dateFrom: "2024-01-01", dateTo: "2025-01-01", fields: "id,amount,voucher(number),customer(id)" };
    const first = get(api, token, "/ledger/posting", { ...query, from: "0", count: "4" }).body;
    const second = get(api, token, "/ledger/posting", { ...query, from: "4", count: "4" }).body;
    expect(first.values).toHaveLength(4);
    expect(second.values).toHaveLength(2);
    expect(second.versionDigest).toBe(first.versionDigest);
    // No field is ever null: an unset reference is left out (the OpenAPI document declares none nullable).
    expect(first.values[0]).toEqual({ id: expect.any(Number), amount: 1000, voucher: { number: 1 } });
    api.addVoucher(
      501,
      voucherOf(5, "2024-08-01", [
        ["1920", 1n],
        ["3000", -1n],
      ]),
    );
    expect(get(api, token, "/ledger/posting", { ...query, count: "4" }).body.versionDigest).not.toBe(
      first.versionDigest,
    );
  });

  it("refuses a query over the row cap with 422 code 23000 whatever count is, and an unknown field with 400 code 11000", () => {
    const { api } = setup({ maxRows: 6 });
    const token = session(api, "emp");
    const over = get(api, token, "/ledger/posting", { dateFrom: "2024-01-01", dateTo: "2026-01-01", count: "1" });
    expect(over).toMatchObject({ status: 422, body: { status: 422, code: 23000 } });
    expect(get(api, token, "/ledger/posting", { dateFrom: "2024-01-01", dateTo: "2025-01-01" }).status).toBe(200);
    expect(get(api, token, "/ledger/account", { fields: "id,numbr" })).toMatchObject({
      status: 400,
      body: { code: 11000 },
    });
  });

  it("counts requests per employee token and answers 429 for the rest of the period once the limit is hit", () => {
    let now = new Date("2026-02-10T12:00:00Z");
    const { api } = setup({ now: () => now });
    api.setRateLimit({ limit: 3, periodSeconds: 60, omitResetOn429: true });
    const token = session(api, "emp"); // 1
    const ok = get(api, token, "/token/session/>whoAmI"); // 2
    expect(ok.headers).toMatchObject({
      "X-Rate-Limit-Limit": "3",
      "X-Rate-Limit-Remaining": "1",
      "X-Rate-Limit-Reset": "60",
    });
    expect(get(api, token, "/token/session/>whoAmI").status).toBe(200); // 3
    const limited = get(api, token, "/token/session/>whoAmI");
    expect(limited.status).toBe(429);
    expect(limited.headers["X-Rate-Limit-Remaining"]).toBe("0");
    expect(limited.headers["X-Rate-Limit-Reset"]).toBeUndefined();
    // Another employee token has its own budget.
    expect(get(api, session(api, "acc"), "/token/session/>whoAmI").status).toBe(200);
    now = new Date("2026-02-10T12:01:00Z");
    expect(get(api, token, "/token/session/>whoAmI").status).toBe(200);
  });
});
