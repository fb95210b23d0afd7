import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { JsonAmountSchema } from "../../../../lib/connectors/amounts.ts";
import {
  ConnectorAmountInvalidError,
  ConnectorError,
  ConnectorInvalidKeyError,
  ConnectorNoAccessError,
  ConnectorRateLimitedError,
  ConnectorRequestRejectedError,
  ConnectorResponseInvalidError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
} from "../../../../lib/connectors/errors.ts";
import {
  ConnectorHttpClient,
  type ConnectorHttpClientOptions,
  type RetryEvent,
} from "../../../../lib/connectors/http/ConnectorHttpClient.ts";
import { KeyedRateLimiter } from "../../../../lib/connectors/http/KeyedRateLimiter.ts";
import { RequestRecorder } from "../../../../lib/connectors/http/RequestRecorder.ts";
import {
  FakeRateWindow,
  FakeServer,
  type FakeRequest,
  type FakeResponse,
} from "../../../../lib/local/fakes/fakeServer.ts";

/**
 * The connectors' HTTP client against a real HTTP server on loopback (the fake-server toolkit), with the faults the
 * accounting APIs produce. Retry delays are shortened through the policy, never mocked away: the waits are real.
 */

const PostingListSchema = z.object({
  fullResultSize: z.number().int(),
  values: z.array(
    z.object({ id: z.number().int(), account: z.object({ number: z.number().int() }), amount: JsonAmountSchema }),
  ),
});

const POSTINGS = {
  fullResultSize: 2,
  values: [
    { id: 1, account: { number: 1920 }, amount: 1234.5 },
    { id: 2, account: { number: 3000 }, amount: -1234.5 },
  ],
};

const rateWindow = new FakeRateWindow({ requests: 5, perMs: 500 });
let server: FakeServer;

beforeAll(async () => {
  server = await FakeServer.start({
    name: "test-api",
    basePath: "/v2",
    routes: [
      { method: "GET", path: "/ledger/posting", handler: () => ({ status: 200, json: POSTINGS }) },
      { method: "GET", path: "/empty", handler: () => ({ status: 204 }) },
      {
        method: "PUT",
        path: "/token/session/:create",
        handler: (request) => ({ status: 200, json: { value: { token: request.query.get("employeeToken") } } }),
      },
      {
        method: "POST",
        path: "/OAuth/Token",
        handler: (request) => ({ status: 200, json: { form: request.form().get("grant_type") } }),
      },
      { method: "GET", path: "/limited/{key}", handler: limitedHandler },
      {
        method: "GET",
        path: "/budget",
        handler: () => ({
          status: 200,
          json: { ok: true },
          headers: { "X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "1" },
        }),
      },
    ],
  });
});

afterEach(() => {
  server.clearFaults();
  server.clearExchanges();
});

afterAll(async () => {
  await server.close();
});

function limitedHandler(request: FakeRequest): FakeResponse {
  const decision = rateWindow.hit(request.params.key!);
  if (!decision.allowed)
    return {
      status: 429,
      headers: { "Retry-After": String(Math.ceil(decision.retryAfterMs / 1000)) },
      json: { status: 429 },
    };
  return { status: 200, json: { ok: true } };
}

function client(options: Partial<ConnectorHttpClientOptions> = {}): ConnectorHttpClient {
  return new ConnectorHttpClient({
    system: "test-api",
    baseUrl: server.url,
    timeoutMs: 2_000,
    retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 5_000 },
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    return error as ConnectorError;
  }
  throw new Error("expected the request to fail");
}

describe("ConnectorHttpClient over loopback", () => {
  it("validates the answer and converts amounts to øre", async () => {
    const response = await client().get("/ledger/posting", PostingListSchema, {
      query: { dateFrom: "2025-01-01", dateTo: "2025-02-01", from: 0, count: 1000 },
    });
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(1);
    expect(response.data.values.map((value) => value.amount)).toEqual([123450n, -123450n]);
    expect(server.exchanges[0]!.query.get("dateTo")).toBe("2025-02-01");
  });

  it("retries a 5xx with backoff and succeeds", async () => {
    server.inject({
      path: "/ledger/posting",
      fault: { kind: "status", status: 503, json: { status: 503, message: "maintenance" } },
      times: 2,
    });
    const retries: RetryEvent[] = [];
    const response = await client({ onRetry: (event) => retries.push(event) }).get(
      "/ledger/posting",
      PostingListSchema,
    );
    expect(response.attempts).toBe(3);
    expect(retries.map((event) => event.reason)).toEqual([503, 503]);
    expect(server.count({ route: "/ledger/posting" })).toBe(3);
  });

  it("gives up on a persistent 5xx after the attempts, with CONNECTOR_UNAVAILABLE naming endpoint and status", async () => {
    server.inject({
      path: "/ledger/posting",
      fault: { kind: "status", status: 500, json: { status: 500, message: "Internal error" } },
      times: Infinity,
    });
    const error = await rejection(client().get("/ledger/posting", PostingListSchema));
    expect(error).toBeInstanceOf(ConnectorUnavailableError);
    expect(error.code).toBe("CONNECTOR_UNAVAILABLE");
    expect(error.status).toBe("unavailable");
    expect(error.message).toBe("test-api GET /ledger/posting: the API answered 500: Internal error (4 attempts)");
    expect(error.context).toMatchObject({ endpoint: "GET /ledger/posting", httpStatus: 500, attempts: 4 });
    expect(server.count({ route: "/ledger/posting" })).toBe(4);
  });

  it("waits as long as Retry-After says (seconds) before retrying a 429", async () => {
    server.inject({
      path: "/ledger/posting",
      fault: { kind: "status", status: 429, headers: { "Retry-After": "1" }, json: { status: 429 } },
    });
    const response = await client().get("/ledger/posting", PostingListSchema);
    expect(response.attempts).toBe(2);
    const [first, second] = server.exchanges;
    expect(first!.status).toBe(429);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it("reads Retry-After as an HTTP date", async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    server.inject({
      path: "/ledger/posting",
      fault: { kind: "status", status: 429, headers: { "Retry-After": at.toUTCString() } },
    });
    const response = await client().get("/ledger/posting", PostingListSchema);
    expect(response.attempts).toBe(2);
    expect(server.exchanges[1]!.at).toBeGreaterThanOrEqual(at.getTime() - 50);
  });

  it("backs off on its own on a 429 without Retry-After", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 429 }, times: 2 });
    const retries: RetryEvent[] = [];
    const response = await client({ onRetry: (event) => retries.push(event) }).get(
      "/ledger/posting",
      PostingListSchema,
    );
    expect(response.attempts).toBe(3);
    expect(retries.map((event) => event.reason)).toEqual([429, 429]);
    expect(retries.every((event) => event.delayMs >= 0 && event.delayMs < 200)).toBe(true);
  });

  it("does not sleep through a Retry-After beyond its patience: CONNECTOR_RATE_LIMITED with when to come back", async () => {
    server.inject({
      path: "/ledger/posting",
      fault: { kind: "status", status: 429, headers: { "Retry-After": "3600" } },
    });
    const before = Date.now();
    const error = await rejection(client().get("/ledger/posting", PostingListSchema));
    expect(error).toBeInstanceOf(ConnectorRateLimitedError);
    expect(error.status).toBe("rate-limited");
    const retryAfter = Date.parse((error as ConnectorRateLimitedError).retryAfter!);
    expect(retryAfter).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(server.count({ route: "/ledger/posting" })).toBe(1);
  });

  it("reports CONNECTOR_RATE_LIMITED when 429s outlast the attempts", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 429 }, times: Infinity });
    const error = await rejection(
      client({ retry: { maxAttempts: 2, baseDelayMs: 10 } }).get("/ledger/posting", PostingListSchema),
    );
    expect(error.code).toBe("CONNECTOR_RATE_LIMITED");
    expect(error.context.attempts).toBe(2);
  });

  it("times out a hung request, retries it, and succeeds when the server answers again", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "hang" } });
    const retries: RetryEvent[] = [];
    const response = await client({ timeoutMs: 300, onRetry: (event) => retries.push(event) }).get(
      "/ledger/posting",
      PostingListSchema,
    );
    expect(response.attempts).toBe(2);
    expect(retries[0]!.reason).toBe("timeout");
  });

  it("gives up with CONNECTOR_TIMEOUT when the server never answers", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "hang" }, times: Infinity });
    const error = await rejection(
      client({ timeoutMs: 200, retry: { maxAttempts: 2, baseDelayMs: 10 } }).get("/ledger/posting", PostingListSchema),
    );
    expect(error).toBeInstanceOf(ConnectorTimeoutError);
    expect(error.message).toBe("test-api GET /ledger/posting: no answer within 200 ms (2 attempts)");
    expect(error.status).toBe("unavailable");
  });

  it("treats a slow page within the timeout as a normal answer", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "delay", ms: 300 } });
    const response = await client({ timeoutMs: 5_000 }).get("/ledger/posting", PostingListSchema);
    expect(response.attempts).toBe(1);
  });

  it("retries a dropped connection", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "reset" } });
    const response = await client().get("/ledger/posting", PostingListSchema);
    expect(response.attempts).toBe(2);
  });

  it("reports a refused connection as CONNECTOR_UNAVAILABLE", async () => {
    const closed = await FakeServer.start({ name: "closed", routes: [] });
    const url = closed.url;
    await closed.close();
    const error = await rejection(
      client({ baseUrl: url, retry: { maxAttempts: 2, baseDelayMs: 5 } }).get("/x", z.unknown()),
    );
    expect(error).toBeInstanceOf(ConnectorUnavailableError);
    expect(error.message).toMatch(/^test-api GET \/x: could not reach the API \(ECONNREFUSED; 2 attempts\)$/);
  });

  it("maps a 204 to the request's empty value", async () => {
    const response = await client().get("/empty", z.array(z.object({ Id: z.number() })), { emptyValue: [] });
    expect(response).toMatchObject({ status: 204, empty: true, data: [] });
  });

  it("refuses a 204 where a body is required", async () => {
    const error = await rejection(client().get("/empty", PostingListSchema));
    expect(error).toBeInstanceOf(ConnectorResponseInvalidError);
    expect(error.message).toBe("test-api GET /empty: the API answered 204 with no body where a JSON body was expected");
  });

  it("fails loudly on malformed JSON, without retrying", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "malformed-json" } });
    const error = await rejection(client().get("/ledger/posting", PostingListSchema));
    expect(error).toBeInstanceOf(ConnectorResponseInvalidError);
    expect(error.code).toBe("CONNECTOR_RESPONSE_INVALID");
    expect(error.message).toMatch(
      /^test-api GET \/ledger\/posting: the answer is not JSON \(.+; starts "\{\\"values\\": \[\{\\"id\\": 1, \\"amount\\": 12"\)$/,
    );
    expect(server.count({ route: "/ledger/posting" })).toBe(1);
  });

  it("fails loudly on a changed response shape, naming the endpoint and each field", async () => {
    server.inject({
      path: "/ledger/posting",
      fault: {
        kind: "transform",
        transform: (json) => {
          const body = json as { values: Record<string, unknown>[] };
          body.values[1]!.account = { number: "3000" };
          delete body.values[0]!.id;
          return body;
        },
      },
    });
    const error = (await rejection(
      client().get("/ledger/posting", PostingListSchema, { endpoint: "GET /ledger/posting" }),
    )) as ConnectorResponseInvalidError;
    expect(error).toBeInstanceOf(ConnectorResponseInvalidError);
    expect(error.message).toBe(
      "test-api GET /ledger/posting: the answer does not have the expected shape (the API may have changed): values[0].id: Invalid input: expected number, received undefined; values[1].account.number: Invalid input: expected number, received string",
    );
    expect(error.problems.map((problem) => problem.path)).toEqual(["values[0].id", "values[1].account.number"]);
  });

  it("reports a missing amount as a changed shape (CONNECTOR_RESPONSE_INVALID), not as an invalid amount", async () => {
    server.inject({
      path: "/ledger/posting",
      fault: {
        kind: "transform",
        transform: (json) => ({ ...(json as object), values: [{ id: 1, account: { number: 1920 } }] }),
      },
    });
    const error = (await rejection(
      client().get("/ledger/posting", PostingListSchema),
    )) as ConnectorResponseInvalidError;
    expect(error).toBeInstanceOf(ConnectorResponseInvalidError);
    expect(error.code).toBe("CONNECTOR_RESPONSE_INVALID");
    expect(error.problems).toEqual([
      { path: "values[0].amount", message: "Invalid input: expected number, received undefined" },
    ]);
  });

  it("reports an amount that is not exact to the øre as CONNECTOR_AMOUNT_INVALID at its field", async () => {
    server.inject({
      path: "/ledger/posting",
      fault: {
        kind: "transform",
        transform: (json) => ({ ...(json as object), values: [{ id: 1, account: { number: 1920 }, amount: 10.005 }] }),
      },
    });
    const error = await rejection(client().get("/ledger/posting", PostingListSchema));
    expect(error).toBeInstanceOf(ConnectorAmountInvalidError);
    expect(error.message).toBe(
      "test-api GET /ledger/posting values[0].amount: amount 10.005 is not valid (more than two decimals: not exact to the øre)",
    );
    expect(error.context).toMatchObject({ field: "values[0].amount", value: "10.005" });
  });

  it("refuses an answer larger than its limit, without reading it all", async () => {
    const error = await rejection(client({ maxResponseBytes: 64 }).get("/ledger/posting", PostingListSchema));
    expect(error).toBeInstanceOf(ConnectorResponseInvalidError);
    expect(error.message).toBe("test-api GET /ledger/posting: the answer is larger than 64 bytes");
    expect(server.count({ route: "/ledger/posting" })).toBe(1);
  });

  it("maps 401, 403 and other 4xx to their codes, keeping the body for the adapter", async () => {
    server.inject({
      path: "/ledger/posting",
      fault: { kind: "status", status: 401, json: { status: 401, code: 3000, message: "Unauthorized" } },
    });
    const invalid = await rejection(client().get("/ledger/posting", PostingListSchema));
    expect(invalid).toBeInstanceOf(ConnectorInvalidKeyError);
    expect(invalid.status).toBe("invalid-key");

    server.inject({
      path: "/ledger/posting",
      fault: { kind: "status", status: 403, json: { Title: "Forbidden", Detail: "missing privilege" } },
    });
    const forbidden = await rejection(client().get("/ledger/posting", PostingListSchema));
    expect(forbidden).toBeInstanceOf(ConnectorNoAccessError);
    expect(forbidden.message).toBe(
      "test-api GET /ledger/posting: the key has no access (403: Forbidden missing privilege)",
    );

    server.inject({
      path: "/ledger/posting",
      fault: { kind: "status", status: 422, json: { status: 422, code: 23000, message: "Result set too large" } },
    });
    const rejected = (await rejection(
      client().get("/ledger/posting", PostingListSchema),
    )) as ConnectorRequestRejectedError;
    expect(rejected).toBeInstanceOf(ConnectorRequestRejectedError);
    expect(rejected.httpStatus).toBe(422);
    expect(rejected.body).toEqual({ status: 422, code: 23000, message: "Result set too large" });
    expect(server.count({ route: "/ledger/posting" })).toBe(3);
  });

  it("records each request for provenance, secrets removed, retries marked", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 502 } });
    const recorder = new RequestRecorder();
    const api = client({ recorder });
    await api.request({
      method: "PUT",
      path: "/token/session/:create",
      query: { consumerToken: "consumer-secret", employeeToken: "employee-secret", expirationDate: "2026-12-06" },
      schema: z.object({ value: z.object({ token: z.string() }) }),
    });
    await api.get("/ledger/posting", PostingListSchema, {
      query: { dateFrom: "2025-01-01", dateTo: "2025-02-01" },
      window: { start: "2025-01-01", end: "2025-01-31" },
      rows: (data) => data.values.length,
      headers: { Authorization: "Basic c2VjcmV0" },
    });
    expect(recorder.count).toBe(3);
    expect(recorder.records).toEqual([
      { method: "PUT", path: "/token/session/:create?expirationDate=2026-12-06", status: 200 },
      {
        method: "GET",
        path: "/ledger/posting?dateFrom=2025-01-01&dateTo=2025-02-01",
        status: 502,
        window: { start: "2025-01-01", end: "2025-01-31" },
      },
      {
        method: "GET",
        path: "/ledger/posting?dateFrom=2025-01-01&dateTo=2025-02-01",
        status: 200,
        window: { start: "2025-01-01", end: "2025-01-31" },
        rows: 2,
        attempt: 2,
      },
    ]);
    expect(JSON.stringify(recorder.records)).not.toMatch(/secret/);
  });

  it("sends form bodies and does not resend a POST after a 500", async () => {
    const response = await client().request({
      method: "POST",
      path: "/OAuth/Token",
      body: { form: { grant_type: "client_credentials" } },
      schema: z.object({ form: z.string() }),
    });
    expect(response.data.form).toBe("client_credentials");
    server.inject({ path: "/OAuth/Token", fault: { kind: "status", status: 500 } });
    const error = await rejection(
      client().request({
        method: "POST",
        path: "/OAuth/Token",
        body: { form: { grant_type: "client_credentials" } },
        schema: z.unknown(),
      }),
    );
    expect(error.code).toBe("CONNECTOR_UNAVAILABLE");
    expect(server.count({ route: "/OAuth/Token" })).toBe(2);
  });

  it("rejects with the caller's own abort reason, not a connector error", async () => {
    server.inject({ path: "/ledger/posting", fault: { kind: "hang" } });
    const controller = new AbortController();
    const pending = client({ timeoutMs: 10_000 }).get("/ledger/posting", PostingListSchema, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("sync cancelled")), 100);
    await expect(pending).rejects.toThrow("sync cancelled");
  });
});

describe("the shared limiter over loopback", () => {
  it("keeps clients on one key under the server's cap, with no 429, however many requests they start at once", async () => {
    rateWindow.reset();
    const limiter = new KeyedRateLimiter({ defaultLimit: { requests: 5, perMs: 500 } });
    // Three clients (think: three tenants' connectors) spending one subscription key's budget.
    const clients = [0, 1, 2].map(() => client({ limiter, limiterKey: "subscription-a" }));
    const calls = Array.from({ length: 24 }, (_, index) =>
      clients[index % 3]!.get("/limited/subscription-a", z.object({ ok: z.boolean() })),
    );
    const responses = await Promise.all(calls);
    expect(responses.every((response) => response.attempts === 1)).toBe(true);
    expect(rateWindow.refused("subscription-a")).toBe(0);
    expect(rateWindow.peak("subscription-a")).toBeLessThanOrEqual(5);
    expect(server.count({ route: "/limited/{key}" })).toBe(24);
  });

  it("pauses every client on the key when the server says the budget is spent", async () => {
    const limiter = new KeyedRateLimiter();
    const first = client({ limiter, limiterKey: "owner-1" });
    const second = client({ limiter, limiterKey: "owner-1" });
    await first.get("/budget", z.object({ ok: z.boolean() }));
    expect(limiter.stats("owner-1").pausedUntil).toBeGreaterThan(Date.now());
    await second.get("/ledger/posting", PostingListSchema);
    const [budget, posting] = server.exchanges;
    expect(posting!.at - budget!.at).toBeGreaterThanOrEqual(900);
  });

  it("makes every client on the key wait out a 503's Retry-After", async () => {
    const limiter = new KeyedRateLimiter();
    server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 503, headers: { "Retry-After": "1" } } });
    const unavailable = client({ limiter, limiterKey: "owner-4" }).get("/ledger/posting", PostingListSchema);
    await waitFor(() => limiter.stats("owner-4").pausedUntil !== undefined);
    await client({ limiter, limiterKey: "owner-4" }).get("/empty", z.unknown(), { emptyValue: null });
    expect((await unavailable).attempts).toBe(2);
    const failedAt = server.exchanges.find((exchange) => exchange.status === 503)!.at;
    const otherAt = server.exchanges.find((exchange) => exchange.route === "/empty")!.at;
    expect(otherAt - failedAt).toBeGreaterThanOrEqual(950);
  });

  it("holds every client on the key for its own backoff after a 429 without Retry-After", async () => {
    const limiter = new KeyedRateLimiter();
    server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 429 } });
    const retries: RetryEvent[] = [];
    const throttledClient = client({
      limiter,
      limiterKey: "owner-3",
      random: () => 0.99,
      retry: { baseDelayMs: 400 },
      onRetry: (event) => retries.push(event),
    });
    const throttled = throttledClient.get("/ledger/posting", PostingListSchema);
    await waitFor(() => retries.length === 1);
    expect(retries[0]!.delayMs).toBe(396);
    await client({ limiter, limiterKey: "owner-3" }).get("/empty", z.unknown(), { emptyValue: null });
    await throttled;
    const throttledAt = server.exchanges.find((exchange) => exchange.status === 429)!.at;
    const otherAt = server.exchanges.find((exchange) => exchange.route === "/empty")!.at;
    expect(otherAt - throttledAt).toBeGreaterThanOrEqual(390);
  });

  it("makes every client on the key wait out a Retry-After that one of them got", async () => {
    const limiter = new KeyedRateLimiter();
    server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 429, headers: { "Retry-After": "1" } } });
    const throttled = client({ limiter, limiterKey: "owner-2" }).get("/ledger/posting", PostingListSchema);
    await waitFor(
      () => server.count({ route: "/ledger/posting" }) === 1 && limiter.stats("owner-2").pausedUntil !== undefined,
    );
    await client({ limiter, limiterKey: "owner-2" }).get("/empty", z.unknown(), { emptyValue: null });
    await throttled;
    const throttledAt = server.exchanges.find((exchange) => exchange.status === 429)!.at;
    const emptyAt = server.exchanges.find((exchange) => exchange.route === "/empty")!.at;
    expect(emptyAt - throttledAt).toBeGreaterThanOrEqual(950);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
