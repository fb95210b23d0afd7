import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { activateEarlierImport } from "../../../lib/imports/activateEarlierImport.ts";
import { getEngagementReconciliation } from "../../../lib/imports/engagementReconciliation.ts";
import { readEngagementSources } from "../../../lib/imports/engagementSources.ts";
import { toTrialBalanceViewJson } from "../../../lib/imports/importViews.ts";
import { setSourcePlan } from "../../../lib/imports/sourcePlanView.ts";
import { getTrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import { seedClient } from "../../../lib/local/seedClient.ts";
import { accountClassOf } from "../../../lib/reconcile/accountClass.ts";
import { composeTrialBalance, MAX_CHAIN_DEPTH } from "../../../lib/reconcile/composeTrialBalance.ts";
import { EncryptedFileKeyVault } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import {
  apiBooks2024,
  apiBooks2025,
  ChainScenario,
  FIGURES_2023,
  OPENING_FILE_2024,
  sieYear,
} from "../../helpers/priorChainScenario.ts";
import { ScriptedConnector } from "../../helpers/scriptedConnector.ts";

/*
 * The prior closing along a chain of engagements (issue #10): an engagement opens with the prior engagement's
 * closing as saldo composes it (the prior's own plan: its opening + its movement), not as the prior's movement
 * import states it; and its stored reconciliation follows every change along the chain.
 */

let clock: number;
let stores: InMemoryStores;
let vaultDir: string;
let scenario: ChainScenario;

beforeEach(async () => {
  clock = Date.parse("2026-01-05T09:00:00.000Z");
  const now = () => new Date((clock += 1000));
  stores = createInMemoryStores({ now });
  vaultDir = await mkdtemp(join(tmpdir(), "saldo-chain-"));
  scenario = new ChainScenario(
    {
      ...stores,
      files: new MemoryFileSource(),
      keys: new EncryptedFileKeyVault({ directory: vaultDir, masterKey: new Uint8Array(32).fill(7), now }),
      connector: new ScriptedConnector(apiBooks2024()),
      now,
    },
    "t1",
  );
  await scenario.seed();
});

afterEach(async () => {
  await rm(vaultDir, { recursive: true, force: true });
});

/** The stores with the test clock (what the reconciliation's computedAt reads). */
const deps = () => ({ ...stores, now: () => new Date((clock += 1000)) });

/** The composed trial balance of the engagement: per account [opening, movement, closing]. */
async function composed(ref: EngagementRef) {
  return composeTrialBalance(await readEngagementSources(stores, ref));
}

const figures = (trialBalance: Awaited<ReturnType<typeof composed>>) =>
  Object.fromEntries(
    trialBalance.accounts.map((account) => [account.account, [account.opening, account.movement, account.closing]]),
  );

const findings = (json: { differences: { code: string; account: string | null; amount: string | null }[] }) =>
  json.differences.map((difference) => [difference.code, difference.account, difference.amount]);

/** 2023 from its file; 2024 opening from an opening-role file, movement from the API; 2025 by the default plan. */
async function threeYears() {
  const { refs } = scenario;
  const file2023 = await scenario.upload(2023, "2023.se", sieYear(2023, FIGURES_2023));
  await setSourcePlan(deps(), refs[2024], { opening: "file" });
  const opening2024 = await scenario.upload(2024, "ib-2024.se", sieYear(2023, OPENING_FILE_2024), "opening");
  const sync2024 = await scenario.sync(2024, apiBooks2024());
  const sync2025 = await scenario.sync(2025, apiBooks2025());
  return { file2023, opening2024, sync2024, sync2025 };
}

describe("the prior closing is the prior engagement's composed closing", () => {
  it("2025 opens with 2024's closing as composed from the opening-role file and the API's movement", async () => {
    const { opening2024, sync2024 } = await threeYears();
    const { refs } = scenario;

    const year2024 = await composed(refs[2024]);
    expect(year2024.sources.opening).toMatchObject({ kind: "file", importId: opening2024.importId, column: "closing" });
    expect(figures(year2024)).toEqual({
      "1920": [140_000n, 125_000n, 265_000n],
      "2050": [-140_000n, -100_000n, -240_000n],
      "2700": [0n, -25_000n, -25_000n],
      "3000": [0n, -100_000n, -100_000n],
      "8800": [0n, 100_000n, 100_000n],
    });
    // The API states 2024's closing from its own (wrong) opening: 1920 at 2 250,00, not 2 650,00.
    const apiRows = await stores.importStore.readTrialBalance({ ...refs[2024], importId: sync2024.importId });
    expect(apiRows.find((row) => row.account === "1920")?.closing).toBe(225_000n);

    const year2025 = await composed(refs[2025]);
    const closing2024 = new Map(year2024.accounts.map((account) => [account.account, account.closing]));
    for (const account of year2025.accounts) {
      const expected =
        accountClassOf(account.account, account.mapping.standardAccountId) === "result"
          ? 0n
          : (closing2024.get(account.account) ?? 0n);
      expect([account.account, account.opening]).toEqual([account.account, expected]);
    }
    expect(new Set(year2025.accounts.map((account) => account.account))).toEqual(new Set(closing2024.keys()));
    expect(year2025.totals.opening).toBe(0n);

    // The column names the prior engagement and the imports its closing came from.
    expect(year2025.sources.opening).toEqual({
      kind: "prior",
      engagementId: "2024",
      importId: sync2024.importId,
      system: "tripletex",
      format: "tripletex",
      column: "closing",
      priorClosing: {
        closing: "composed",
        opening: { kind: "file", importId: opening2024.importId, format: "sie", column: "closing" },
        movement: { kind: "api", importId: sync2024.importId, system: "tripletex", format: "tripletex" },
        imports: [sync2024.importId, opening2024.importId],
      },
    });
    const view = toTrialBalanceViewJson(await getTrialBalanceView(stores, refs[2025]));
    expect(view.accounts.find((account) => account.account === "1920")).toMatchObject({
      opening: "2650.00",
      priorClosing: "2650.00",
      sources: {
        opening: {
          kind: "prior",
          engagementId: "2024",
          priorClosing: {
            closing: "composed",
            opening: { kind: "file", importId: opening2024.importId, column: "closing" },
            imports: [sync2024.importId, opening2024.importId],
          },
        },
      },
    });
    expect(view.prior).toMatchObject({ engagementId: "2024", importId: sync2024.importId });

    // The API's own 2025 opening is the right one: nothing differs.
    expect(await stores.importStore.getReconciliation(refs[2025])).toMatchObject({ status: "reconciled", count: 0 });
  });

  it("2025 follows a change of 2024's opening file, and of 2023 once 2024 opens from it; its stored reconciliation too", async () => {
    const { file2023 } = await threeYears();
    const { refs } = scenario;
    const before = await stores.importStore.getReconciliation(refs[2025]);

    // A corrected opening file for 2024 (1920 at 1 300,00): 2025 opens 100,00 lower than the API says.
    await scenario.upload(
      2024,
      "ib-2024-v2.se",
      sieYear(2023, { ...OPENING_FILE_2024, "1920": [100_000n, 130_000n], "2050": [-100_000n, -130_000n] }),
      "opening",
    );
    expect(figures(await composed(refs[2025]))["1920"]).toEqual([255_000n, 50_000n, 305_000n]);
    const afterFile = await stores.importStore.getReconciliation(refs[2025]);
    expect(afterFile!.computedAt > before!.computedAt).toBe(true);
    expect(findings(afterFile!)).toEqual([
      ["OPENING_API_DIFFERS", "1920", "100.00"],
      ["OPENING_API_DIFFERS", "2050", "-100.00"],
    ]);

    // 2024 opens from 2023's closing now (1 500,00): 2025 follows two engagements back.
    await setSourcePlan(deps(), refs[2024], { opening: "prior" });
    const year2025 = await composed(refs[2025]);
    expect(figures(year2025)["1920"]).toEqual([275_000n, 50_000n, 325_000n]);
    expect(year2025.sources.opening.priorClosing).toMatchObject({
      closing: "composed",
      opening: { kind: "prior", engagementId: "2023", importId: file2023.importId },
    });
    expect(year2025.sources.opening.priorClosing?.imports).toContain(file2023.importId);
    expect(findings((await stores.importStore.getReconciliation(refs[2025]))!)).toEqual([
      ["OPENING_API_DIFFERS", "1920", "-100.00"],
      ["OPENING_API_DIFFERS", "2050", "100.00"],
    ]);

    // A corrected 2023 (1920 closing at 1 400,00) reaches 2025's stored reconciliation: reconciled again.
    const corrected2023 = await scenario.upload(2023, "2023-v2.se", sieYear(2023, OPENING_FILE_2024));
    expect(figures(await composed(refs[2025]))["1920"]?.[0]).toBe(265_000n);
    expect(findings((await stores.importStore.getReconciliation(refs[2025]))!)).toEqual([]);

    // Re-activating the first 2023 version does too.
    await activateEarlierImport({ ...deps(), retentionSeconds: 3600 }, file2023, {});
    expect(corrected2023.importId).not.toBe(file2023.importId);
    expect(findings((await stores.importStore.getReconciliation(refs[2025]))!)).toEqual([
      ["OPENING_API_DIFFERS", "1920", "-100.00"],
      ["OPENING_API_DIFFERS", "2050", "100.00"],
    ]);
    expect(await getEngagementReconciliation(stores, refs[2025])).toMatchObject({ status: "differences", count: 2 });
  });

  it("a change in 2023 makes 2025's stored reconciliation out of date: a read computes it again", async () => {
    await threeYears();
    const { refs } = scenario;
    await setSourcePlan(deps(), refs[2024], { opening: "prior" });
    const stale = await stores.importStore.getReconciliation(refs[2025]);
    expect(stale?.status).toBe("differences");

    // The recomputation after the activation fails (it is logged): 2025's stored one stays as it was…
    const save = stores.importStore.saveReconciliation.bind(stores.importStore);
    stores.importStore.saveReconciliation = (ref, reconciliation) =>
      ref.engagementId === "2025" ? Promise.reject(new Error("table unavailable")) : save(ref, reconciliation);
    await scenario.upload(2023, "2023-v2.se", sieYear(2023, OPENING_FILE_2024));
    expect(await stores.importStore.getReconciliation(refs[2025])).toEqual(stale);

    // …and a read sees that 2023 changed under it and answers the reconciliation of the figures as they are now.
    const read = await getEngagementReconciliation(stores, refs[2025]);
    expect(read).toMatchObject({ status: "reconciled", count: 0 });

    // Stored fresh again (a plan change of 2025 recomputes it), then a change of 2023's plan whose recomputation
    // does not reach 2025: a read sees it is out of date.
    stores.importStore.saveReconciliation = save;
    await setSourcePlan(deps(), refs[2025], {});
    const fresh = await stores.importStore.getReconciliation(refs[2025]);
    expect(fresh).toMatchObject({ status: "reconciled" });
    expect(await getEngagementReconciliation(stores, refs[2025])).toEqual(
      expect.objectContaining({ computedAt: fresh!.computedAt }),
    );
    stores.importStore.saveReconciliation = (ref, reconciliation) =>
      ref.engagementId === "2023" ? save(ref, reconciliation) : Promise.resolve(true);
    await setSourcePlan(deps(), refs[2023], { opening: "none" });
    expect(await stores.importStore.getReconciliation(refs[2025])).toEqual(fresh);
    const after = await getEngagementReconciliation(deps(), refs[2025]);
    expect(after.computedAt > fresh!.computedAt).toBe(true);
    expect(after.status).toBe("differences");
  });
});

describe("the chain's bound", () => {
  /** Year-end engagements 2014–2025 of a client without a connection, each filled from a SIE file. */
  async function twelveYears() {
    const years = Array.from({ length: 12 }, (_, index) => 2014 + index);
    await seedClient(
      { ...stores, now: () => new Date("2026-01-02T08:00:00.000Z") },
      { tenantId: "t1", clientId: "langrekke", name: "Langrekke AS", accountingSystem: "other" },
      years.map((fiscalYear) => ({ engagementId: String(fiscalYear), kind: "year-end", fiscalYear })),
    );
    const ids = new Map<number, string>();
    for (const year of years) {
      const ref = { tenantId: "t1", clientId: "langrekke", engagementId: String(year) };
      // 2014 closes 1920 at 100,00; 2015's file forgets it (opens and closes it at 0): composed, 2015 would close it
      // at 100,00 (carried over), stated at 0.
      const balances: Record<string, [bigint, bigint]> = {
        "1500": [50_000n, 50_000n],
        "2000": [-50_000n, -50_000n],
        ...(year === 2014 ? { "1920": [0n, 10_000n], "2050": [0n, -10_000n] } : {}),
      };
      ids.set(year, (await scenario.upload(ref, `${year}.se`, sieYear(year, balances))).importId);
    }
    return ids;
  }

  it(`composes at most ${MAX_CHAIN_DEPTH} engagements back, then takes that engagement's stated closing, and says so`, async () => {
    const ids = await twelveYears();
    const ref = { tenantId: "t1", clientId: "langrekke", engagementId: "2025" };
    const reads: string[] = [];
    const read = stores.importStore.readTrialBalance.bind(stores.importStore);
    stores.importStore.readTrialBalance = (importRef) => {
      reads.push(importRef.importId);
      return read(importRef);
    };
    const year2025 = composeTrialBalance(await readEngagementSources(stores, ref));
    // Each engagement of the chain read once: 2025 itself and 2024 … 2015.
    expect(reads.toSorted()).toEqual(
      [...ids.entries()]
        .filter(([year]) => year >= 2015)
        .map(([, id]) => id)
        .toSorted(),
    );
    expect(year2025.accounts.find((account) => account.account === "1920")?.opening ?? 0n).toBe(0n);
    const origin = year2025.sources.opening.priorClosing;
    expect(origin?.closing).toBe("composed");
    expect(origin?.imports).toHaveLength(MAX_CHAIN_DEPTH);
    expect(origin?.imports).not.toContain(ids.get(2014));
    expect(origin?.statedAt).toEqual({ engagementId: "2015", importId: ids.get(2015) });
    // 2024 composed from 2023 … down to 2015, whose closing is the one its file states.
    const year2016 = composeTrialBalance(
      await readEngagementSources(stores, { tenantId: "t1", clientId: "langrekke", engagementId: "2016" }),
    );
    expect(year2016.sources.opening.priorClosing?.closing).toBe("composed");
    expect(year2016.accounts.find((account) => account.account === "1920")?.opening).toBe(10_000n);
  });
});
