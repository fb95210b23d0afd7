import { FakeServer, type FakeExchange, type FakeHandler, type FaultRule, type InjectedFault } from "../fakeServer.ts";
import { FakePowerOfficeGoApi, PRIVILEGE_OF, type FakePowerOfficeGoApiOptions } from "./fakePowerOfficeGoApi.ts";

/**
 * The fake PowerOffice Go API over real HTTP on 127.0.0.1 (port 0 by default: the OS picks one; `url` tells it), on the
 * shared fake-server toolkit (lib/local/fakes/fakeServer.ts: routes, faults on demand, the exchange log the contract
 * test validates). The behaviour is {@link FakePowerOfficeGoApi}'s.
 */

export interface FakePowerOfficeGoServerOptions extends FakePowerOfficeGoApiOptions {
  port?: number;
  /** Exchanges kept in the log, with their JSON (default 10 000; 0 for volume runs). */
  keepExchanges?: number;
}

export class FakePowerOfficeGoServer {
  private constructor(
    readonly api: FakePowerOfficeGoApi,
    private readonly server: FakeServer,
  ) {}

  /** Starts the fake; resolves once it listens. */
  static async start(options: FakePowerOfficeGoServerOptions): Promise<FakePowerOfficeGoServer> {
    const api = new FakePowerOfficeGoApi(options);
    const handler: FakeHandler = (request) => {
      const answer = api.handle({
        method: request.method,
        path: request.path,
        query: request.query,
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [
            name,
            Array.isArray(value) ? value.join(", ") : value,
          ]),
        ),
        body: request.body,
      });
      return {
        status: answer.status,
        headers: answer.headers,
        ...(answer.body !== undefined ? { json: answer.body } : {}),
      };
    };
    const server = await FakeServer.start({
      name: "poweroffice-go",
      routes: [
        { method: "POST", path: "/OAuth/Token", handler },
        ...Object.keys(PRIVILEGE_OF).map((operation) => ({ method: "GET", path: `/v2${operation}`, handler })),
      ],
      notFound: handler,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.keepExchanges !== undefined ? { keepExchanges: options.keepExchanges } : {}),
    });
    return new FakePowerOfficeGoServer(api, server);
  }

  /** `http://127.0.0.1:PORT`: the host root a connector's `baseUrl` takes. */
  get url(): string {
    return this.server.origin;
  }

  /** Base URL of the resource API (`…/v2`). */
  get apiBaseUrl(): string {
    return `${this.url}/v2`;
  }

  /** URL of the token endpoint. */
  get tokenUrl(): string {
    return `${this.url}/OAuth/Token`;
  }

  /** Every exchange so far, oldest first; `route` is `/v2/TrialBalance`, `/OAuth/Token`. */
  get exchanges(): FakeExchange[] {
    return this.server.exchanges;
  }

  /** Exchanges of resource calls (not the token endpoint). */
  get resourceExchanges(): FakeExchange[] {
    return this.exchanges.filter((exchange) => exchange.path.startsWith("/v2/"));
  }

  /** Queues a fault for the next matching requests (see the toolkit's {@link FaultRule}). */
  inject(rule: FaultRule): InjectedFault {
    return this.server.inject(rule);
  }

  clearFaults(): void {
    this.server.clearFaults();
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
