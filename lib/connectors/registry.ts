import type { ConnectorsConfig } from "../config/connectorsConfig.ts";
import { KeyVaultUnavailableError } from "../secrets/errors.ts";
import { FixedPlatformKeys } from "../secrets/platformKeys.ts";
import type { PlatformKeysSource } from "../secrets/ports.ts";
import { SecretsManagerPlatformKeys } from "../secrets/SecretsManagerPlatformKeys.ts";
import type { IntegrationSystem, PlatformKeys } from "../secrets/types.ts";
import { ConnectorUnavailableError } from "./errors.ts";
import { KeyedRateLimiter } from "./http/KeyedRateLimiter.ts";
import type {
  AccountingConnector,
  ConnectionCheck,
  ConnectedCompany,
  ConnectorCredentials,
  ConnectorRegistry,
  PulledLedger,
  PullPlan,
  PullRequest,
} from "./ports.ts";
import { PowerOfficeGoConnector, type PowerOfficeGoConnectorOptions } from "./powerofficeGo/PowerOfficeGoConnector.ts";
import { TripletexConnector, type TripletexConnectorOptions } from "./tripletex/TripletexConnector.ts";

/**
 * The one rate limiter of the process: PowerOffice Go counts requests per subscription key, whatever client or
 * tenant they are for, and Tripletex per token owner, so every connector of the process — every handler of the local
 * stack, every request of a warm Lambda container — must wait in the same queues.
 */
const processLimiter = new KeyedRateLimiter();

/** Settings the tests give the connectors (retries, page sizes, clocks); never the URLs or the keys. */
export interface ConnectorRegistryOptions {
  /** Where the platform keys come from instead of the configured source (tests). */
  platformKeys?: PlatformKeysSource;
  /** Default: the process's one limiter. */
  limiter?: KeyedRateLimiter;
  powerOfficeGo?: Omit<
    PowerOfficeGoConnectorOptions,
    "applicationKey" | "subscriptionKey" | "baseUrl" | "apiBaseUrl" | "tokenUrl" | "limiter"
  >;
  tripletex?: Omit<TripletexConnectorOptions, "consumerToken" | "baseUrl" | "limiter">;
}

/** One registry per configuration object: the handlers of one process given the same configuration share it. */
const registries = new WeakMap<ConnectorsConfig, ConnectorRegistry>();

/**
 * The connectors a process has, built from its configuration — the one place every composition root (the API
 * functions, the sync function, the sweeper, the local stack, the CLI) gets them from. A system has a connector when
 * the configuration names it; the platform keys are read on the first call that needs them (from the
 * platform-keys secret in the cloud, so building the registry makes no request), and every connector shares the
 * process's rate limiter.
 *
 * Without options, the same configuration object gives the same registry (the connectors keep sessions and tokens:
 * one Tripletex session per employee token and one PowerOffice Go token per client key for the whole process).
 */
export function createConnectorRegistry(
  config: ConnectorsConfig,
  options: ConnectorRegistryOptions = {},
): ConnectorRegistry {
  const shared = Object.keys(options).length === 0;
  const known = shared ? registries.get(config) : undefined;
  if (known !== undefined) return known;
  const platformKeys = options.platformKeys ?? platformKeysOf(config.platformKeys);
  const limiter = options.limiter ?? processLimiter;
  const registry: ConnectorRegistry = {};
  const powerOffice = config["poweroffice-go"];
  if (powerOffice !== undefined) {
    registry["poweroffice-go"] = new DeferredConnector("poweroffice-go", platformKeys, (keys) => {
      const own = keys["poweroffice-go"];
      if (own === undefined) return undefined;
      return new PowerOfficeGoConnector({
        ...options.powerOfficeGo,
        applicationKey: own.applicationKey,
        subscriptionKey: own.subscriptionKey,
        baseUrl: powerOffice.baseUrl,
        limiter,
        ...(powerOffice.requestsPerSecond !== undefined
          ? { rateLimit: { requests: powerOffice.requestsPerSecond, perMs: 1000 } }
          : {}),
      });
    });
  }
  const tripletex = config.tripletex;
  if (tripletex !== undefined) {
    registry.tripletex = new DeferredConnector("tripletex", platformKeys, (keys) => {
      const own = keys.tripletex;
      if (own === undefined) return undefined;
      return new TripletexConnector({
        ...options.tripletex,
        consumerToken: own.consumerToken,
        baseUrl: tripletex.baseUrl,
        limiter,
        ...(tripletex.requestsPerSecond !== undefined
          ? { rateLimit: { requests: tripletex.requestsPerSecond, perMs: 1000 } }
          : {}),
      });
    });
  }
  if (shared) registries.set(config, registry);
  return registry;
}

function platformKeysOf(source: ConnectorsConfig["platformKeys"]): PlatformKeysSource {
  if (source.source === "fixed") return new FixedPlatformKeys(source.keys);
  return new SecretsManagerPlatformKeys({ secretId: source.secretId });
}

/**
 * A connector built once the platform keys are known, and built again when they change (a rotated secret). A
 * platform-keys secret that cannot be used — missing, malformed, without this system's keys, not readable by this
 * function — is saldo's own configuration, not the client's: the connector answers `unavailable`
 * (`CONNECTOR_UNAVAILABLE`, saying so); a Secrets Manager outage is rethrown as is, to be retried.
 */
class DeferredConnector<S extends IntegrationSystem> implements AccountingConnector<S> {
  #built: { keys: PlatformKeys; connector: AccountingConnector<S> } | undefined;

  constructor(
    readonly system: S,
    private readonly platformKeys: PlatformKeysSource,
    private readonly build: (keys: PlatformKeys) => AccountingConnector<S> | undefined,
  ) {}

  async check(credentials: ConnectorCredentials<S>): Promise<ConnectionCheck> {
    let connector: AccountingConnector<S>;
    try {
      connector = await this.#connector();
    } catch (error) {
      if (!(error instanceof ConnectorUnavailableError)) throw error;
      return { status: "unavailable", checkedAt: new Date().toISOString(), message: error.message };
    }
    return connector.check(credentials);
  }

  async listCompanies(credentials: ConnectorCredentials<S>): Promise<ConnectedCompany[]> {
    return (await this.#connector()).listCompanies(credentials);
  }

  async plan(credentials: ConnectorCredentials<S>, request: PullRequest): Promise<PullPlan> {
    return (await this.#connector()).plan(credentials, request);
  }

  async pull(credentials: ConnectorCredentials<S>, request: PullRequest): Promise<PulledLedger> {
    return (await this.#connector()).pull(credentials, request);
  }

  async #connector(): Promise<AccountingConnector<S>> {
    let keys: PlatformKeys;
    try {
      keys = await this.platformKeys.read();
    } catch (error) {
      if (error instanceof KeyVaultUnavailableError) throw error;
      throw new ConnectorUnavailableError(
        `saldo's platform keys cannot be used, so ${this.system} cannot be reached (platform configuration, not the client's key): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, context: { system: this.system } },
      );
    }
    if (this.#built?.keys === keys) return this.#built.connector;
    const connector = this.build(keys);
    if (connector === undefined) {
      throw new ConnectorUnavailableError(
        `saldo has no platform keys for ${this.system} (platform configuration, not the client's key): set them in the platform-keys secret (README "Platform keys")`,
        { context: { system: this.system } },
      );
    }
    this.#built = { keys, connector };
    return connector;
  }
}
