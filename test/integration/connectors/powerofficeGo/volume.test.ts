import { afterAll, describe, expect, it } from "vitest";
import { KeyedRateLimiter } from "../../../../lib/connectors/http/index.ts";
import { LedgerSummarizer } from "../../../../lib/ledger/summarizeLedger.ts";
import { FakePowerOfficeGoServer } from "../../../../lib/local/fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { powerOfficeBooksOf } from "../../../../lib/local/fakes/powerofficeGo/powerOfficeDemoClients.ts";
import { syntheticBooks } from "../../../../lib/local/fakes/syntheticBooks.ts";
import { collectGarbage } from "../../../helpers/memory.ts";
import {
  connectorFor,
  credentialsOf,
  TEST_APPLICATION_KEY,
  TEST_SUBSCRIPTION_KEY,
} from "../../../helpers/powerOfficeFake.ts";

/**
 * A synthetic year pulled through the fake with flat memory: pages go straight through the summarizer, never the year.
 * 100 000 postings by default; `SALDO_VOLUME_POSTINGS=1000000` runs the full million of the issue.
 */
const POSTINGS = Number(process.env.SALDO_VOLUME_POSTINGS ?? 100_000);
const books = syntheticBooks({ postings: POSTINGS, system: "poweroffice-go", year: 2025 });
const server = await FakePowerOfficeGoServer.start({
  applicationKey: TEST_APPLICATION_KEY,
  subscriptionKeys: [TEST_SUBSCRIPTION_KEY],
  clients: [{ clientKey: "client-volume", books: powerOfficeBooksOf(books) }],
  keepExchanges: 0,
});
afterAll(() => server.close());

describe("PowerOffice Go volume", () => {
  it(`pulls a year of ${POSTINGS} postings with flat memory and figures to the øre`, { timeout: 600_000 }, async () => {
    // Pages of 5 000 rows keep one page's footprint (the unit of memory the stream holds at a time) small next to a year's.
    const connector = connectorFor(server, { limiter: new KeyedRateLimiter(), timeoutMs: 120_000, pageSize: 5_000 });
    const period = { start: "2025-01-01", end: "2025-12-31" };
    const ledger = await connector.pull(credentialsOf("client-volume"), { period });
    const summarizer = new LedgerSummarizer();
    summarizer.add({
      type: "header",
      header: {
        format: "saft",
        formatVersion: "poweroffice-go-v2",
        encoding: "utf-8",
        company: {},
        period,
        currency: "NOK",
      },
    });

    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    const samples: number[] = [];
    let lines = 0;
    for await (const record of ledger.records) {
      summarizer.add(record);
      if (record.type === "transaction") {
        lines += record.transaction.lines.length;
        if (lines % 10_000 < record.transaction.lines.length) {
          collectGarbage();
          samples.push(process.memoryUsage().heapUsed - baseline);
        }
      }
    }
    const summary = summarizer.finish();

    expect(summary.transactions.lines).toBe(books.postingTotal);
    const expected = books.expectedTotals(period);
    for (const [account, totals] of expected) {
      const row = summary.rows.find((candidate) => candidate.account === account)!;
      expect({ account, movement: row.movement }).toEqual({ account, movement: totals.net });
    }
    expect(summary.issues.filter((issue) => issue.severity === "error")).toEqual([]);

    // Flat: the heap in the second half of the stream is no larger than in the first half, give or take a page (a year
    // held in memory would grow it by hundreds of bytes for each of the second half's postings).
    const half = Math.floor(samples.length / 2);
    const firstHalfPeak = Math.max(...samples.slice(0, half));
    const secondHalfPeak = Math.max(...samples.slice(half));
    console.log(
      `[volume] ${POSTINGS} postings, ${ledger.provenance().requestCount} requests, heap above baseline: first half ≤ ${mb(firstHalfPeak)} MB, second half ≤ ${mb(secondHalfPeak)} MB`,
    );
    expect(samples.length).toBeGreaterThan(4);
    expect(secondHalfPeak - firstHalfPeak).toBeLessThan(Math.max(16 * 1024 * 1024, (POSTINGS / 2) * 40));
  });
});

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
