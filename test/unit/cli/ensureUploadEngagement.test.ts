import { describe, expect, it } from "vitest";
import { UsageError } from "../../../lib/cli/errors.ts";
import { ensureUploadEngagement } from "../../../lib/cli/ensureUploadEngagement.ts";
import type { FileHeader } from "../../../lib/ledger/types.ts";
import { createInMemoryStores } from "../../../lib/store/createInMemoryStores.ts";

/*
 * `saldo upload` into an engagement that does not exist yet creates it from the file's period; with `--role
 * opening` the file is last year's trial balance, so the engagement it creates is the year after the file's period.
 */

const ref = { tenantId: "t1", clientId: "fjordkanten", engagementId: "fy2025" };
const header = (start: string, end: string): FileHeader => ({
  format: "sie",
  formatVersion: "4",
  encoding: "cp437",
  company: { name: "Fjordkanten AS" },
  period: { start, end },
});

describe("the engagement an upload creates", () => {
  it("with the opening role: the fiscal year after the file's period (last year's trial balance opens it)", async () => {
    const stores = createInMemoryStores();
    const said = await ensureUploadEngagement(stores, ref, async () => header("2024-01-01", "2024-12-31"), {
      role: "opening",
    });
    expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({
      kind: "year-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-12-31",
    });
    expect(said.at(-1)).toBe("opprettet årsavslutningsoppdrag fy2025 (regnskapsår 2025, 01.01.2025–31.12.2025)");
  });

  it("with the figures role: the file's own year, as before", async () => {
    const stores = createInMemoryStores();
    await ensureUploadEngagement(stores, ref, async () => header("2024-01-01", "2024-12-31"));
    expect((await stores.engagementStore.getEngagement(ref))?.fiscalYear).toBe(2024);
  });

  it("with the opening role and --fiscal-year: a file of that year (right opening balances) or of the year before", async () => {
    const stores = createInMemoryStores();
    await ensureUploadEngagement(stores, ref, async () => header("2025-01-01", "2025-12-31"), {
      role: "opening",
      fiscalYear: 2025,
    });
    expect((await stores.engagementStore.getEngagement(ref))?.fiscalYear).toBe(2025);
  });

  it("refuses, creating nothing, an opening file that neither ends the day before the year nor lies within it", async () => {
    const stores = createInMemoryStores();
    const attempt = ensureUploadEngagement(stores, ref, async () => header("2022-01-01", "2022-12-31"), {
      role: "opening",
      fiscalYear: 2025,
    });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(
      /must end on 2024-12-31 \(last year's trial balance\) or lie within the year/,
    );
    expect(await stores.engagementStore.getClient(ref)).toBeUndefined();
  });
});
