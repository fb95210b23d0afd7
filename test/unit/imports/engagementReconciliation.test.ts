import { readFile } from "node:fs/promises";
import { beforeEach, describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { activateEarlierImport } from "../../../lib/imports/activateEarlierImport.ts";
import {
  getEngagementReconciliation,
  getReconciliationPage,
  getWholeReconciliation,
  listEngagementsWithReconciliation,
} from "../../../lib/imports/engagementReconciliation.ts";
import { importFile, type ImportFileDeps } from "../../../lib/imports/importFile.ts";
import { ReconciliationJsonSchema, ReconciliationPageJsonSchema } from "../../../lib/reconcile/reconciliationJson.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { hasSharedFixtures, sharedFixture } from "../../helpers/fixtures.ts";
import { importDeps } from "../../helpers/importHarness.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";

/*
 * The reconciliation of engagements filled from files, on the in-memory stores: the official SAF-T examples with
 * known inconsistencies (their figures are pinned by test/unit/imports/inspectFile.saft.test.ts), and a year whose
 * prior year is imported after it.
 */

const T0 = Date.parse("2026-01-10T10:00:00.000Z");
let clock: number;
let stores: InMemoryStores;
let files: MemoryFileSource;
let deps: ImportFileDeps;
let uploads = 0;

beforeEach(async () => {
  clock = T0;
  stores = createInMemoryStores({ now: () => new Date(clock) });
  files = new MemoryFileSource();
  deps = importDeps(stores, files, () => new Date(clock), 3600);
  const at = new Date(T0).toISOString();
  await stores.engagementStore.createClient({
    tenantId: "t1",
    clientId: "c1",
    name: "C1",
    accountingSystem: "other",
    createdAt: at,
    updatedAt: at,
  });
});

async function engagement(engagementId: string, periodStart: string, periodEnd: string): Promise<EngagementRef> {
  const ref = { tenantId: "t1", clientId: "c1", engagementId };
  await stores.engagementStore.createEngagement({
    ...ref,
    kind: "period-end",
    fiscalYear: Number(periodStart.slice(0, 4)),
    periodStart,
    periodEnd,
    createdAt: new Date(clock).toISOString(),
  });
  return ref;
}

async function upload(ref: EngagementRef, fileName: string, bytes: Uint8Array) {
  uploads++;
  clock += 1000;
  const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/${fileName}`;
  files.objects.set(key, bytes);
  const result = await importFile(deps, {
    bucket: "b",
    key,
    sequencer: uploads.toString(16).padStart(4, "0"),
    eventTime: new Date(clock).toISOString(),
    trigger: { kind: "s3-event" },
  });
  if (result.outcome === "rejected" || result.outcome === "ignored")
    throw new Error(`${result.outcome}: ${result.reason}`);
  return result;
}

const sample = async (name: string) => new Uint8Array(await readFile(sharedFixture(`saft/samples/${name}`)));
const findings = (json: { differences: { code: string; account: string | null; amount: string | null }[] }) =>
  json.differences.map((difference) => [difference.code, difference.account, difference.amount]);

describe.skipIf(!hasSharedFixtures)("reconciliation codes on the official SAF-T examples", () => {
  it("Tøyen Lekefabrikk (888888888): openings that do not balance, three closings its transactions do not reach", async () => {
    const ref = await engagement("p1", "2017-01-01", "2017-04-30");
    const result = await upload(
      ref,
      "toyen.xml",
      await sample("skatteetaten_ExampleFile_SAF-T_Financial_888888888_20180228235959.xml"),
    );
    expect(result.outcome).toBe("imported");
    // Stored by the import's activation, and what a read answers.
    const stored = await stores.importStore.getReconciliation(ref);
    const json = ReconciliationJsonSchema.parse(await getEngagementReconciliation(stores, ref));
    const { basis: _basis, ...storedJson } = stored!;
    expect(json).toEqual(storedJson);
    expect(json.status).toBe("differences");
    // CLOSING_MISMATCH in the file's report is stated − computed; here computed − stated (the first figure first).
    expect(findings(json)).toEqual([
      ["OPENING_NOT_BALANCED", null, "2545410.00"],
      ["CLOSING_DIFFERS_FROM_STATED", "1920", "53838.25"],
      ["CLOSING_DIFFERS_FROM_STATED", "2711", "-0.35"],
      ["CLOSING_DIFFERS_FROM_STATED", "2740", "0.35"],
    ]);
    expect(json.total).toBe("2599248.95");
    expect(json.differences[1]!.sources).toEqual([
      {
        kind: "file",
        importId: result.run.importId,
        engagementId: null,
        system: null,
        format: "saft",
        figure: "724407.00",
      },
      {
        kind: "file",
        importId: result.run.importId,
        engagementId: null,
        system: null,
        format: "saft",
        figure: "670568.75",
      },
    ]);
  });

  it("the XMLSpy skeleton: a declared number of entries its transactions do not match", async () => {
    const ref = await engagement("p2", "1957-08-13", "1957-08-13");
    const result = await upload(ref, "skeleton.xml", await sample("skatteetaten_v130_Eksempelfil_fra_xmlSpy.xml"));
    expect(result.outcome).toBe("held");
    // Held: nothing active, so the plan's sources are missing.
    expect(await getEngagementReconciliation(stores, ref)).toMatchObject({
      status: "incomplete",
      missing: [
        { part: "opening", kind: "file" },
        { part: "movement", kind: "file" },
      ],
    });
    await activateEarlierImport({ ...stores, retentionSeconds: 3600, now: () => new Date(clock) }, result.run, {
      accept: result.run.heldFor!,
    });
    const json = await getEngagementReconciliation(stores, ref);
    expect(findings(json).filter(([code]) => code === "CONTROL_TOTALS_DIFFER")).toEqual([
      ["CONTROL_TOTALS_DIFFER", null, null],
    ]);
    expect((await stores.importStore.getReconciliation(ref))?.status).toBe(json.status);
  });
});

describe("reconciliation across periods", () => {
  /** A tiny SIE file: `#IB`/`#UB`/`#RES` per account. */
  function sie(period: [string, string], balances: Record<string, [number, number]>): Uint8Array {
    const lines = [
      "#FLAGGA 0",
      "#SIETYP 4",
      '#FNAMN "C1"',
      `#RAR 0 ${period[0].replaceAll("-", "")} ${period[1].replaceAll("-", "")}`,
    ];
    for (const [account, [opening, closing]] of Object.entries(balances)) {
      lines.push(`#KONTO ${account} "Konto ${account}"`);
      lines.push(`#IB 0 ${account} ${opening.toFixed(2)}`);
      lines.push(`#UB 0 ${account} ${closing.toFixed(2)}`);
    }
    return new TextEncoder().encode(lines.join("\r\n") + "\r\n");
  }

  it("compares the opening with the prior period's closing, and recomputes the next period when the prior one changes", async () => {
    const q1 = await engagement("q1", "2025-01-01", "2025-03-31");
    const q2 = await engagement("q2", "2025-04-01", "2025-06-30");
    await upload(q1, "q1.se", sie(["2025-01-01", "2025-03-31"], { "1920": [0, 1000], "2050": [0, -1000] }));
    // Q2 opens 1920 at 900.00: 100.00 less than Q1 closed it. The default plan takes the prior closing.
    await upload(q2, "q2.se", sie(["2025-04-01", "2025-06-30"], { "1920": [900, 900], "2050": [-900, -900] }));
    const q2Json = await getEngagementReconciliation(stores, q2);
    expect(findings(q2Json)).toEqual([
      ["OPENING_FILE_DIFFERS", "1920", "-100.00"],
      ["OPENING_FILE_DIFFERS", "2050", "100.00"],
    ]);
    const storedBefore = await stores.importStore.getReconciliation(q2);

    // A corrected Q1 (closing 1920 at 900.00) reconciles Q2 again, without touching Q2.
    await upload(q1, "q1-corrected.se", sie(["2025-01-01", "2025-03-31"], { "1920": [0, 900], "2050": [0, -900] }));
    const storedAfter = await stores.importStore.getReconciliation(q2);
    expect(storedAfter!.computedAt > storedBefore!.computedAt).toBe(true);
    expect(storedAfter).toMatchObject({ status: "reconciled", count: 0 });
    const listed = await listEngagementsWithReconciliation(stores, { tenantId: "t1", clientId: "c1" });
    expect(listed.map(({ engagement, reconciliation }) => [engagement.engagementId, reconciliation.status])).toEqual([
      ["q2", "reconciled"],
      ["q1", "reconciled"],
    ]);
  });

  it("pages every difference past the 500 a reconciliation keeps, with a cursor bound to its basis", async () => {
    const q1 = await engagement("q1", "2025-01-01", "2025-03-31");
    const q2 = await engagement("q2", "2025-04-01", "2025-06-30");
    // 700 balance-sheet accounts, each opened in Q2 1.00 below Q1's closing, plus one account balancing each side.
    const prior: Record<string, [number, number]> = {};
    const next: Record<string, [number, number]> = {};
    for (let index = 0; index < 700; index++) {
      prior[String(1000 + index)] = [0, 10];
      next[String(1000 + index)] = [9, 9];
    }
    prior["2050"] = [0, -7000];
    next["2050"] = [-6300, -6300];
    await upload(q1, "q1.se", sie(["2025-01-01", "2025-03-31"], prior));
    await upload(q2, "q2.se", sie(["2025-04-01", "2025-06-30"], next));
    const first = await getReconciliationPage(stores, q2);
    expect(first.count).toBe(701);
    expect(first.differences).toHaveLength(500);
    expect(first.nextCursor).not.toBeNull();
    const second = await getReconciliationPage(stores, q2, { cursor: first.nextCursor!, limit: 150 });
    const third = await getReconciliationPage(stores, q2, { cursor: second.nextCursor!, limit: 150 });
    expect([second.differences.length, third.differences.length, third.nextCursor]).toEqual([150, 51, null]);
    const all = [...first.differences, ...second.differences, ...third.differences];
    expect(new Set(all.map((difference) => difference.account)).size).toBe(701);
    // saldo reconcile's whole list: the same differences in the same order, with no cursor.
    const whole = await getWholeReconciliation(stores, q2);
    expect(whole.differences).toEqual(all);
    expect(whole).not.toHaveProperty("nextCursor");
    expect(all.map((d) => d.account).sort()).toEqual([...Object.keys(next)].sort());
    expect(third.computedAt).toBe(first.computedAt);
    expect(ReconciliationPageJsonSchema.parse(third)).toEqual(third);
    // The same list as the engine's, in its order.
    const stored = await stores.importStore.getReconciliation(q2);
    expect(all.slice(0, 500)).toEqual(stored!.differences);

    // A cursor of a reconciliation that has since changed (Q1 corrected) is refused, not paged on another list.
    await upload(q1, "q1-corrected.se", sie(["2025-01-01", "2025-03-31"], { ...prior, "1000": [0, 9] }));
    await expect(getReconciliationPage(stores, q2, { cursor: first.nextCursor! })).rejects.toMatchObject({
      code: "CURSOR_INVALID",
    });
  });

  it("a read computes the reconciliation again when the stored one is out of date, without writing", async () => {
    const q1 = await engagement("q1", "2025-01-01", "2025-03-31");
    await upload(q1, "q1.se", sie(["2025-01-01", "2025-03-31"], { "1920": [0, 1000], "2050": [0, -1000] }));
    const stored = await stores.importStore.getReconciliation(q1);
    // A stored reconciliation from other sources (as after a failed recomputation) is not what a read answers.
    await stores.importStore.saveReconciliation(q1, { ...stored!, status: "differences", basis: "stale" });
    const read = await getEngagementReconciliation(stores, q1);
    expect(read.status).toBe("reconciled");
    expect((await stores.importStore.getReconciliation(q1))?.basis).toBe("stale");
  });

  it("a failure to store the reconciliation never undoes the activation: it is logged, and a read computes it", async () => {
    const q1 = await engagement("q1", "2025-01-01", "2025-03-31");
    const logged: Array<[string, Record<string, unknown>]> = [];
    deps = { ...deps, log: (message, fields) => logged.push([message, fields]) };
    stores.importStore.saveReconciliation = () => Promise.reject(new Error("table unavailable"));
    const result = await upload(
      q1,
      "q1.se",
      sie(["2025-01-01", "2025-03-31"], { "1920": [0, 1000], "2050": [0, -1000] }),
    );
    expect(result.outcome).toBe("imported");
    expect((await stores.engagementStore.getEngagement(q1))?.activeImportId).toBe(
      "run" in result ? result.run.importId : undefined,
    );
    expect(logged).toContainEqual([
      "reconciliation not recomputed: the next read computes it",
      expect.objectContaining({ engagementId: "q1", reason: "table unavailable" }),
    ]);
    expect(await stores.importStore.getReconciliation(q1)).toBeUndefined();
    expect(await getEngagementReconciliation(stores, q1)).toMatchObject({ status: "reconciled" });
  });
});
