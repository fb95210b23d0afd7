import { describe, expect, it } from "vitest";
import { seedClient } from "../../../lib/local/seedClient.ts";
import { createInMemoryStores } from "../../../lib/store/createInMemoryStores.ts";

const client = {
  tenantId: "t1",
  clientId: "fjellbekk",
  name: "Fjellbekk Snekkeri AS",
  accountingSystem: "other",
} as const;
const at = new Date("2026-01-02T08:00:00.000Z");

describe("seedClient", () => {
  it("stores the client and its engagements with the periods the use cases give them", async () => {
    const stores = createInMemoryStores();
    const seeded = await seedClient({ ...stores, now: () => at }, { ...client, orgNumber: "923 609 016" }, [
      { engagementId: "fy2025", kind: "year-end", fiscalYear: 2025 },
      { engagementId: "q1-2026", kind: "period-end", periodStart: "2026-01-01", periodEnd: "2026-03-31" },
    ]);
    expect(
      seeded.map(({ engagementId, fiscalYear, periodStart, periodEnd }) => [
        engagementId,
        fiscalYear,
        periodStart,
        periodEnd,
      ]),
    ).toEqual([
      ["fy2025", 2025, "2025-01-01", "2025-12-31"],
      ["q1-2026", 2026, "2026-01-01", "2026-03-31"],
    ]);
    expect(await stores.engagementStore.getClient(client)).toMatchObject({
      name: "Fjellbekk Snekkeri AS",
      orgNumber: "923609016",
      accountingSystem: "other",
      createdAt: at.toISOString(),
    });
    expect(await stores.engagementStore.getEngagement({ ...client, engagementId: "fy2025" })).toMatchObject({
      kind: "year-end",
      createdAt: at.toISOString(),
    });
  });

  it("obeys the rules a user's client obeys: a wrong check digit and a second engagement of one period are refused", async () => {
    const stores = createInMemoryStores();
    await expect(seedClient(stores, { ...client, orgNumber: "923609017" }, [])).rejects.toMatchObject({
      code: "INVALID_ENGAGEMENT_INPUT",
      context: { field: "orgNumber" },
    });
    await expect(
      seedClient(stores, client, [
        { engagementId: "a", kind: "year-end", fiscalYear: 2025 },
        { engagementId: "b", kind: "year-end", fiscalYear: 2025 },
      ]),
    ).rejects.toMatchObject({ code: "ENGAGEMENT_EXISTS" });
  });
});
