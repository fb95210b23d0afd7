/**
 * A fake accounting API serving a synthetic year, in its own process for bench/sync.ts: the fake computes its pages
 * (JSON for a million postings), and its memory must not count in the peak RSS of the process that syncs.
 *
 * Usage: node bin/run-ts.js bench/syncFake.ts <tripletex|poweroffice> <postings>
 * Prints one JSON line `{ "url": … }` once it listens, and serves until its standard input closes (the parent ended).
 */
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
}
console.log(JSON.stringify({ url }));
process.stdin.resume();
process.stdin.on("end", () => void close().then(() => process.exit(0)));
process.on("SIGTERM", () => void close().then(() => process.exit(0)));
