import { afterAll } from "vitest";
import { KeyedRateLimiter } from "../../lib/connectors/http/index.ts";
import type { ConnectorCredentials, PulledLedger } from "../../lib/connectors/ports.ts";
import {
  PowerOfficeGoConnector,
  type PowerOfficeGoConnectorOptions,
} from "../../lib/connectors/powerofficeGo/PowerOfficeGoConnector.ts";
import { LedgerSummarizer, type LedgerSummary } from "../../lib/ledger/summarizeLedger.ts";
import type { Transaction } from "../../lib/ledger/types.ts";
import {
  FakePowerOfficeGoServer,
  type FakePowerOfficeGoServerOptions,
} from "../../lib/local/fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { Secret } from "../../lib/secrets/Secret.ts";

export const TEST_APPLICATION_KEY = "test-application-key";
export const TEST_SUBSCRIPTION_KEY = "test-subscription-key";

/** Starts a fake PowerOffice Go server for one test file (stopped after the file). */
export async function startPowerOfficeFake(
  options: Partial<FakePowerOfficeGoServerOptions> & Pick<FakePowerOfficeGoServerOptions, "clients">,
): Promise<FakePowerOfficeGoServer> {
  const server = await FakePowerOfficeGoServer.start({
    applicationKey: TEST_APPLICATION_KEY,
    subscriptionKeys: [TEST_SUBSCRIPTION_KEY],
    ...options,
  });
  afterAll(() => server.close());
  return server;
}

/** A connector pointed at the fake, with its own limiter (tests do not share budgets unless they say so). */
export function connectorFor(
  server: FakePowerOfficeGoServer,
  options: Partial<PowerOfficeGoConnectorOptions> = {},
): PowerOfficeGoConnector {
  return new PowerOfficeGoConnector({
    applicationKey: TEST_APPLICATION_KEY,
    subscriptionKey: TEST_SUBSCRIPTION_KEY,
    baseUrl: server.url,
    limiter: new KeyedRateLimiter(),
    timeoutMs: 5_000,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
}

export function credentialsOf(clientKey: string): ConnectorCredentials<"poweroffice-go"> {
  return { key: new Secret({ clientKey }) };
}

/** Feeds a pull into the ledger summarizer as the import pipeline does, keeping the transactions when asked. */
export async function summarizePull(
  ledger: PulledLedger,
  options: { keepTransactions?: boolean } = {},
): Promise<{ summary: LedgerSummary; transactions: Transaction[] }> {
  const summarizer = new LedgerSummarizer();
  summarizer.add({
    type: "header",
    header: {
      format: "saft",
      formatVersion: "poweroffice-go-v2",
      encoding: "utf-8",
      company: {
        name: ledger.company.name,
        ...(ledger.company.orgNumber ? { orgNumber: ledger.company.orgNumber } : {}),
      },
      period: ledger.period,
      currency: ledger.currency,
    },
  });
  const transactions: Transaction[] = [];
  for await (const record of ledger.records) {
    summarizer.add(record);
    if (record.type === "transaction" && options.keepTransactions) transactions.push(record.transaction);
  }
  return { summary: summarizer.finish(), transactions };
}
