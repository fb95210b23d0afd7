/**
 * A fake accounting API serving a synthetic year, in its own process for bench/sync.ts: the fake computes its pages
 * (JSON for a million postings), and its memory must not count in the peak RSS of the process that syncs.
 *
 * Usage: node bin/run-ts.js bench/syncFake.ts <tripletex|poweroffice> <postings>
 * Prints one JSON line `{ "url": … }` once it listens, and serves until its standard input closes (the parent ended).
 * A line `{ "add": N }` on its standard input books N new postings (bank fees: 6800 against 1920, two lines a voucher)
 * in the year's last month, as if booked after the sync, and answers `{ "added": N }`.
 */
import { createInterface } from "node:readline";
import { syntheticBooks } from "../lib/local/fakes/syntheticBooks.ts";
import { FakePowerOfficeGoServer } from "../lib/local/fakes/powerofficeGo/FakePowerOfficeGoServer.ts";
import { powerOfficeBooksOf } from "../lib/local/fakes/powerofficeGo/powerOfficeDemoClients.ts";
import { FakeTripletexServer } from "../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { BENCH_FAKE_KEYS } from "./syncFakeKeys.ts";

const [system, postingsText] = process.argv.slice(2);
const postings = Number(postingsText);
if ((system !== "tripletex" && system !== "poweroffice") || !Number.isInteger(postings)) {
  console.error("usage: syncFake.ts <tripletex|poweroffice> <postings>");
  process.exit(2);
}

let close: () => Promise<void>;
let url: string;
let add: (postings: number) => void;
/** The new vouchers' postings: N/2 two-line vouchers on the days of December. */
const newVouchers = (postings: number) =>
  Array.from({ length: Math.floor(postings / 2) }, (_, index) => ({
    index,
    date: `2025-12-${String(1 + (index % 31)).padStart(2, "0")}`,
    amount: BigInt(100_00 + (index % 900) * 7),
  }));
if (system === "tripletex") {
  const books = syntheticBooks({ postings, seed: "bench-tripletex" });
  const server = await FakeTripletexServer.start({
    consumerToken: BENCH_FAKE_KEYS.tripletexConsumerToken,
    companies: [books],
    employeeTokens: [
      {
        token: BENCH_FAKE_KEYS.tripletexEmployeeToken,
        companyId: Number(books.company.id),
        employee: { id: 1, firstName: "Bench", lastName: "Mark" },
      },
    ],
    // A volume run keeps no exchange: the log would hold every page sent.
    keepExchanges: 0,
  });
  url = server.url;
  close = () => server.close();
  add = (postings) => {
    for (const { index, date, amount } of newVouchers(postings)) {
      const id = 900_000_000 + index;
      server.api.addVoucher(Number(books.company.id), {
        id,
        number: 900_000 + index,
        year: 2025,
        date,
        description: "Bankgebyr (etterregistrert)",
        kind: "bank-fee",
        createdAt: `${date}T12:00:00.000Z`,
        postings: [
          { id: id * 2, row: 1, account: "6800", amount, description: "Bankgebyr" },
          { id: id * 2 + 1, row: 2, account: "1920", amount: -amount, description: "Bankgebyr" },
        ],
      });
    }
  };
} else {
  const books = syntheticBooks({ postings, seed: "bench-poweroffice", system: "poweroffice-go" });
  const server = await FakePowerOfficeGoServer.start({
    applicationKey: BENCH_FAKE_KEYS.powerOfficeApplicationKey,
    subscriptionKeys: [BENCH_FAKE_KEYS.powerOfficeSubscriptionKey],
    clients: [{ clientKey: BENCH_FAKE_KEYS.powerOfficeClientKey, books: powerOfficeBooksOf(books) }],
    keepExchanges: 0,
  });
  url = server.url;
  close = () => server.close();
  add = (postings) => {
    server.api.addPostings(
      BENCH_FAKE_KEYS.powerOfficeClientKey,
      newVouchers(postings).flatMap(({ index, date, amount }) => {
        const voucher = {
          voucherNo: 900_000 + index,
          voucherId: `00000000-0000-4000-8000-${String(900_000_000 + index).padStart(12, "0")}`,
          voucherType: "ManualJournal",
          date,
          voucherDate: date,
          description: "Bankgebyr (etterregistrert)",
        };
        return [
          { ...voucher, accountNo: 6800, amount },
          { ...voucher, accountNo: 1920, amount: -amount },
        ];
      }),
    );
  };
}
console.log(JSON.stringify({ url }));
// The commands (and the end of the input: the parent ended) come on standard input.
createInterface({ input: process.stdin }).on("line", (line) => {
  const { add: postings } = JSON.parse(line) as { add: number };
  add(postings);
  console.log(JSON.stringify({ added: Math.floor(postings / 2) * 2 }));
});
process.stdin.on("end", () => void close().then(() => process.exit(0)));
process.on("SIGTERM", () => void close().then(() => process.exit(0)));
