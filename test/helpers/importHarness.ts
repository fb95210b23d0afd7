import { expect } from "vitest";
import type { EngagementRef } from "../../lib/engagements/types.ts";
import type { ImportFileDeps } from "../../lib/imports/importFile.ts";
import { SaldoError } from "../../lib/errors/SaldoError.ts";
import type { InMemoryStores } from "../../lib/store/createInMemoryStores.ts";
import type { MemoryFileSource } from "./memoryFileSource.ts";

/** importFile's dependencies on the in-memory stores, with a test clock and import ids IMP0001, IMP0002, … */
export function importDeps(
  stores: InMemoryStores,
  files: MemoryFileSource,
  now: () => Date,
  retentionSeconds: number,
): ImportFileDeps {
  let id = 0;
  return { ...stores, files, retentionSeconds, now, newImportId: () => `IMP${String(++id).padStart(4, "0")}` };
}

/**
 * Creates client `c1` for each tenant and, under it, Q1 2025 period-end engagements with the given ids — the same
 * ids for every tenant, so tests can check that one tenant's ids never reach another's data.
 */
export async function seedClientsAndEngagements(
  stores: InMemoryStores,
  at: string,
  options: { tenants: readonly string[]; engagements: readonly string[] },
): Promise<void> {
  for (const tenantId of options.tenants) {
    await stores.engagementStore.createClient({
      tenantId,
      clientId: "c1",
      name: "C1",
      accountingSystem: "other",
      createdAt: at,
      updatedAt: at,
    });
    for (const engagementId of options.engagements) {
      const ref: EngagementRef = { tenantId, clientId: "c1", engagementId };
      // Stored as is: several engagements of one period (createEngagement keeps a client's periods unique).
      await stores.engagementStore.putEngagement({
        ...ref,
        kind: "period-end",
        fiscalYear: 2025,
        periodStart: "2025-01-01",
        periodEnd: "2025-03-31",
        createdAt: at,
      });
    }
  }
}

/**
 * Awaits a promise that must reject with an error of the read/activate use cases (an ImportViewError, or
 * lib/engagements' not-found errors) and returns what a caller may see of it.
 */
export async function viewFailure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SaldoError);
  const { name, code, category, message, context } = error as SaldoError;
  return { name, code, category, message, context };
}
