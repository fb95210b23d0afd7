import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { KeyedRateLimiter } from "../../lib/connectors/http/index.ts";
import type { ConnectorRegistry } from "../../lib/connectors/ports.ts";
import { PowerOfficeGoConnector } from "../../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import { TripletexConnector } from "../../lib/connectors/tripletex/TripletexConnector.ts";
import type { ClientIntegration, EngagementRef } from "../../lib/engagements/types.ts";
import type { SyncDeps } from "../../lib/imports/syncFromApi.ts";
import {
  DEMO_POWEROFFICE_APPLICATION_KEY,
  DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
  DEMO_TRIPLETEX_CONSUMER_TOKEN,
} from "../../lib/local/fakes/demoPlatformKeys.ts";
import { FakePowerOfficeGoServer } from "../../lib/local/fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { demoPowerOfficeClients } from "../../lib/local/fakes/powerofficeGo/powerOfficeDemoClients.ts";
import {
  FakeTripletexServer,
  type FakeTripletexServerOptions,
} from "../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { seedClient } from "../../lib/local/seedClient.ts";
import { localDynamoDbClientConfig } from "../../lib/local/stack/startLocalStack.ts";
import { EncryptedFileKeyVault } from "../../lib/secrets/EncryptedFileKeyVault.ts";
import { Secret } from "../../lib/secrets/Secret.ts";
import type { IntegrationKeyBySystem, IntegrationSystem } from "../../lib/secrets/types.ts";
import { createDynamoStores, type DynamoStores } from "../../lib/store/createDynamoStores.ts";
import { useTestEmulators } from "./emulators.ts";

/** Short timeouts and retry delays: the fakes answer on loopback, and fault tests should not wait for real back-off. */
const FAST_HTTP = { timeoutMs: 1_500, retry: { baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 5_000 } };

/** Options of {@link useSyncFakes}. */
export interface SyncFakesOptions {
  /** Names the key vault's temporary folder (saldo-<name>-…). */
  name: string;
  /** Per-request timeout of the connectors (default 1 500 ms). */
  timeoutMs?: number;
  /**
   * `per-test` (default): fakes started in a test are closed after it (tests change the fakes' books and inject
   * faults). `per-file`: they are closed after the file's last test (start them in `beforeAll`).
   */
  fakes?: "per-test" | "per-file";
}

/** Options of {@link SyncFakes.startPowerOffice}. */
interface PowerOfficeFakeOptions {
  /** Companies besides the demo ones. */
  extraClients?: Parameters<typeof FakePowerOfficeGoServer.start>[0]["clients"];
}

/** Options of {@link SyncFakes.connectClient}. */
export interface ConnectClientOptions<S extends IntegrationSystem> {
  tenantId: string;
  clientId: string;
  system: S;
  key: IntegrationKeyBySystem[S];
  /** One year-end engagement per fiscal year, with the year as its id (default: 2025). */
  years?: readonly number[];
  name?: string;
  orgNumber?: string;
  /** Records the integration on the client (a company binding, a connection status); absent: none recorded. */
  integration?: ClientIntegration;
}

/** The real stores and key vault, the fake accounting systems and their connectors, for one test file. */
export interface SyncFakes {
  readonly stores: DynamoStores;
  readonly keys: EncryptedFileKeyVault;
  /** The fake Tripletex server with the demo companies and employee tokens unless `options` name others. */
  startTripletex(options?: FakeTripletexServerOptions): Promise<FakeTripletexServer>;
  /** The fake PowerOffice Go server with the demo application and subscription keys and companies. */
  startPowerOffice(options?: PowerOfficeFakeOptions): Promise<FakePowerOfficeGoServer>;
  /** Its own limiter unless one is given, at `requestsPerSecond` per token when given (else the token's budget). */
  tripletexConnector(
    server: FakeTripletexServer,
    options?: { limiter?: KeyedRateLimiter; requestsPerSecond?: number },
  ): TripletexConnector;
  /** Its own limiter unless one is given (each worker process has its own), at `requestsPerSecond` when given. */
  powerOfficeConnector(
    server: FakePowerOfficeGoServer,
    options?: { limiter?: KeyedRateLimiter; requestsPerSecond?: number },
  ): PowerOfficeGoConnector;
  /** Starts the system's fake and answers a registry holding its connector. */
  startConnectors(system: IntegrationSystem): Promise<ConnectorRegistry>;
  /** The sync's dependencies: these stores and keys, `connectors`, an hour's retention and a fast heartbeat. */
  syncDeps(connectors: ConnectorRegistry): SyncDeps;
  /** Creates the client and its year-end engagements and stores its key; answers the engagements in `years` order. */
  connectClient<S extends IntegrationSystem>(options: ConnectClientOptions<S>): Promise<EngagementRef[]>;
}

/**
 * Sets up a test file that syncs from the fake Tripletex and PowerOffice Go servers (real HTTP on loopback) into the
 * real store (DynamoDB Local, started for the file): the stores and an encrypted key vault in `beforeAll`, the fakes
 * closed after each test (or the file), everything removed in `afterAll`. Answers a getter valid inside tests and hooks.
 */
export function useSyncFakes(options: SyncFakesOptions): () => SyncFakes {
  const emulators = useTestEmulators();
  const http = { ...FAST_HTTP, timeoutMs: options.timeoutMs ?? FAST_HTTP.timeoutMs };
  const servers = new Set<{ close(): Promise<void> }>();
  let fakes: SyncFakes | undefined;
  let vaultDir: string | undefined;

  const closeServers = async () => {
    const open = [...servers];
    servers.clear();
    await Promise.all(open.map((server) => server.close()));
  };

  beforeAll(async () => {
    const stores = createDynamoStores({
      tableName: emulators().tableName,
      clientConfig: localDynamoDbClientConfig(emulators().dynamoEndpoint),
    });
    vaultDir = await mkdtemp(join(tmpdir(), `saldo-${options.name}-`));
    const keys = new EncryptedFileKeyVault({ directory: vaultDir, masterKey: new Uint8Array(32).fill(7) });

    const startTripletex = async (fakeOptions: FakeTripletexServerOptions = {}) => {
      const server = await FakeTripletexServer.start(fakeOptions);
      servers.add(server);
      return server;
    };
    const startPowerOffice = async (fakeOptions: PowerOfficeFakeOptions = {}) => {
      const server = await FakePowerOfficeGoServer.start({
        applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
        subscriptionKeys: [DEMO_POWEROFFICE_SUBSCRIPTION_KEY],
        clients: [...demoPowerOfficeClients(), ...(fakeOptions.extraClients ?? [])],
      });
      servers.add(server);
      return server;
    };
    const tripletexConnector: SyncFakes["tripletexConnector"] = (server, connectorOptions = {}) =>
      new TripletexConnector({
        baseUrl: server.url,
        consumerToken: new Secret(DEMO_TRIPLETEX_CONSUMER_TOKEN),
        http,
        ...(connectorOptions.limiter !== undefined ? { limiter: connectorOptions.limiter } : {}),
        ...(connectorOptions.requestsPerSecond !== undefined
          ? { rateLimit: { requests: connectorOptions.requestsPerSecond, perMs: 1000 } }
          : {}),
      });
    const powerOfficeConnector: SyncFakes["powerOfficeConnector"] = (server, connectorOptions = {}) =>
      new PowerOfficeGoConnector({
        applicationKey: DEMO_POWEROFFICE_APPLICATION_KEY,
        subscriptionKey: DEMO_POWEROFFICE_SUBSCRIPTION_KEY,
        baseUrl: server.url,
        limiter: connectorOptions.limiter ?? new KeyedRateLimiter(),
        ...(connectorOptions.requestsPerSecond !== undefined
          ? { rateLimit: { requests: connectorOptions.requestsPerSecond, perMs: 1000 } }
          : {}),
        timeoutMs: http.timeoutMs,
        retry: http.retry,
      });

    fakes = {
      stores,
      keys,
      startTripletex,
      startPowerOffice,
      tripletexConnector,
      powerOfficeConnector,
      startConnectors: async (system) =>
        system === "tripletex"
          ? { tripletex: tripletexConnector(await startTripletex()) }
          : { "poweroffice-go": powerOfficeConnector(await startPowerOffice()) },
      syncDeps: (connectors) => ({ ...stores, keys, connectors, retentionSeconds: 3600, heartbeatSeconds: 0.5 }),
      connectClient: async ({ tenantId, clientId, system, key, years = [2025], ...client }) => {
        await seedClient(
          stores,
          {
            tenantId,
            clientId,
            name: client.name ?? "Klient AS",
            orgNumber: client.orgNumber,
            accountingSystem: system,
          },
          years.map((fiscalYear) => ({ engagementId: String(fiscalYear), kind: "year-end", fiscalYear })),
        );
        const refs: EngagementRef[] = years.map((year) => ({ tenantId, clientId, engagementId: String(year) }));
        await keys.put({ tenantId, clientId, system }, key);
        if (client.integration !== undefined) {
          await stores.engagementStore.recordIntegration({ tenantId, clientId }, system, client.integration);
        }
        return refs;
      },
    };
  });
  if ((options.fakes ?? "per-test") === "per-test") afterEach(closeServers);
  afterAll(async () => {
    await closeServers();
    fakes?.stores.close();
    if (vaultDir !== undefined) await rm(vaultDir, { recursive: true, force: true });
  });

  return () => {
    if (fakes === undefined) throw new Error("The sync fakes are not set up: call them inside a test or a hook");
    return fakes;
  };
}
