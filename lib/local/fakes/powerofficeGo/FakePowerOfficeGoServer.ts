import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakePowerOfficeGoApi, type FakePowerOfficeGoApiOptions, type FakeRequest, type FakeResponse } from "./fakePowerOfficeGoApi.ts";

/**
 * The fake PowerOffice Go API over real HTTP on 127.0.0.1 (port 0 by default: the OS picks one; `url` tells it), so
 * the connector is tested through sockets, headers and status codes as in production. Faults are injected on demand.
 */

/** A fault the next matching requests get instead of (or on top of) the normal answer. */
export type FakeFault =
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  /** Never answers (the client's timeout must fire); the socket is closed when the server stops. */
  | { kind: "hang" }
  /** 200 with a body that is not JSON. */
  | { kind: "malformed" }
  /** The normal answer, after a delay. */
  | { kind: "slow"; delayMs: number }
  /** The normal answer with its JSON changed by `mutate` (a changed response shape). */
  | { kind: "shape"; mutate: (body: unknown) => unknown };

export interface FaultRule {
  fault: FakeFault;
  /** Which requests: a path (`/v2/TrialBalance`) or a pattern; all when absent. */
  path?: string | RegExp;
  /** How many matching requests get it (default 1; Infinity for all). */
  times?: number;
}

/** One exchange as the server saw it (no credential values: only whether they were present). */
export interface RecordedExchange {
  at: number;
  method: string;
  path: string;
  query: string;
  status: number;
  subscriptionKey?: string;
  operation?: string;
  contentType?: string;
  /** The JSON body sent (kept for the contract test), when `recordBodies` is on. */
  body?: unknown;
  fault?: FakeFault["kind"];
}

export interface FakePowerOfficeGoServerOptions extends FakePowerOfficeGoApiOptions {
  port?: number;
  /** Keep response bodies in `exchanges` (tests' contract check; default true). Off for large volumes. */
  recordBodies?: boolean;
}

export class FakePowerOfficeGoServer {
  readonly api: FakePowerOfficeGoApi;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly exchanges: RecordedExchange[] = [];
  private readonly faults: (FaultRule & { remaining: number })[] = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    api: FakePowerOfficeGoApi,
    private readonly recordBodies: boolean,
  ) {
    this.api = api;
    const address = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}`;
  }

  /** Starts the fake; resolves once it listens. */
  static async start(options: FakePowerOfficeGoServerOptions): Promise<FakePowerOfficeGoServer> {
    const api = new FakePowerOfficeGoApi(options);
    const started: { instance?: FakePowerOfficeGoServer } = {};
    const server = createServer((request, response) => {
      void started.instance!.serve(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    started.instance = new FakePowerOfficeGoServer(server, api, options.recordBodies ?? true);
    return started.instance;
  }

  /** Base URL of the resource API (`…/v2`), as the connector is configured. */
  get apiBaseUrl(): string {
    return `${this.url}/v2`;
  }

  /** URL of the token endpoint. */
  get tokenUrl(): string {
    return `${this.url}/OAuth/Token`;
  }

  /** Queues a fault for the next matching requests. */
  injectFault(rule: FaultRule): void {
    this.faults.push({ ...rule, remaining: rule.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Exchanges of resource calls (not the token endpoint). */
  get resourceExchanges(): RecordedExchange[] {
    return this.exchanges.filter((exchange) => exchange.path.startsWith("/v2/"));
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? "/", this.url);
    const fakeRequest: FakeRequest = {
      method: request.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]),
      ),
      body: Buffer.concat(chunks).toString("utf8"),
    };
    const exchange: RecordedExchange = {
      at: Date.now(),
      method: fakeRequest.method,
      path: url.pathname,
      query: url.search,
      status: 0,
      ...(fakeRequest.headers["ocp-apim-subscription-key"]
        ? { subscriptionKey: fakeRequest.headers["ocp-apim-subscription-key"] }
        : {}),
    };
    this.exchanges.push(exchange);

    const fault = this.takeFault(url.pathname);
    if (fault) exchange.fault = fault.kind;
    if (fault && url.pathname.startsWith("/v2/")) exchange.operation = url.pathname.slice(3);
    if (fault?.kind === "hang") {
      this.hanging.add(response);
      response.on("close", () => this.hanging.delete(response));
      return;
    }
    if (fault?.kind === "malformed") {
      exchange.status = 200;
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      response.end('[{"Id": 1, "AccountNo": 19');
      return;
    }
    if (fault?.kind === "status") {
      this.send(response, exchange, {
        status: fault.status,
        headers: { "content-type": "application/problem+json; charset=utf-8", ...fault.headers },
        body: fault.body ?? { title: "Internal Server Error", status: fault.status, detail: "Injected fault." },
      });
      return;
    }
    if (fault?.kind === "slow") await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    let answer: FakeResponse;
    try {
      answer = this.api.handle(fakeRequest);
    } catch (error) {
      answer = {
        status: 500,
        headers: { "content-type": "application/problem+json; charset=utf-8" },
        body: { title: "Internal Server Error", status: 500, detail: String(error) },
      };
    }
    if (fault?.kind === "shape" && answer.status === 200 && answer.body !== undefined) {
      answer = { ...answer, body: fault.mutate(answer.body) };
    }
    this.send(response, exchange, answer);
  }

  private send(response: ServerResponse, exchange: RecordedExchange, answer: FakeResponse): void {
    exchange.status = answer.status;
    if (answer.operation) exchange.operation = answer.operation;
    const contentType = answer.headers["content-type"];
    if (contentType) exchange.contentType = contentType;
    if (answer.body !== undefined && this.recordBodies) exchange.body = answer.body;
    if (response.destroyed) return;
    if (answer.body === undefined) {
      response.writeHead(answer.status, answer.headers);
      response.end();
      return;
    }
    const text = JSON.stringify(answer.body);
    response.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(text) });
    response.end(text);
  }

  private takeFault(path: string): FakeFault | undefined {
    const index = this.faults.findIndex(
      (rule) => rule.path === undefined || (typeof rule.path === "string" ? rule.path === path : rule.path.test(path)),
    );
    if (index < 0) return undefined;
    const rule = this.faults[index]!;
    rule.remaining--;
    if (rule.remaining <= 0) this.faults.splice(index, 1);
    return rule.fault;
  }
}
