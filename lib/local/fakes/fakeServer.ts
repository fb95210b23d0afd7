import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The toolkit the fake accounting-API servers (Tripletex, PowerOffice Go) are built on: a node:http server on
 * 127.0.0.1 (port 0 by default, so tests run in parallel), a small router on OpenAPI-style path templates
 * (`/company/{id}`, literal segments such as `>whoAmI` and `:create` included), faults injected on demand (status
 * codes, hangs, delays, malformed JSON, dropped connections, a changed response shape), and a log of every exchange
 * (with the route template and the JSON sent) that the contract tests validate against the vendor's OpenAPI document.
 */

/** A request as a route handler sees it. */
export interface FakeRequest {
  method: string;
  /** Path after the server's base path, decoded per segment (`/token/session/>whoAmI`). */
  path: string;
  /** The raw path and query as received (before removing the base path). */
  rawUrl: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Path parameters of the matched template (`{id}` → `params.id`). */
  params: Record<string, string>;
  /** The body as text (bodies are small: token requests, a few JSON objects). */
  body: string;
  /** The body parsed as JSON (`undefined` when empty; throws a 400 response when not JSON). */
  json(): unknown;
  /** The body parsed as `application/x-www-form-urlencoded`. */
  form(): URLSearchParams;
  /** The Basic-auth user and password, if sent. */
  basicAuth(): { username: string; password: string } | undefined;
  /** The Bearer token, if sent. */
  bearerToken(): string | undefined;
}

/** What a handler answers. `json` is serialised; `body` is sent as is; neither means no body (e.g. 204). */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string | Uint8Array;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** A route: method and an OpenAPI-style path template relative to the base path. */
export interface FakeRoute {
  method: string;
  path: string;
  handler: FakeHandler;
}

/** A fault the server produces instead of (or on top of) the normal answer. */
export type Fault =
  /** Answer with this status (and body/headers) instead: 500, 503, 429 with or without `Retry-After` … */
  | { kind: "status"; status: number; headers?: Record<string, string>; json?: unknown; body?: string }
  /** Never answer: the request hangs until the client gives up or the server closes. */
  | { kind: "hang" }
  /** Answer normally after a delay (slow pages). */
  | { kind: "delay"; ms: number }
  /** Answer 200 with a body that is not JSON (cut off mid-document). */
  | { kind: "malformed-json" }
  /** Drop the connection without answering. */
  | { kind: "reset" }
  /** Answer normally, but with the JSON body changed (a changed response shape). */
  | { kind: "transform"; transform: (json: unknown) => unknown };

/** Which requests a fault applies to, and how often. */
export interface FaultRule {
  method?: string;
  /** A path template (`/ledger/posting`), an exact path, or a pattern tested on the path. */
  path?: string | RegExp;
  /** Further condition on the request (e.g. a query parameter). */
  when?: (request: FakeRequest) => boolean;
  fault: Fault;
  /** How many matching requests get the fault (default 1; `Infinity` for all). */
  times?: number;
  /** Matching requests to let through first (default 0). */
  skip?: number;
}

/** A fault rule in force, with how often it fired. */
export interface InjectedFault {
  readonly rule: FaultRule;
  /** Requests that got the fault so far. */
  readonly fired: number;
  /** Ends the rule early. */
  remove(): void;
}

/** One request and what was answered (for assertions and the contract tests). */
export interface FakeExchange {
  method: string;
  /** Path after the base path, as requested. */
  path: string;
  /** The matched route's template (`/company/{id}`), or undefined when no route matched. */
  route?: string;
  query: URLSearchParams;
  status: number;
  /** The JSON sent, when the answer was JSON (not for malformed or raw bodies). */
  json?: unknown;
  /** The fault applied, if any. */
  fault?: Fault["kind"];
  at: number;
}

export interface FakeServerOptions {
  /** For messages: `tripletex`, `poweroffice-go`. */
  name: string;
  /** Prefix of every route (`/v2`); requests outside it get 404. */
  basePath?: string;
  routes: readonly FakeRoute[];
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** The answer when no route matches (default: 404 with a JSON message). */
  notFound?: FakeHandler;
  /** The answer when a handler throws (default: 500 with the error's message). */
  onError?: (error: unknown, request: FakeRequest) => FakeResponse;
  /** Exchanges kept (default 10 000; older ones are dropped first). */
  keepExchanges?: number;
  /**
   * JSON bodies kept with the exchanges, in bytes as sent (default 32 MiB): past it the oldest exchanges lose their
   * `json` (they keep the rest), so a fake serving a 1 M-posting year in the test's own process does not hold the year.
   */
  keepBodyBytes?: number;
}

/** The body of a request is not JSON: answered 400 by the server. */
export class FakeBadRequest extends Error {
  constructor(
    message: string,
    readonly response: FakeResponse = { status: 400, json: { status: 400, message } },
  ) {
    super(message);
  }
}

/** Throw from a handler to answer with this response (e.g. a 401 from an auth check deep in a handler). */
export class FakeHttpResponse extends Error {
  constructor(readonly response: FakeResponse) {
    super(`fake response ${response.status}`);
  }
}

interface CompiledRoute extends FakeRoute {
  segments: { literal?: string; param?: string }[];
  literalCount: number;
}

interface FaultState {
  rule: FaultRule;
  seen: number;
  fired: number;
  removed: boolean;
}

/** A running fake server. Start with {@link FakeServer.start}; `url` is the base URL including the base path. */
export class FakeServer {
  readonly name: string;
  readonly basePath: string;
  readonly #server: Server;
  readonly #routes: CompiledRoute[];
  readonly #options: FakeServerOptions;
  readonly #faults: FaultState[] = [];
  readonly #exchanges: FakeExchange[] = [];
  /** Exchanges that still hold their JSON, oldest first, with the bytes each was sent as. */
  readonly #bodies: { exchange: FakeExchange; bytes: number }[] = [];
  #bodyBytes = 0;
  readonly #hung = new Set<ServerResponse>();
  #origin = "";
  #requests = 0;
  #inFlight = 0;
  #peakInFlight = 0;

  private constructor(options: FakeServerOptions) {
    this.#options = options;
    this.name = options.name;
    this.basePath = (options.basePath ?? "").replace(/\/+$/, "");
    this.#routes = options.routes.map(compileRoute).sort((a, b) => b.literalCount - a.literalCount);
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Starts a server and resolves once it listens. */
  static async start(options: FakeServerOptions): Promise<FakeServer> {
    const server = new FakeServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#server.once("error", reject);
      server.#server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
        server.#server.off("error", reject);
        resolve();
      });
    });
    const address = server.#server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    server.#origin = `http://${host}:${address.port}`;
    return server;
  }

  /** `http://127.0.0.1:PORT` */
  get origin(): string {
    return this.#origin;
  }

  /** The base URL clients use: origin plus base path (`http://127.0.0.1:PORT/v2`). */
  get url(): string {
    return `${this.#origin}${this.basePath}`;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Requests received since the server started, however many exchanges are kept (the local stack's `/health`). */
  /** The most requests the server was answering at once since it started (tests of client-side concurrency). */
  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  get requests(): number {
    return this.#requests;
  }

  /** Every exchange so far, oldest first (a copy). */
  get exchanges(): FakeExchange[] {
    return [...this.#exchanges];
  }

  /** Forgets the exchanges so far (e.g. between test phases). */
  clearExchanges(): void {
    this.#exchanges.length = 0;
    this.#bodies.length = 0;
    this.#bodyBytes = 0;
  }

  /** Requests so far that match a method and path template (or all). */
  count(filter: { method?: string; route?: string; path?: string | RegExp } = {}): number {
    return this.#exchanges.filter((exchange) => exchangeMatches(exchange, filter)).length;
  }

  /** Adds a fault rule; the newest rule wins when several match. */
  inject(rule: FaultRule): InjectedFault {
    const state: FaultState = { rule, seen: 0, fired: 0, removed: false };
    this.#faults.unshift(state);
    return {
      rule,
      get fired() {
        return state.fired;
      },
      remove: () => {
        state.removed = true;
      },
    };
  }

  /** Removes every fault rule and releases hung requests (their sockets are destroyed). */
  clearFaults(): void {
    this.#faults.length = 0;
    this.#releaseHung();
  }

  /** Stops listening and drops every connection (hung ones included). */
  async close(): Promise<void> {
    this.#releaseHung();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#requests += 1;
    this.#inFlight += 1;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
    response.once("close", () => (this.#inFlight -= 1));
    const rawUrl = incoming.url ?? "/";
    const url = new URL(rawUrl, "http://fake.invalid");
    const method = (incoming.method ?? "GET").toUpperCase();
    let body = "";
    try {
      body = await readBody(incoming);
    } catch {
      response.destroy();
      return;
    }
    const fullPath = decodePath(url.pathname);
    const inBase = this.basePath === "" || fullPath === this.basePath || fullPath.startsWith(`${this.basePath}/`);
    const path = inBase ? fullPath.slice(this.basePath.length) || "/" : fullPath;
    const match = inBase ? this.#match(method, path) : undefined;
    const request = makeRequest(method, path, rawUrl, url.searchParams, incoming.headers, match?.params ?? {}, body);
    const exchange: FakeExchange = {
      method,
      path,
      route: match?.route.path,
      query: url.searchParams,
      status: 0,
      at: Date.now(),
    };

    const fault = this.#takeFault(request, match?.route.path);
    if (fault) exchange.fault = fault.kind;
    if (fault?.kind === "hang") {
      exchange.status = 0;
      this.#log(exchange);
      this.#hung.add(response);
      response.on("close", () => this.#hung.delete(response));
      return;
    }
    if (fault?.kind === "reset") {
      this.#log(exchange);
      response.socket?.destroy();
      return;
    }
    if (fault?.kind === "delay") await delay(fault.ms);
    if (fault?.kind === "status") {
      const answer: FakeResponse = { status: fault.status, headers: fault.headers, json: fault.json, body: fault.body };
      this.#send(response, answer, exchange);
      return;
    }
    if (fault?.kind === "malformed-json") {
      exchange.status = 200;
      this.#log(exchange);
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      response.end('{"values": [{"id": 1, "amount": 12');
      return;
    }

    let answer: FakeResponse;
    try {
      if (!match) {
        answer = this.#options.notFound
          ? await this.#options.notFound(request)
          : { status: 404, json: { status: 404, message: `${this.name} fake: no route for ${method} ${fullPath}` } };
      } else {
        answer = await match.route.handler(request);
      }
    } catch (error) {
      if (error instanceof FakeHttpResponse || error instanceof FakeBadRequest) answer = error.response;
      else
        answer = this.#options.onError
          ? this.#options.onError(error, request)
          : { status: 500, json: { status: 500, message: String((error as Error)?.message ?? error) } };
    }
    if (fault?.kind === "transform" && answer.json !== undefined)
      answer = { ...answer, json: fault.transform(structuredClone(answer.json)) };
    this.#send(response, answer, exchange);
  }

  #send(response: ServerResponse, answer: FakeResponse, exchange: FakeExchange): void {
    exchange.status = answer.status;
    const headers: Record<string, string> = { ...answer.headers };
    let payload: string | Uint8Array | undefined = answer.body;
    if (answer.json !== undefined) {
      payload = JSON.stringify(answer.json);
      this.#keepBody(exchange, answer.json, payload.length);
      if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type"))
        headers["content-type"] = "application/json; charset=utf-8";
    }
    this.#log(exchange);
    if (response.destroyed) return;
    response.writeHead(answer.status, headers);
    response.end(payload);
  }

  #keepBody(exchange: FakeExchange, json: unknown, bytes: number): void {
    const limit = this.#options.keepBodyBytes ?? 32 * 1024 * 1024;
    if (bytes > limit) return;
    exchange.json = json;
    this.#bodies.push({ exchange, bytes });
    this.#bodyBytes += bytes;
    while (this.#bodyBytes > limit) {
      const oldest = this.#bodies.shift()!;
      delete oldest.exchange.json;
      this.#bodyBytes -= oldest.bytes;
    }
  }

  #log(exchange: FakeExchange): void {
    this.#exchanges.push(exchange);
    const keep = this.#options.keepExchanges ?? 10_000;
    if (this.#exchanges.length > keep) {
      const dropped = new Set(this.#exchanges.splice(0, this.#exchanges.length - keep));
      // Their bodies go with them (both lists are oldest first).
      while (this.#bodies.length > 0 && dropped.has(this.#bodies[0]!.exchange)) {
        const oldest = this.#bodies.shift()!;
        delete oldest.exchange.json;
        this.#bodyBytes -= oldest.bytes;
      }
    }
  }

  #match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
    const segments = splitPath(path);
    for (const route of this.#routes) {
      if (route.method.toUpperCase() !== method) continue;
      if (route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let index = 0; index < segments.length && ok; index++) {
        const want = route.segments[index]!;
        if (want.literal !== undefined) ok = want.literal === segments[index];
        else params[want.param!] = segments[index]!;
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  #takeFault(request: FakeRequest, route: string | undefined): Fault | undefined {
    for (const state of this.#faults) {
      if (state.removed) continue;
      const rule = state.rule;
      if (rule.method && rule.method.toUpperCase() !== request.method) continue;
      if (rule.path !== undefined) {
        const hit =
          typeof rule.path === "string"
            ? rule.path === route || rule.path === request.path
            : rule.path.test(request.path);
        if (!hit) continue;
      }
      if (rule.when && !rule.when(request)) continue;
      state.seen++;
      if (state.seen <= (rule.skip ?? 0)) continue;
      if (state.fired >= (rule.times ?? 1)) continue;
      state.fired++;
      return rule.fault;
    }
    return undefined;
  }

  #releaseHung(): void {
    for (const response of this.#hung) response.socket?.destroy();
    this.#hung.clear();
  }
}

function compileRoute(route: FakeRoute): CompiledRoute {
  const segments = splitPath(route.path).map((segment) => {
    const param = /^\{([^}]+)\}$/.exec(segment);
    return param ? { param: param[1]! } : { literal: segment };
  });
  return { ...route, segments, literalCount: segments.filter((segment) => segment.literal !== undefined).length };
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function decodePath(pathname: string): string {
  return pathname
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

function exchangeMatches(
  exchange: FakeExchange,
  filter: { method?: string; route?: string; path?: string | RegExp },
): boolean {
  if (filter.method && filter.method.toUpperCase() !== exchange.method) return false;
  if (filter.route && filter.route !== exchange.route) return false;
  if (filter.path !== undefined) {
    if (typeof filter.path === "string" ? filter.path !== exchange.path : !filter.path.test(exchange.path))
      return false;
  }
  return true;
}

function makeRequest(
  method: string,
  path: string,
  rawUrl: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  params: Record<string, string>,
  body: string,
): FakeRequest {
  return {
    method,
    path,
    rawUrl,
    query,
    headers,
    params,
    body,
    json() {
      if (body.trim() === "") return undefined;
      try {
        return JSON.parse(body);
      } catch (error) {
        throw new FakeBadRequest(`request body is not JSON: ${(error as Error).message}`);
      }
    },
    form() {
      return new URLSearchParams(body);
    },
    basicAuth() {
      const header = headers.authorization;
      const match = header ? /^Basic\s+(.+)$/i.exec(header) : null;
      if (!match) return undefined;
      const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return undefined;
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    },
    bearerToken() {
      const header = headers.authorization;
      const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
      return match ? match[1]!.trim() : undefined;
    },
  };
}

const MAX_REQUEST_BODY = 1024 * 1024;

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY) {
        reject(new Error("request body too large"));
        incoming.destroy();
        return;
      }
      chunks.push(chunk);
    });
    incoming.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    incoming.on("error", reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What {@link FakeRateWindow.hit} decides for one request. */
export interface FakeRateDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the window after this one (0 when refused). */
  remaining: number;
  /** Milliseconds until a request is allowed again (0 when allowed with budget left). */
  retryAfterMs: number;
}

/**
 * A server-side rate limit as the real APIs apply it: at most `requests` in any window of `perMs` per key (PowerOffice
 * Go: 10/s per subscription key; Tripletex: per token owner). Also measures the busiest window seen per key, so a test
 * can assert that clients stayed under the cap (`peak(key) <= requests`), counting refused requests too.
 */
export class FakeRateWindow {
  readonly requests: number;
  readonly perMs: number;
  readonly #now: () => number;
  readonly #hits = new Map<string, number[]>();
  readonly #peaks = new Map<string, number>();
  readonly #refused = new Map<string, number>();

  constructor(options: { requests: number; perMs: number; now?: () => number }) {
    this.requests = options.requests;
    this.perMs = options.perMs;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one request under `key` and says whether it is within the limit. */
  hit(key: string): FakeRateDecision {
    const now = this.#now();
    const hits = (this.#hits.get(key) ?? []).filter((at) => now - at < this.perMs);
    hits.push(now);
    this.#hits.set(key, hits);
    this.#peaks.set(key, Math.max(this.#peaks.get(key) ?? 0, hits.length));
    if (hits.length <= this.requests) {
      return { allowed: true, limit: this.requests, remaining: this.requests - hits.length, retryAfterMs: 0 };
    }
    this.#refused.set(key, (this.#refused.get(key) ?? 0) + 1);
    const oldestCounted = hits[hits.length - 1 - this.requests]!;
    return {
      allowed: false,
      limit: this.requests,
      remaining: 0,
      retryAfterMs: Math.max(1, oldestCounted + this.perMs - now),
    };
  }

  /** The most requests (refused ones included) seen under `key` within any window of `perMs`. */
  peak(key: string): number {
    return this.#peaks.get(key) ?? 0;
  }

  /** Requests refused under `key`. */
  refused(key: string): number {
    return this.#refused.get(key) ?? 0;
  }

  reset(): void {
    this.#hits.clear();
    this.#peaks.clear();
    this.#refused.clear();
  }
}
