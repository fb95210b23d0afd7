import { FakeServer, type FakeRequest, type FakeResponse, type FakeRoute } from "../fakeServer.ts";
import { DEMO_TRIPLETEX_CONSUMER_TOKEN, demoTripletexCompanies, demoTripletexEmployeeTokens } from "./demoTripletex.ts";
import { TripletexFakeApi, type TripletexFakeApiOptions } from "./TripletexFakeApi.ts";

export interface FakeTripletexServerOptions extends Partial<TripletexFakeApiOptions> {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Exchanges (with their JSON) the server keeps for tests (default 10 000; 0 for volume runs). */
  keepExchanges?: number;
}

/**
 * The fake Tripletex API 2.0 over real HTTP on loopback (port 0 by default): the {@link TripletexFakeApi} behind the
 * fake-server toolkit's router, fault injection and exchange log. Start it from code, read `url` (`…/v2`), point a
 * `TripletexConnector` at it. Without options it serves the demo setup (`demoTripletex.ts`): the demo companies, the
 * demo keys as employee tokens and {@link DEMO_TRIPLETEX_CONSUMER_TOKEN}; `companies`/`employeeTokens` replace them.
 */
export class FakeTripletexServer {
  readonly server: FakeServer;
  readonly api: TripletexFakeApi;

  private constructor(server: FakeServer, api: TripletexFakeApi) {
    this.server = server;
    this.api = api;
  }

  /** The routes the fake serves, as path templates of the OpenAPI document (without `/v2`). */
  static readonly routes: readonly { method: string; path: string }[] = [
    { method: "PUT", path: "/token/session/:create" },
    { method: "GET", path: "/token/session/>whoAmI" },
    { method: "GET", path: "/company/>withLoginAccess" },
    { method: "GET", path: "/company/{id}" },
    { method: "GET", path: "/ledger/account" },
    { method: "GET", path: "/balanceSheet" },
    { method: "GET", path: "/ledger/posting" },
    { method: "GET", path: "/ledger/voucher" },
    { method: "GET", path: "/ledger/annualAccount" },
  ];

  static async start(options: FakeTripletexServerOptions = {}): Promise<FakeTripletexServer> {
    const api = new TripletexFakeApi({
      ...options,
      consumerToken: options.consumerToken ?? DEMO_TRIPLETEX_CONSUMER_TOKEN,
      companies: options.companies ?? demoTripletexCompanies(),
      employeeTokens: options.employeeTokens ?? demoTripletexEmployeeTokens(),
    });
    const handler = (request: FakeRequest): FakeResponse => {
      const answer = api.handle({
        method: request.method,
        path: request.path,
        query: request.query,
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      });
      return {
        status: answer.status,
        headers: answer.headers,
        ...(answer.body !== undefined ? { json: answer.body } : {}),
      };
    };
    const routes: FakeRoute[] = FakeTripletexServer.routes.map((route) => ({ ...route, handler }));
    routes.push({ method: "POST", path: "/token/session/:create", handler });
    const server = await FakeServer.start({
      name: "tripletex",
      basePath: "/v2",
      routes,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      notFound: handler,
      ...(options.keepExchanges !== undefined ? { keepExchanges: options.keepExchanges } : {}),
    });
    return new FakeTripletexServer(server, api);
  }

  /** `http://127.0.0.1:PORT/v2` */
  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
