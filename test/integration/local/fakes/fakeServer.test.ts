import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeHttpResponse, FakeRateWindow, FakeServer } from "../../../../lib/local/fakes/fakeServer.ts";
import { collectGarbage } from "../../../helpers/memory.ts";

/** The fake-server toolkit on a real loopback port: routing, request helpers, faults on demand, the exchange log. */

let server: FakeServer;

beforeAll(async () => {
  server = await FakeServer.start({
    name: "toolkit",
    basePath: "/v2",
    routes: [
      {
        method: "GET",
        path: "/company/{id}",
        handler: (request) => ({ status: 200, json: { value: { id: Number(request.params.id) } } }),
      },
      { method: "GET", path: "/company/>withLoginAccess", handler: () => ({ status: 200, json: { values: [] } }) },
      {
        method: "PUT",
        path: "/token/session/:create",
        handler: (request) => ({ status: 200, json: { consumer: request.query.get("consumerToken") } }),
      },
      {
        method: "GET",
        path: "/whoami",
        handler: (request) => ({
          status: 200,
          json: { basic: request.basicAuth() ?? null, bearer: request.bearerToken() ?? null },
        }),
      },
      { method: "POST", path: "/echo", handler: (request) => ({ status: 200, json: { json: request.json() } }) },
      {
        method: "POST",
        path: "/form",
        handler: (request) => ({ status: 200, json: { grant: request.form().get("grant_type") } }),
      },
      { method: "GET", path: "/empty", handler: () => ({ status: 204 }) },
      {
        method: "GET",
        path: "/denied",
        handler: () => {
          throw new FakeHttpResponse({ status: 401, json: { status: 401, message: "expired" } });
        },
      },
      {
        method: "GET",
        path: "/broken",
        handler: () => {
          throw new Error("handler bug");
        },
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

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe("FakeServer", () => {
  it("listens on 127.0.0.1 on a free port and tells its URL with the base path", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it("routes OpenAPI-style templates, literal segments first, encoded or not", async () => {
    expect(JSON.parse((await get("/company/42")).text)).toEqual({ value: { id: 42 } });
    expect(JSON.parse((await get("/company/>withLoginAccess")).text)).toEqual({ values: [] });
    expect(JSON.parse((await get("/company/%3EwithLoginAccess")).text)).toEqual({ values: [] });
    const created = await get("/token/session/:create?consumerToken=c&employeeToken=e", { method: "PUT" });
    expect(JSON.parse(created.text)).toEqual({ consumer: "c" });
    expect(server.exchanges.map((exchange) => exchange.route)).toEqual([
      "/company/{id}",
      "/company/>withLoginAccess",
      "/company/>withLoginAccess",
      "/token/session/:create",
    ]);
  });

  it("answers 404 outside the routes and outside the base path", async () => {
    expect((await get("/nowhere")).status).toBe(404);
    expect((await fetch(`${server.origin}/company/1`)).status).toBe(404);
    expect((await get("/company/1", { method: "DELETE" })).status).toBe(404);
  });

  it("reads Basic and Bearer credentials, JSON and form bodies", async () => {
    const basic = await get("/whoami", {
      headers: { Authorization: `Basic ${Buffer.from("0:session-token").toString("base64")}` },
    });
    expect(JSON.parse(basic.text)).toEqual({ basic: { username: "0", password: "session-token" }, bearer: null });
    const bearer = await get("/whoami", { headers: { Authorization: "Bearer abc" } });
    expect(JSON.parse(bearer.text)).toEqual({ basic: null, bearer: "abc" });
    const echo = await get("/echo", {
      method: "POST",
      body: JSON.stringify({ a: 1 }),
      headers: { "content-type": "application/json" },
    });
    expect(JSON.parse(echo.text)).toEqual({ json: { a: 1 } });
    const form = await get("/form", { method: "POST", body: "grant_type=client_credentials" });
    expect(JSON.parse(form.text)).toEqual({ grant: "client_credentials" });
    expect((await get("/echo", { method: "POST", body: "{nope" })).status).toBe(400);
  });

  it("sends 204 without a body, thrown responses as they are, and a handler's bug as 500", async () => {
    const empty = await get("/empty");
    expect(empty).toMatchObject({ status: 204, text: "" });
    const denied = await get("/denied");
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.text)).toEqual({ status: 401, message: "expired" });
    const broken = await get("/broken");
    expect(broken.status).toBe(500);
    expect(JSON.parse(broken.text)).toEqual({ status: 500, message: "handler bug" });
  });
});

describe("the exchange log", () => {
  it("keeps JSON bodies up to a byte budget, dropping the oldest bodies first", async () => {
    const small = await FakeServer.start({
      name: "budget",
      keepBodyBytes: 100,
      routes: [
        {
          method: "GET",
          path: "/page/{n}",
          handler: (request) => ({ status: 200, json: { page: Number(request.params.n), filler: "x".repeat(20) } }),
        },
      ],
    });
    try {
      for (let page = 1; page <= 5; page++) await (await fetch(`${small.url}/page/${page}`)).text();
      const exchanges = small.exchanges;
      expect(exchanges).toHaveLength(5);
      // Each body is 42 bytes: the newest two fit in 100.
      expect(exchanges.map((exchange) => (exchange.json as { page: number } | undefined)?.page)).toEqual([
        undefined,
        undefined,
        undefined,
        4,
        5,
      ]);
      expect(exchanges.every((exchange) => exchange.status === 200)).toBe(true);
    } finally {
      await small.close();
    }
  });

  it("keeps no exchange, and so no body, with keepExchanges 0", async () => {
    let sent: WeakRef<object> | undefined;
    const none = await FakeServer.start({
      name: "none",
      keepExchanges: 0,
      routes: [
        {
          method: "GET",
          path: "/page",
          handler: () => {
            const body = { page: 1, rows: Array.from({ length: 1000 }, (_, index) => index) };
            sent = new WeakRef(body);
            return { status: 200, json: body };
          },
        },
      ],
    });
    try {
      await (await fetch(`${none.url}/page`)).text();
      expect(none.exchanges).toEqual([]);
      // The body the server sent is no longer reachable from it once collected.
      await new Promise((resolve) => setTimeout(resolve, 10));
      collectGarbage();
      expect(sent!.deref()).toBeUndefined();
    } finally {
      await none.close();
    }
  });
});

describe("faults on demand", () => {
  it("answers a status instead, as often as asked, after letting some through", async () => {
    const fault = server.inject({
      path: "/company/{id}",
      fault: { kind: "status", status: 429, headers: { "Retry-After": "2" }, json: { status: 429 } },
      skip: 1,
      times: 2,
    });
    const statuses: number[] = [];
    for (let index = 0; index < 4; index++) statuses.push((await get("/company/1")).status);
    expect(statuses).toEqual([200, 429, 429, 200]);
    expect(fault.fired).toBe(2);
    expect(server.exchanges.map((exchange) => exchange.fault)).toEqual([undefined, "status", "status", undefined]);
  });

  it("matches on method, exact path, pattern and a request condition", async () => {
    server.inject({
      method: "GET",
      path: /^\/company\/7$/,
      when: (request) => request.query.get("fields") === "name",
      fault: { kind: "status", status: 503 },
      times: Infinity,
    });
    expect((await get("/company/7?fields=name")).status).toBe(503);
    expect((await get("/company/7")).status).toBe(200);
    expect((await get("/company/8?fields=name")).status).toBe(200);
  });

  it("sends malformed JSON", async () => {
    server.inject({ path: "/company/{id}", fault: { kind: "malformed-json" } });
    const response = await get("/company/1");
    expect(response.status).toBe(200);
    expect(() => JSON.parse(response.text)).toThrow(SyntaxError);
  });

  it("changes the response's shape", async () => {
    server.inject({ path: "/company/{id}", fault: { kind: "transform", transform: (json) => ({ data: json }) } });
    expect(JSON.parse((await get("/company/5")).text)).toEqual({ data: { value: { id: 5 } } });
  });

  it("drops the connection", async () => {
    server.inject({ path: "/company/{id}", fault: { kind: "reset" } });
    await expect(fetch(`${server.url}/company/1`)).rejects.toThrow();
  });

  it("delays a page", async () => {
    server.inject({ path: "/company/{id}", fault: { kind: "delay", ms: 200 } });
    const start = Date.now();
    expect((await get("/company/1")).status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(195);
  });

  it("hangs until the client gives up, and releases hung requests on clearFaults", async () => {
    server.inject({ path: "/company/{id}", fault: { kind: "hang" }, times: 2 });
    await expect(fetch(`${server.url}/company/1`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const hanging = fetch(`${server.url}/company/2`);
    await waitFor(() => server.exchanges.length === 2);
    server.clearFaults();
    await expect(hanging).rejects.toThrow();
    expect((await get("/company/3")).status).toBe(200);
  });

  it("ends a fault rule early on remove()", async () => {
    const fault = server.inject({ path: "/company/{id}", fault: { kind: "status", status: 500 }, times: Infinity });
    expect((await get("/company/1")).status).toBe(500);
    fault.remove();
    expect((await get("/company/1")).status).toBe(200);
  });

  it("closes with hung requests open", async () => {
    const other = await FakeServer.start({
      name: "closing",
      routes: [{ method: "GET", path: "/x", handler: () => ({ status: 200, json: {} }) }],
    });
    other.inject({ path: "/x", fault: { kind: "hang" } });
    const hanging = fetch(`${other.url}/x`);
    await waitFor(() => other.exchanges.length === 1);
    await other.close();
    await expect(hanging).rejects.toThrow();
  });
});

describe("FakeRateWindow", () => {
  it("allows `requests` per window per key, says when to retry, and remembers the busiest window", () => {
    let now = 1_000;
    const window = new FakeRateWindow({ requests: 2, perMs: 1000, now: () => now });
    expect(window.hit("a")).toEqual({ allowed: true, limit: 2, remaining: 1, retryAfterMs: 0 });
    now += 100;
    expect(window.hit("a")).toMatchObject({ allowed: true, remaining: 0 });
    expect(window.hit("b").allowed).toBe(true);
    now += 100;
    expect(window.hit("a")).toEqual({ allowed: false, limit: 2, remaining: 0, retryAfterMs: 800 });
    now += 900;
    expect(window.hit("a").allowed).toBe(true);
    expect(window.peak("a")).toBe(3);
    expect(window.refused("a")).toBe(1);
    expect(window.peak("b")).toBe(1);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
