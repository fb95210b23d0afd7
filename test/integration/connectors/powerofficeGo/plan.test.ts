import { describe, expect, it } from "vitest";
import type { ChangeMarker } from "../../../../lib/connectors/ports.ts";
import { testBooks } from "../../../helpers/powerOfficeTestBooks.ts";
import { connectorFor, credentialsOf, startPowerOfficeFake, summarizePull } from "../../../helpers/powerOfficeFake.ts";

const year = { start: "2025-01-01", end: "2025-12-31" };

async function freshSync() {
  const server = await startPowerOfficeFake({
    requestsPerSecond: 1000,
    clients: [{ clientKey: "client-ok", books: testBooks() }],
  });
  const connector = connectorFor(server);
  const ledger = await connector.pull(credentialsOf("client-ok"), { period: year });
  await summarizePull(ledger);
  const marker = ledger.provenance().marker!;
  return { server, marker };
}

describe("PowerOffice Go incremental refresh (plan)", () => {
  it("says full without a marker, and unchanged for unchanged books in at most 5 requests", async () => {
    const { server, marker } = await freshSync();
    expect(await connectorFor(server).plan(credentialsOf("client-ok"), { period: year })).toEqual({
      kind: "full",
      requestCount: 0,
    });

    const before = server.exchanges.length;
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan.kind).toBe("unchanged");
    expect(plan.requestCount).toBeLessThanOrEqual(5);
    expect(server.exchanges.length - before).toBe(plan.requestCount);
    expect(plan.marker?.digest).toBe(marker.digest);
  });

  it("sees a new posting in the period through createdDateTimeOffsetGreaterThan", async () => {
    const { server, marker } = await freshSync();
    server.api.addPostings("client-ok", voucher("2025-06-15", 1500_00n));
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan.kind).toBe("full");
    expect(server.exchanges.at(-1)!.query.toString()).toContain("createdDateTimeOffsetGreaterThan=");
  });

  it("sees an edited description through lastChangedDateTimeOffsetGreaterThan", async () => {
    const { server, marker } = await freshSync();
    const [posting] = testBooks().postings({ from: "2025-03-03", to: "2025-03-03" });
    server.api.changeDescription("client-ok", posting!.id, "Rettet tekst");
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan.kind).toBe("full");
    expect(server.exchanges.at(-1)!.query.toString()).toContain("lastChangedDateTimeOffsetGreaterThan=");
  });

  it("sees a back-dated posting in an earlier year through the opening trial balance", async () => {
    const { server, marker } = await freshSync();
    server.api.addPostings("client-ok", voucher("2024-11-30", 800_00n));
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan.kind).toBe("full");
    expect(server.exchanges.at(-1)!.query.toString()).toContain("date=2024-12-31");
  });

  it("a new pull after a change gives a new marker, and the next plan is unchanged again", async () => {
    const { server, marker } = await freshSync();
    server.api.addPostings("client-ok", voucher("2025-08-01", 99_99n));
    const ledger = await connectorFor(server).pull(credentialsOf("client-ok"), { period: year });
    await summarizePull(ledger);
    const next: ChangeMarker = ledger.provenance().marker!;
    expect(next.digest).not.toBe(marker.digest);
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: next });
    expect(plan.kind).toBe("unchanged");
  });
});

function voucher(date: string, amount: bigint) {
  const common = {
    voucherNo: 77_000,
    voucherId: "00000000-0000-4000-8000-000000077000",
    voucherType: "ManualJournal",
    date,
    voucherDate: date,
  };
  return [
    { ...common, accountNo: 6300, amount, description: "Etterregistrert" },
    { ...common, accountNo: 1920, amount: -amount, description: "Etterregistrert" },
  ];
}
