import { describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { getEngagementReconciliation } from "../../../lib/imports/engagementReconciliation.ts";
import { readEngagementSources } from "../../../lib/imports/engagementSources.ts";
import { syncFromApi } from "../../../lib/imports/syncFromApi.ts";
import { demoCompanyBooks, type DemoCompanySlug } from "../../../lib/local/fakes/demoBooks.ts";
import { formatOre } from "../../../lib/money/ore.ts";
import { accountClassOf } from "../../../lib/reconcile/accountClass.ts";
import { composeTrialBalance } from "../../../lib/reconcile/composeTrialBalance.ts";
import type { IntegrationKeyBySystem, IntegrationSystem } from "../../../lib/secrets/types.ts";
import { useSyncFakes } from "../../helpers/syncFakes.ts";

/**
 * Issue #10 "Done when": syncing fiscal years 2024 and 2025 of the demo companies from the fake Tripletex and
 * PowerOffice Go servers (real HTTP on loopback) into the real store (DynamoDB Local). The 2025 trial balance opens
 * with 2024's closing on the balance sheet and at 0 on the income statement, and the reconciliation — computed after
 * each sync and stored — says `reconciled`; for the wrong-IB company the default plan carries the right opening over
 * by itself and the reconciliation names each account where the API's opening differs, with the amount and the hint.
 * Every figure is checked against the fakes' books.
 */

const fakes = useSyncFakes({ name: "reconcile-fakes", timeoutMs: 5_000 });
const trigger = { kind: "cli" as const, by: "test" };
let tenants = 0;

/** A connected client (own tenant) with year-end engagements 2024 and 2025. */
async function connectedClient<S extends IntegrationSystem>(
  system: S,
  key: IntegrationKeyBySystem[S],
): Promise<{ fy2024: EngagementRef; fy2025: EngagementRef }> {
  tenants++;
  const [fy2024, fy2025] = await fakes().connectClient({
    tenantId: `reconcile-${tenants}`,
    clientId: "client",
    system,
    key,
    years: [2024, 2025],
  });
  return { fy2024: fy2024!, fy2025: fy2025! };
}

/** The books' closing of 2024 per account (balance-sheet accounts carry over; result accounts open 2025 at 0). */
function expectedOpening2025(slug: DemoCompanySlug): Map<string, bigint> {
  const closing = demoCompanyBooks(slug).balancesAt("2024-12-31");
  const opening = new Map<string, bigint>();
  for (const [account, amount] of closing) {
    opening.set(account, accountClassOf(account) === "balance-sheet" ? amount : 0n);
  }
  return opening;
}

async function syncYears(system: IntegrationSystem, key: IntegrationKeyBySystem[IntegrationSystem], order: number[]) {
  const deps = fakes().syncDeps(await fakes().startConnectors(system));
  const refs = await connectedClient(system, key);
  const outcomes: Record<number, string> = {};
  for (const year of order) {
    const result = await syncFromApi(deps, { ref: year === 2024 ? refs.fy2024 : refs.fy2025, trigger });
    outcomes[year] = result.outcome;
  }
  return { refs, outcomes, deps };
}

describe("reconciliation of the demo companies across fiscal years 2024 and 2025", () => {
  it.each([
    ["demo-poweroffice-ok", "poweroffice-go", "fjordlys", { clientKey: "demo-poweroffice-ok" }],
    ["demo-tripletex-ok", "tripletex", "nordvik", { employeeToken: "demo-tripletex-ok" }],
  ] as const)(
    "%s: 2025 opens with the 2024 closing (classes 1–2) and at 0 (3–8), and is reconciled",
    async (_key, system, slug, key) => {
      const { refs, outcomes } = await syncYears(system, key, [2024, 2025]);
      expect(outcomes).toEqual({ 2024: "imported", 2025: "imported" });

      const composed = composeTrialBalance(await readEngagementSources(fakes().stores, refs.fy2025));
      expect(composed.plan).toMatchObject({ opening: "prior", movement: "api" });
      const expected = expectedOpening2025(slug);
      const opened = new Map(composed.accounts.map((account) => [account.account, account.opening]));
      for (const [account, amount] of expected) expect([account, opened.get(account) ?? 0n]).toEqual([account, amount]);
      expect(composed.totals.opening).toBe(0n);

      const stored = await fakes().stores.importStore.getReconciliation(refs.fy2025);
      expect(stored).toMatchObject({ status: "reconciled", count: 0, total: "0.00", differences: [] });
      const read = await getEngagementReconciliation(fakes().stores, refs.fy2025);
      expect(read).toMatchObject({ status: "reconciled", computedAt: stored!.computedAt });
    },
  );

  it("demo-tripletex-wrong-ib: the default plan carries the right opening over, and the reconciliation names the API's wrong IB on equity with the amount and the hint", async () => {
    const { refs, outcomes } = await syncYears("tripletex", { employeeToken: "demo-tripletex-wrong-ib" }, [2024, 2025]);
    expect(outcomes).toEqual({ 2024: "imported", 2025: "imported" });

    const composed = composeTrialBalance(await readEngagementSources(fakes().stores, refs.fy2025));
    const expected = expectedOpening2025("havbris");
    for (const account of composed.accounts)
      expect([account.account, account.opening]).toEqual([account.account, expected.get(account.account) ?? 0n]);

    // What the fake's API misreports: the books' adjustments in force on 2025-01-01.
    const adjustments = demoCompanyBooks("havbris").reportedOpeningAdjustments.filter((a) => a.from <= "2025-01-01");
    expect(adjustments.length).toBeGreaterThan(0);
    const reconciliation = await getEngagementReconciliation(fakes().stores, refs.fy2025);
    expect(reconciliation.status).toBe("differences");
    const apiOpening = reconciliation.differences.filter((d) => d.code === "OPENING_API_DIFFERS");
    expect(apiOpening.map((d) => [d.account, d.amount, d.hint])).toEqual(
      adjustments.map((a) => [a.account, formatOre(a.amount), "RESULT_NOT_MOVED_TO_EQUITY"]),
    );
    for (const difference of apiOpening) {
      expect(difference.sources.map((source) => source.kind)).toEqual(["api", "prior"]);
      expect(difference.sources[1]!.engagementId).toBe("2024");
    }
    // Nothing else: the API's own figures are consistent with its postings, and the composed ones balance.
    expect(reconciliation.differences.map((d) => d.code)).toEqual(apiOpening.map(() => "OPENING_API_DIFFERS"));
    expect(reconciliation.total).toBe(
      formatOre(adjustments.reduce((sum, a) => sum + (a.amount < 0n ? -a.amount : a.amount), 0n)),
    );
  });

  it("a prior year synced after the year is reconciles the year after it again", async () => {
    const { refs, deps } = await syncYears("tripletex", { employeeToken: "demo-tripletex-ok" }, [2025]);
    // 2025 alone: the plan takes the opening from the API (no prior closing yet); nothing to compare it with.
    const before = await fakes().stores.importStore.getReconciliation(refs.fy2025);
    expect(before).toMatchObject({ status: "reconciled" });
    expect((await syncFromApi(deps, { ref: refs.fy2024, trigger })).outcome).toBe("imported");
    const after = await fakes().stores.importStore.getReconciliation(refs.fy2025);
    expect(after!.computedAt > before!.computedAt).toBe(true);
    expect(after!.basis).not.toBe(before!.basis);
    expect(after).toMatchObject({ status: "reconciled" });
  });
});
