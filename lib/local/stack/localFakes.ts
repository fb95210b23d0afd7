import { DEMO_KEY_INFO, DEMO_KEYS, demoCompanyBooks, type DemoKey } from "../fakes/demoBooks.ts";
import type { FakePowerOfficeGoServer } from "../fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { startDemoPowerOfficeGoServer } from "../fakes/powerofficeGo/powerOfficeDemoClients.ts";
import { FakeTripletexServer } from "../fakes/tripletex/FakeTripletexServer.ts";
import type { LocalFakeUrls } from "./stackFile.ts";

/**
 * Exchanges each fake keeps for inspection: the stack runs for days, and nothing reads its fakes' logs (the request
 * counts in `/health` are kept apart), so only the last few.
 */
const KEPT_EXCHANGES = 100;

/** The fake accounting APIs of the local stack, serving the demo books on loopback. */
export interface RunningLocalFakes {
  tripletex: FakeTripletexServer;
  powerOfficeGo: FakePowerOfficeGoServer;
  /** Base URLs as the connectors take them: Tripletex `…/v2`, PowerOffice Go the host root. */
  urls: LocalFakeUrls;
  stop(): Promise<void>;
}

/**
 * Starts the fake Tripletex API (demo companies, the demo keys as employee tokens) and the demo PowerOffice Go API on
 * 127.0.0.1 (port 0: any free port). Whatever started is stopped again when the other fails.
 */
export async function startLocalFakes(ports: { tripletex: number; powerOfficeGo: number }): Promise<RunningLocalFakes> {
  const [tripletex, powerOfficeGo] = await Promise.allSettled([
    FakeTripletexServer.start({ port: ports.tripletex, keepExchanges: KEPT_EXCHANGES }),
    startDemoPowerOfficeGoServer({ port: ports.powerOfficeGo, keepExchanges: KEPT_EXCHANGES }),
  ]);
  if (tripletex.status === "rejected" || powerOfficeGo.status === "rejected") {
    if (tripletex.status === "fulfilled") await tripletex.value.close();
    if (powerOfficeGo.status === "fulfilled") await powerOfficeGo.value.close();
    throw tripletex.status === "rejected" ? tripletex.reason : (powerOfficeGo as PromiseRejectedResult).reason;
  }
  return {
    tripletex: tripletex.value,
    powerOfficeGo: powerOfficeGo.value,
    urls: { tripletex: tripletex.value.url, "poweroffice-go": powerOfficeGo.value.url },
    stop: async () => {
      await Promise.all([tripletex.value.close(), powerOfficeGo.value.close()]);
    },
  };
}

/** What each demo key is, for the stack's banner: `key`, its system, and what it reaches. */
export function demoKeyDescriptions(): { key: DemoKey; system: string; description: string }[] {
  const nameOf = (slug: Parameters<typeof demoCompanyBooks>[0]) => demoCompanyBooks(slug).company.name;
  return DEMO_KEYS.map((key) => {
    const info = DEMO_KEY_INFO[key];
    const reaches = info.reaches.map(nameOf).join(" and ");
    const description =
      info.role === "client"
        ? `PowerOffice Go client key of ${reaches}`
        : info.role === "accountant"
          ? `Tripletex accountant token (${nameOf(info.ownCompany)}) reaching ${reaches}: pick one with --company`
          : key === "demo-tripletex-wrong-ib"
            ? `Tripletex employee token of ${reaches}, whose API reports a 2025 opening balance without the 2024 result`
            : `Tripletex employee token of ${reaches}`;
    return { key, system: info.system, description };
  });
}
