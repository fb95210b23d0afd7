import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TripletexConnector } from "../../../../lib/connectors/tripletex/TripletexConnector.ts";
import { LedgerSummarizer } from "../../../../lib/ledger/summarizeLedger.ts";
import { syntheticBooks } from "../../../../lib/local/fakes/syntheticBooks.ts";
import { FakeTripletexServer } from "../../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { Secret } from "../../../../lib/secrets/Secret.ts";
import { collectGarbage } from "../../../helpers/memory.ts";

/**
 * Flat memory on a big year: a synthetic year of N postings pulled from the fake over real HTTP, its records consumed
 * the way the import pipeline consumes them (into the ledger summarizer, which keeps one state per account), with the
 * heap measured after forced collections while the stream runs. The heap must not grow with the postings read, and the
 * figures must be the books' to the øre.
 *
 * N is 100 000 by default; `SALDO_TRIPLETEX_VOLUME_POSTINGS=1000000` runs the full 1 M-posting year of the issue.
 */

const POSTINGS = Number(process.env.SALDO_TRIPLETEX_VOLUME_POSTINGS ?? 100_000);
const CONSUMER = "volume-consumer";
const MIB = 1024 * 1024;

function heapAfterCollection(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe("Tripletex connector on a big year", () => {
  const books = syntheticBooks({ postings: POSTINGS, seed: "tripletex-volume" });
  let server: FakeTripletexServer;

  beforeAll(async () => {
    server = await FakeTripletexServer.start({
      consumerToken: CONSUMER,
      companies: [books],
      employeeTokens: [
        {
          token: "volume-token",
          companyId: Number(books.company.id),
          employee: { id: 1, firstName: "Vol", lastName: "Um" },
        },
      ],
      // The fake runs in this process: it must not keep the pages it sent, or the test would measure the fake.
      keepExchanges: 0,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it(
    `streams ${POSTINGS} postings with flat memory and the books' figures to the øre`,
    { timeout: 900_000 },
    async () => {
      const tripletex = new TripletexConnector({ baseUrl: server.url, consumerToken: new Secret(CONSUMER) });
      const period = { start: `${books.year}-01-01`, end: `${books.year}-12-31` };
      const started = Date.now();
      const pulled = await tripletex.pull({ key: new Secret({ employeeToken: "volume-token" }) }, { period });

      const summarizer = new LedgerSummarizer();
      summarizer.add({
        type: "header",
        header: {
          format: "saft",
          formatVersion: "tripletex-api",
          encoding: "utf-8",
          company: {},
          period,
          currency: "NOK",
        },
      });
      let lines = 0;
      let baseline: number | undefined;
      let highest = 0;
      const checkpoints = new Set([0.1, 0.25, 0.5, 0.75].map((share) => Math.floor(share * books.postingTotal)));
      for await (const record of pulled.records) {
        summarizer.add(record);
        if (record.type !== "transaction") continue;
        const before = lines;
        lines += record.transaction.lines.length;
        for (const checkpoint of checkpoints) {
          if (before < checkpoint && lines >= checkpoint) {
            const heap = heapAfterCollection();
            if (baseline === undefined) baseline = heap;
            highest = Math.max(highest, heap);
          }
        }
      }
      const end = heapAfterCollection();
      highest = Math.max(highest, end);
      const summary = summarizer.finish();
      const seconds = (Date.now() - started) / 1000;
      const provenance = pulled.provenance();
      console.info(
        `[tripletex volume] ${lines} postings, ${summary.transactions.count} vouchers, ${provenance.requestCount} requests, ` +
          `${provenance.windows.length} windows, ${seconds.toFixed(1)} s; heap after GC from 10 % to the end: ` +
          `${(baseline! / MIB).toFixed(1)} → ${(end / MIB).toFixed(1)} MiB (highest ${(highest / MIB).toFixed(1)} MiB)`,
      );

      expect(lines).toBe(books.postingTotal);
      expect(summary.transactions.count).toBe(books.voucherTotal);
      // Flat: what is held while streaming does not grow with the postings read (the chart's accounts, one window).
      expect(highest - baseline!).toBeLessThan(24 * MIB);
      // To the øre: each account's closing is its conversion opening plus the year's postings.
      const totals = books.expectedTotals();
      for (const row of summary.rows) {
        const expected = (books.openingBalances.get(row.account) ?? 0n) + (totals.get(row.account)?.net ?? 0n);
        expect([row.account, row.closing]).toEqual([row.account, expected]);
      }
      expect(summary.totals.closing).toBe(0n);
      expect(summary.issues.filter((issue) => issue.severity !== "info")).toEqual([]);
    },
  );
});
