import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorsConfig } from "../../../lib/config/connectorsConfig.ts";
import { ConnectorUnavailableError } from "../../../lib/connectors/errors.ts";
import { KeyedRateLimiter } from "../../../lib/connectors/http/KeyedRateLimiter.ts";
import { createConnectorRegistry } from "../../../lib/connectors/registry.ts";
import type { FakePowerOfficeGoServer } from "../../../lib/local/fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { startDemoPowerOfficeGoServer } from "../../../lib/local/fakes/powerofficeGo/powerOfficeDemoClients.ts";
import { FakeTripletexServer } from "../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { localConnectorsConfig } from "../../../lib/local/stack/localFunctionConfig.ts";
import { KeyVaultUnavailableError } from "../../../lib/secrets/errors.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";

/**
 * The one composition of the connectors (lib/connectors/registry.ts) against both fakes: the configuration decides
 * which systems have a connector, where they point and which platform keys they use; the keys are read on first use.
 */

let tripletex: FakeTripletexServer;
let powerOffice: FakePowerOfficeGoServer;
beforeAll(async () => {
  [tripletex, powerOffice] = await Promise.all([FakeTripletexServer.start(), startDemoPowerOfficeGoServer()]);
});
afterAll(async () => {
  await Promise.all([tripletex.close(), powerOffice.close()]);
});

function localConfig(): ConnectorsConfig {
  return localConnectorsConfig({ powerOfficeGoBaseUrl: powerOffice.url, tripletexBaseUrl: tripletex.url });
}

describe("createConnectorRegistry", () => {
  it("builds a connector per configured system that reaches the fakes with the local stack's demo platform keys", async () => {
    const registry = createConnectorRegistry(localConfig(), { limiter: new KeyedRateLimiter() });
    const tripletexCheck = await registry.tripletex!.check({ key: new Secret({ employeeToken: "demo-tripletex-ok" }) });
    expect(tripletexCheck).toMatchObject({ status: "ok", company: { name: expect.any(String) } });
    const powerOfficeCheck = await registry["poweroffice-go"]!.check({
      key: new Secret({ clientKey: "demo-poweroffice-ok" }),
    });
    expect(powerOfficeCheck).toMatchObject({ status: "ok", company: { name: expect.any(String) } });
  });

  it("has no connector for a system the configuration leaves out", () => {
    const registry = createConnectorRegistry(localConnectorsConfig({ tripletexBaseUrl: tripletex.url }));
    expect(Object.keys(registry)).toEqual(["tripletex"]);
  });

  it("gives the handlers of one process the same connectors for the same configuration", () => {
    const config = localConfig();
    expect(createConnectorRegistry(config)).toBe(createConnectorRegistry(config));
    expect(createConnectorRegistry(config).tripletex).toBe(createConnectorRegistry(config).tripletex);
    expect(createConnectorRegistry(localConfig())).not.toBe(createConnectorRegistry(config));
  });

  it("reads the platform keys on first use only, and answers unavailable (saying it is saldo's configuration) without them", async () => {
    let reads = 0;
    const registry = createConnectorRegistry(localConfig(), {
      limiter: new KeyedRateLimiter(),
      platformKeys: {
        read: async () => {
          reads += 1;
          return { tripletex: { consumerToken: new Secret("saldo-demo-tripletex-consumer") } };
        },
      },
    });
    expect(reads).toBe(0);
    const check = await registry["poweroffice-go"]!.check({ key: new Secret({ clientKey: "demo-poweroffice-ok" }) });
    expect(check.status).toBe("unavailable");
    expect(check.message).toMatch(
      /no platform keys for poweroffice-go \(platform configuration, not the client's key\)/,
    );
    await expect(
      registry["poweroffice-go"]!.listCompanies({ key: new Secret({ clientKey: "demo-poweroffice-ok" }) }),
    ).rejects.toMatchObject({ code: "CONNECTOR_UNAVAILABLE", status: "unavailable" });
    expect(reads).toBe(2);
  });

  it("uses platform keys that were rotated, and refuses wrong ones at the fake", async () => {
    let token = "not-the-consumer-token";
    const registry = createConnectorRegistry(localConfig(), {
      limiter: new KeyedRateLimiter(),
      tripletex: { http: { retry: { maxAttempts: 1 } } },
      platformKeys: { read: async () => ({ tripletex: { consumerToken: new Secret(token) } }) },
    });
    const key = { key: new Secret({ employeeToken: "demo-tripletex-ok" }) };
    expect((await registry.tripletex!.check(key)).status).not.toBe("ok");
    token = "saldo-demo-tripletex-consumer";
    expect((await registry.tripletex!.check(key)).status).toBe("ok");
  });

  it("rethrows a secret store outage (to be retried) and turns any other platform-keys failure into CONNECTOR_UNAVAILABLE", async () => {
    const failing = (error: Error) =>
      createConnectorRegistry(localConfig(), { platformKeys: { read: () => Promise.reject(error) } });
    const key = { key: new Secret({ employeeToken: "demo-tripletex-ok" }) };
    const outage = new KeyVaultUnavailableError("Secrets Manager GetSecretValue: throttled");
    await expect(failing(outage).tripletex!.listCompanies(key)).rejects.toBe(outage);
    const denied = failing(new Error("AccessDeniedException: not allowed"));
    const error = await denied.tripletex!.listCompanies(key).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectorUnavailableError);
    expect((error as Error).message).toMatch(/platform keys cannot be used.*AccessDeniedException/);
  });

  it("never shows a platform key when the registry or its connectors are logged", () => {
    const registry = createConnectorRegistry(localConfig(), { limiter: new KeyedRateLimiter() });
    const shown = inspect(registry, { depth: 10 }) + JSON.stringify(registry);
    expect(shown).not.toContain("saldo-demo-tripletex-consumer");
    expect(shown).not.toContain("demo-poweroffice-subscription-key");
  });
});
