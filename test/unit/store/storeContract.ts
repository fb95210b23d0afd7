import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import type { EngagementStore } from "../../../lib/engagements/ports.ts";
import type { ImportStore, LinePosition, TransactionQuery } from "../../../lib/imports/ports.ts";
import type { LedgerLine, Transaction } from "../../../lib/ledger/types.ts";
import type { ImportRef, ImportRun } from "../../../lib/imports/types.ts";
import { StoreError } from "../../../lib/store/errors.ts";
import {
  client,
  engagement,
  expectedLines,
  importRun,
  makeTransactions,
  newImportId,
  newTenantId,
  ORG_NUMBERS,
  trialBalanceOf,
  lease,
} from "./storeFixtures.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";

/** A stores under test, with the probes the contract needs beyond the port. */
export interface ContractSubject {
  /** The two stores over one table (an activation switches the engagement's active version). */
  stores: { engagementStore: EngagementStore; importStore: ImportStore };
  /** `expiresAt` of every data item an import wrote (rows, directory, chunks…); empty when it wrote none. */
  dataExpiries(importId: string): Promise<(number | undefined)[]>;
}

/** Makes a stores whose lease decisions use `now`. Called once per test. */
export type ContractFactory = (now: () => Date) => Promise<ContractSubject>;

/** Property-test runs for the paging property (fewer against a real database). */
export interface ContractOptions {
  pagingRuns?: number;
}

const RETENTION = 30 * 86_400;

/** The imports whose data-expiry marking is due for the sweeper at some point (far in the future). */
async function dueForExpiry(stores: ContractSubject["stores"], tenantId: string): Promise<string[]> {
  const due = await stores.importStore.listDueImports("9999-01-01T00:00:00.000Z", 1_000);
  return due
    .filter((entry) => entry.kind === "expiry" && entry.run.tenantId === tenantId)
    .map((entry) => entry.run.importId);
}
const NOW = "2025-01-10T10:00:00.000Z";
const NOW_SECONDS = Date.parse(NOW) / 1000;

/**
 * The behaviour every pair of EngagementStore and ImportStore adapters must have (lib/engagements/ports.ts,
 * lib/imports/ports.ts), registered as vitest tests. Run against the in-memory stores (unit) and the DynamoDB stores on
 * DynamoDB Local (integration), so the in-memory stores the use case tests rely on behave like the real ones.
 */
export function storeContract(name: string, factory: ContractFactory, options: ContractOptions = {}): void {
  let clockNow = new Date(NOW);
  const setup = async () => {
    clockNow = new Date(NOW);
    const subject = await factory(() => clockNow);
    const tenantId = newTenantId();
    const ref: EngagementRef = { tenantId, clientId: "acme", engagementId: "2024" };
    await subject.stores.engagementStore.createClient(client(tenantId, "acme"));
    await subject.stores.engagementStore.createEngagement(engagement(tenantId, "acme", "2024"));
    return { ...subject, tenantId, ref };
  };

  /** Claims, writes and saves an import (succeeded, not yet activated). */
  const writeImport = async (
    stores: ContractSubject["stores"],
    ref: EngagementRef,
    transactions: readonly Transaction[],
    runOptions: { orderKey?: string; api?: boolean; role?: "opening" } = {},
  ): Promise<ImportRun> => {
    const claim = await stores.importStore.claimImport(importRun(ref, runOptions), lease("2025-01-10T10:15:00.000Z"));
    if (claim.outcome !== "claimed") throw new Error("expected a claim");
    const writer = stores.importStore.openImportWriter(claim.run);
    for (const transaction of transactions) await writer.addTransaction(transaction);
    await writer.finish(trialBalanceOf(transactions));
    const finished: ImportRun = { ...claim.run, status: "succeeded", finishedAt: "2025-01-10T10:01:00.000Z" };
    await stores.importStore.saveImport(finished);
    return finished;
  };

  const readAll = async (stores: ContractSubject["stores"], ref: ImportRef, query: Omit<TransactionQuery, "after">) => {
    const lines: LedgerLine[] = [];
    let after: LinePosition | undefined;
    let pages = 0;
    do {
      const page = await stores.importStore.readTransactionLines(ref, {
        ...query,
        ...(after === undefined ? {} : { after }),
      });
      expect(page.items.length).toBeLessThanOrEqual(query.limit);
      lines.push(...page.items);
      after = page.next;
      if (++pages > 10_000) throw new Error("paging does not end");
    } while (after !== undefined);
    return lines;
  };

  const codeOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(StoreError);
      return (error as StoreError).code;
    }
    return "no error";
  };

  describe(`${name}: clients and engagements`, () => {
    it("creates a client once and reads it back", async () => {
      const { stores, tenantId } = await setup();
      expect(await stores.engagementStore.createClient(client(tenantId, "beta"))).toEqual({ outcome: "written" });
      expect(await stores.engagementStore.createClient(client(tenantId, "beta", "Another name"))).toEqual({
        outcome: "id-taken",
      });
      expect(await stores.engagementStore.getClient({ tenantId, clientId: "beta" })).toEqual(client(tenantId, "beta"));
    });

    it("gives an organisation number to one live client of a tenant only, and names the holder", async () => {
      const { stores, tenantId } = await setup();
      const [number] = ORG_NUMBERS;
      expect(await stores.engagementStore.createClient(client(tenantId, "beta", "Beta", number))).toEqual({
        outcome: "written",
      });
      expect(await stores.engagementStore.createClient(client(tenantId, "gamma", "Gamma", number))).toEqual({
        outcome: "org-number-taken",
        clientId: "beta",
      });
      expect(await stores.engagementStore.getClient({ tenantId, clientId: "gamma" })).toBeUndefined();
      // Another tenant's clients do not count.
      expect(await stores.engagementStore.createClient(client(newTenantId("other"), "gamma", "Gamma", number))).toEqual(
        { outcome: "written" },
      );
    });

    it("lets exactly one of many simultaneous creations with the same organisation number through", async () => {
      const { stores, tenantId } = await setup();
      const ids = ["c1", "c2", "c3", "c4", "c5", "c6"];
      const results = await Promise.all(
        ids.map((id) => stores.engagementStore.createClient(client(tenantId, id, id, ORG_NUMBERS[1]))),
      );
      expect(results.filter((result) => result.outcome === "written")).toHaveLength(1);
      const winner = ids[results.findIndex((result) => result.outcome === "written")];
      for (const result of results.filter((entry) => entry.outcome !== "written")) {
        expect(result.outcome).toBe("org-number-taken");
      }
      const live = (await stores.engagementStore.listClients(tenantId)).filter(
        (entry) => entry.orgNumber === ORG_NUMBERS[1],
      );
      expect(live.map((entry) => entry.clientId)).toEqual([winner]);
    });

    it("replaces a client as read, moving its organisation number's marker", async () => {
      const { stores, tenantId } = await setup();
      const [first, second] = ORG_NUMBERS;
      const beta = client(tenantId, "beta", "Beta", first);
      await stores.engagementStore.createClient(beta);
      const moved = { ...beta, name: "Beta AS", orgNumber: second, updatedAt: "2025-02-01T00:00:00.000Z" };
      expect(await stores.engagementStore.replaceClient(beta, moved)).toEqual({ outcome: "written" });
      expect(await stores.engagementStore.getClient(beta)).toEqual(moved);
      // The old number is free again, the new one is held.
      expect(await stores.engagementStore.createClient(client(tenantId, "gamma", "Gamma", first))).toEqual({
        outcome: "written",
      });
      expect(await stores.engagementStore.createClient(client(tenantId, "delta", "Delta", second))).toMatchObject({
        outcome: "org-number-taken",
        clientId: "beta",
      });
      // A number another live client holds cannot be taken over by a change either.
      const gamma = (await stores.engagementStore.getClient({ tenantId, clientId: "gamma" }))!;
      expect(
        await stores.engagementStore.replaceClient(gamma, {
          ...gamma,
          orgNumber: second,
          updatedAt: "2025-02-02T00:00:00.000Z",
        }),
      ).toEqual({
        outcome: "org-number-taken",
        clientId: "beta",
      });
      expect(await stores.engagementStore.getClient(gamma)).toEqual(gamma);
    });

    it("refuses to replace a client that changed or was deleted since it was read", async () => {
      const { stores, tenantId } = await setup();
      const beta = client(tenantId, "beta", "Beta", ORG_NUMBERS[0]);
      await stores.engagementStore.createClient(beta);
      const renamed = { ...beta, name: "Beta AS", updatedAt: "2025-02-01T00:00:00.000Z" };
      expect(await stores.engagementStore.replaceClient(beta, renamed)).toEqual({ outcome: "written" });
      expect(await stores.engagementStore.replaceClient(beta, { ...beta, name: "Lost update" })).toEqual({
        outcome: "stale",
      });
      const deleted = { ...renamed, deletedAt: "2025-02-02T00:00:00.000Z", updatedAt: "2025-02-02T00:00:00.000Z" };
      expect(await stores.engagementStore.replaceClient(renamed, deleted)).toEqual({ outcome: "written" });
      expect(await stores.engagementStore.replaceClient(deleted, { ...deleted, name: "Back from the dead" })).toEqual({
        outcome: "stale",
      });
      expect(await stores.engagementStore.getClient(beta)).toEqual(deleted);
    });

    it("releases the organisation number of a deleted client", async () => {
      const { stores, tenantId } = await setup();
      const beta = client(tenantId, "beta", "Beta", ORG_NUMBERS[2]);
      await stores.engagementStore.createClient(beta);
      const deleted = { ...beta, deletedAt: "2025-02-01T00:00:00.000Z", updatedAt: "2025-02-01T00:00:00.000Z" };
      expect(await stores.engagementStore.replaceClient(beta, deleted)).toEqual({ outcome: "written" });
      expect(await stores.engagementStore.getClient(beta)).toMatchObject({ deletedAt: "2025-02-01T00:00:00.000Z" });
      expect(await stores.engagementStore.createClient(client(tenantId, "gamma", "Gamma", ORG_NUMBERS[2]))).toEqual({
        outcome: "written",
      });
    });

    it("lists a tenant's clients in id order", async () => {
      const { stores, tenantId } = await setup();
      await stores.engagementStore.createClient(client(tenantId, "zeta"));
      await stores.engagementStore.createClient(client(tenantId, "beta"));
      expect((await stores.engagementStore.listClients(tenantId)).map((entry) => entry.clientId)).toEqual([
        "acme",
        "beta",
        "zeta",
      ]);
    });

    it("keeps ids containing # and % apart", async () => {
      const { stores, tenantId } = await setup();
      await stores.engagementStore.createClient(client(tenantId, "a#C#b"));
      await stores.engagementStore.createClient(client(tenantId, "a%23C%23b"));
      await stores.engagementStore.createEngagement(engagement(tenantId, "a#C#b", "e#1"));
      expect((await stores.engagementStore.getClient({ tenantId, clientId: "a#C#b" }))?.clientId).toBe("a#C#b");
      expect((await stores.engagementStore.getClient({ tenantId, clientId: "a%23C%23b" }))?.clientId).toBe("a%23C%23b");
      expect(await stores.engagementStore.listEngagements({ tenantId, clientId: "a#C#b" })).toHaveLength(1);
      expect(await stores.engagementStore.listEngagements({ tenantId, clientId: "a" })).toEqual([]);
      expect(
        await stores.engagementStore.getEngagement({ tenantId, clientId: "a#C#b", engagementId: "e#1" }),
      ).toMatchObject({
        engagementId: "e#1",
      });
    });

    it("creates an engagement once and lists the client's engagements", async () => {
      const { stores, tenantId } = await setup();
      expect(await stores.engagementStore.createEngagement(engagement(tenantId, "acme", "2024"))).toEqual({
        outcome: "id-taken",
      });
      expect(await stores.engagementStore.createEngagement(engagement(tenantId, "acme", "2025"))).toEqual({
        outcome: "written",
      });
      expect(await stores.engagementStore.getEngagement({ tenantId, clientId: "acme", engagementId: "2025" })).toEqual(
        engagement(tenantId, "acme", "2025"),
      );
      expect(
        (await stores.engagementStore.listEngagements({ tenantId, clientId: "acme" })).map(
          (entry) => entry.engagementId,
        ),
      ).toEqual(["2024", "2025"]);
    });

    it("creates one engagement per kind and period of a client, even when two creations meet", async () => {
      const { stores, tenantId } = await setup();
      // "2024" (setup) holds year-end 2024 of acme.
      expect(await stores.engagementStore.createEngagement(engagement(tenantId, "acme", "fy24", 2024))).toEqual({
        outcome: "period-taken",
        engagementId: "2024",
      });
      expect(await stores.engagementStore.getEngagement({ tenantId, clientId: "acme", engagementId: "fy24" })).toBe(
        undefined,
      );
      // Another client, or another kind of the same dates, is another period.
      await stores.engagementStore.createClient(client(tenantId, "beta"));
      expect(await stores.engagementStore.createEngagement(engagement(tenantId, "beta", "fy24", 2024))).toEqual({
        outcome: "written",
      });
      expect(
        await stores.engagementStore.createEngagement({
          ...engagement(tenantId, "acme", "q", 2024),
          kind: "period-end",
        }),
      ).toEqual({ outcome: "written" });

      const attempts = await Promise.all(
        ["a", "b", "c", "d", "e", "f"].map((id) =>
          stores.engagementStore.createEngagement(engagement(tenantId, "acme", `fy26-${id}`, 2026)),
        ),
      );
      const written = attempts.flatMap((result, index) => (result.outcome === "written" ? [index] : []));
      expect(written).toHaveLength(1);
      const winner = `fy26-${"abcdef"[written[0]!]}`;
      for (const result of attempts.filter((attempt) => attempt.outcome !== "written")) {
        expect(result).toEqual({ outcome: "period-taken", engagementId: winner });
      }
      const years = (await stores.engagementStore.listEngagements({ tenantId, clientId: "acme" })).filter(
        (entry) => entry.fiscalYear === 2026,
      );
      expect(years.map((entry) => entry.engagementId)).toEqual([winner]);
    });

    it("keeps the active version when an engagement is edited", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(3));
      await stores.importStore.activateImport(run, { orderKey: run.orderKey, now: NOW, retentionSeconds: RETENTION });
      await stores.engagementStore.putEngagement({
        ...engagement(ref.tenantId, ref.clientId, ref.engagementId),
        periodEnd: "2024-06-30",
      });
      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({
        periodEnd: "2024-06-30",
        activeImportId: run.importId,
        activeOrderKey: run.orderKey,
      });
    });
  });

  describe(`${name}: the refresh schedule`, () => {
    it("closes, reopens and schedules an engagement in one write each, leaving its other fields alone", async () => {
      const { stores, ref } = await setup();
      const refresh = {
        dataAsOf: "2025-01-10T01:00:03.000Z",
        lastRunAt: "2025-01-10T01:00:05.000Z",
        lastOutcome: "failed" as const,
        lastImportId: "01SYNC",
        lastTrigger: "schedule" as const,
        lastError: { code: "CONNECTOR_UNAVAILABLE", message: "503" },
      };
      expect(
        await stores.engagementStore.updateEngagementSchedule(ref, {
          refresh,
          refreshDueAt: "2025-01-11T01:00:00.000Z",
        }),
      ).toBe(true);
      expect(await stores.engagementStore.getEngagement(ref)).toEqual({
        ...engagement(ref.tenantId, ref.clientId, ref.engagementId),
        refresh,
        refreshDueAt: "2025-01-11T01:00:00.000Z",
      });
      // An edit of the engagement keeps them.
      await stores.engagementStore.putEngagement(engagement(ref.tenantId, ref.clientId, ref.engagementId));
      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({ refresh });
      await stores.engagementStore.updateEngagementSchedule(ref, { closedAt: NOW, refreshDueAt: null });
      const closed = await stores.engagementStore.getEngagement(ref);
      expect(closed).toMatchObject({ closedAt: NOW, refresh });
      expect(closed?.refreshDueAt).toBeUndefined();
      await stores.engagementStore.updateEngagementSchedule(ref, { closedAt: null });
      expect((await stores.engagementStore.getEngagement(ref))?.closedAt).toBeUndefined();
      expect(
        await stores.engagementStore.updateEngagementSchedule({ ...ref, engagementId: "nope" }, { closedAt: NOW }),
      ).toBe(false);
      expect(await stores.engagementStore.getEngagement({ ...ref, engagementId: "nope" })).toBeUndefined();
    });

    it("lists the engagements due by a time, earliest first, and only those in the schedule", async () => {
      const { stores, tenantId } = await setup();
      // Times far in the past, so that other tests' entries in a shared table sort after these.
      const times = ["1971-01-03T00:00:00.000Z", "1971-01-01T00:00:00.000Z", "1971-01-02T00:00:00.000Z"];
      for (const [index, due] of times.entries()) {
        const id = `e${index}`;
        await stores.engagementStore.createEngagement(engagement(tenantId, "acme", id));
        await stores.engagementStore.updateEngagementSchedule(
          { tenantId, clientId: "acme", engagementId: id },
          {
            refreshDueAt: due,
          },
        );
      }
      await stores.engagementStore.createEngagement(engagement(tenantId, "acme", "unscheduled"));
      const due = (await stores.engagementStore.listDueRefreshes("1971-01-02T00:00:00.000Z", 100)).filter(
        (entry) => entry.tenantId === tenantId,
      );
      expect(due.map((entry) => [entry.engagementId, entry.refreshDueAt])).toEqual([
        ["e1", "1971-01-01T00:00:00.000Z"],
        ["e2", "1971-01-02T00:00:00.000Z"],
      ]);
      await stores.engagementStore.updateEngagementSchedule(
        { tenantId, clientId: "acme", engagementId: "e1" },
        {
          refreshDueAt: null,
        },
      );
      const after = (await stores.engagementStore.listDueRefreshes("1971-01-09T00:00:00.000Z", 100)).filter(
        (entry) => entry.tenantId === tenantId,
      );
      expect(after.map((entry) => entry.engagementId)).toEqual(["e2", "e0"]);
    });
  });

  describe(`${name}: tenant isolation`, () => {
    it("shows another tenant nothing of a tenant's clients, engagements, imports and data", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(10));
      await stores.importStore.activateImport(run, { orderKey: run.orderKey, now: NOW, retentionSeconds: RETENTION });
      await stores.importStore.recordRejectedUpload({
        tenantId: ref.tenantId,
        bucket: "b",
        key: "x",
        reason: "bad",
        at: NOW,
      });

      const other = newTenantId("other");
      const forged: ImportRef = { ...ref, tenantId: other, importId: run.importId };
      expect(await stores.engagementStore.getClient({ tenantId: other, clientId: ref.clientId })).toBeUndefined();
      expect(await stores.engagementStore.listClients(other)).toEqual([]);
      expect(await stores.engagementStore.getEngagement({ ...ref, tenantId: other })).toBeUndefined();
      expect(await stores.engagementStore.listEngagements({ tenantId: other, clientId: ref.clientId })).toEqual([]);
      expect(await stores.importStore.getImport(forged)).toBeUndefined();
      expect(await listAllImports(stores.importStore, { ...ref, tenantId: other })).toEqual([]);
      expect(await stores.importStore.readTrialBalance(forged)).toEqual([]);
      expect(await stores.importStore.readTransactionLines(forged, { limit: 100 })).toEqual({ items: [] });
      expect(await stores.importStore.listRejectedUploads(other)).toEqual([]);
    });

    it("serves no data through a forged import id under the tenant's own engagement", async () => {
      const { stores, ref } = await setup();
      const victim = await writeImport(stores, ref, makeTransactions(5));
      const attacker = newTenantId("attacker");
      await stores.engagementStore.createClient(client(attacker, "acme"));
      await stores.engagementStore.createEngagement(engagement(attacker, "acme", "2024"));
      const forged: ImportRef = {
        tenantId: attacker,
        clientId: "acme",
        engagementId: "2024",
        importId: victim.importId,
      };
      expect(await stores.importStore.readTrialBalance(forged)).toEqual([]);
      expect((await stores.importStore.readTransactionLines(forged, { limit: 10 })).items).toEqual([]);
    });

    it("refuses to claim an import id another tenant already uses", async () => {
      const { stores, ref } = await setup();
      const victim = await writeImport(stores, ref, makeTransactions(2));
      const attacker = newTenantId("attacker");
      const stolen = importRun(
        { tenantId: attacker, clientId: "acme", engagementId: "2024" },
        { importId: victim.importId },
      );
      expect(await codeOf(stores.importStore.claimImport(stolen, lease("2025-01-10T10:15:00.000Z")))).toBe(
        "STORE_CONFLICT",
      );
    });
  });

  describe(`${name}: API syncs and integrations`, () => {
    const syncRun = (ref: EngagementRef, importId: string): ImportRun => ({
      ...importRun(ref, { importId, sourceId: `sync:${importId}` }),
      status: "queued",
      source: { type: "api", system: "tripletex", from: "2024-01-01", to: "2024-12-31" },
    });

    it("queues one sync per engagement at a time; its attempt claims it; after it ended the next one queues", async () => {
      const { stores, ref } = await setup();
      const { importStore, engagementStore } = stores;
      const first = await importStore.queueSync(syncRun(ref, "SYNC1"));
      expect(first).toMatchObject({ outcome: "queued", run: { importId: "SYNC1", status: "queued" } });
      expect(await importStore.getImport({ ...ref, importId: "SYNC1" })).toMatchObject({ status: "queued" });
      const busy = await importStore.queueSync(syncRun(ref, "SYNC2"));
      expect(busy).toMatchObject({ outcome: "busy", running: { importId: "SYNC1" } });
      expect(await importStore.getImport({ ...ref, importId: "SYNC2" })).toBeUndefined();
      // Another engagement is not blocked.
      await engagementStore.createEngagement(engagement(ref.tenantId, ref.clientId, "2025"));
      const other = await importStore.queueSync(syncRun({ ...ref, engagementId: "2025" }, "SYNC3"));
      expect(other.outcome).toBe("queued");

      const claim = await importStore.claimImport(syncRun(ref, "SYNC1"), lease("2025-01-10T10:15:00.000Z"));
      expect(claim).toMatchObject({ outcome: "claimed", run: { importId: "SYNC1", status: "running", attempts: 1 } });
      expect((await importStore.queueSync(syncRun(ref, "SYNC4"))).outcome).toBe("busy");
      await importStore.saveImport({
        ...syncRun(ref, "SYNC1"),
        status: "unchanged",
        finishedAt: "2025-01-10T10:05:00.000Z",
      });
      expect((await importStore.queueSync(syncRun(ref, "SYNC4"))).outcome).toBe("queued");
    });

    it("lets exactly one of several simultaneous syncs of an engagement queue", async () => {
      const { stores, ref } = await setup();
      const outcomes = await Promise.all(
        ["SA", "SB", "SC", "SD"].map((id) =>
          stores.importStore.queueSync(syncRun(ref, id)).then((result) => result.outcome),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === "queued")).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === "busy")).toHaveLength(3);
    });

    it("records a client's integration per system without touching updatedAt; not for a deleted client", async () => {
      const { stores, tenantId } = await setup();
      const store = stores.engagementStore;
      const clientRef = { tenantId, clientId: "acme" };
      const before = (await store.getClient(clientRef))!;
      const connection = {
        status: "ok" as const,
        checkedAt: "2025-01-10T10:00:00.000Z",
        company: { id: "42", name: "Acme AS" },
      };
      expect(await store.recordIntegration(clientRef, "tripletex", { companyId: "42", connection })).toBe(true);
      expect(
        await store.recordIntegration(clientRef, "poweroffice-go", {
          connection: {
            status: "no-access",
            checkedAt: "2025-01-10T10:01:00.000Z",
            missingPrivileges: ["TrialBalance"],
          },
        }),
      ).toBe(true);
      expect(await store.recordIntegration(clientRef, "tripletex", { companyId: "43" })).toBe(true);
      const after = (await store.getClient(clientRef))!;
      expect(after.updatedAt).toBe(before.updatedAt);
      expect(after.integrations).toEqual({
        tripletex: { companyId: "43" },
        "poweroffice-go": {
          connection: {
            status: "no-access",
            checkedAt: "2025-01-10T10:01:00.000Z",
            missingPrivileges: ["TrialBalance"],
          },
        },
      });
      const live = (await store.getClient(clientRef))!;
      expect(await store.replaceClient(live, { ...live, deletedAt: "2025-01-10T11:00:00.000Z" })).toEqual({
        outcome: "written",
      });
      expect(await store.recordIntegration(clientRef, "tripletex", { companyId: "44" })).toBe(false);
    });
  });

  describe(`${name}: claiming imports`, () => {
    it("claims a new source as running", async () => {
      const { stores, ref } = await setup();
      const candidate = importRun(ref);
      const claim = await stores.importStore.claimImport(candidate, lease("2025-01-10T10:15:00.000Z"));
      expect(claim).toEqual({ outcome: "claimed", run: { ...candidate, status: "running", attempts: 1 } });
      expect(await stores.importStore.getImport(candidate)).toEqual({ ...candidate, status: "running", attempts: 1 });
    });

    it("answers a duplicate delivery with the existing import", async () => {
      const { stores, ref } = await setup();
      const first = importRun(ref, { sourceId: "s3:event-1" });
      await stores.importStore.claimImport(first, lease("2025-01-10T10:15:00.000Z"));
      const second = await stores.importStore.claimImport(
        importRun(ref, { sourceId: "s3:event-1" }),
        lease("2025-01-10T10:15:00.000Z"),
      );
      expect(second.outcome).toBe("duplicate");
      expect(second.outcome === "duplicate" && second.existing.importId).toBe(first.importId);
      expect(await listAllImports(stores.importStore, ref)).toHaveLength(1);
    });

    it("answers a duplicate of a finished import with the finished import", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(2));
      const again = await stores.importStore.claimImport(
        importRun(ref, { sourceId: run.sourceId }),
        lease("2025-01-10T11:15:00.000Z"),
      );
      expect(again).toMatchObject({ outcome: "duplicate", existing: { importId: run.importId, status: "succeeded" } });
    });

    it("lets a retry take over a released import, keeping its id", async () => {
      const { stores, ref } = await setup();
      const first = importRun(ref, { sourceId: "s3:event-2" });
      await stores.importStore.claimImport(first, lease("2025-01-10T10:15:00.000Z"));
      await stores.importStore.releaseImport(first, { code: "STORE_UNAVAILABLE", message: "throttled" });
      expect(await stores.importStore.getImport(first)).toMatchObject({
        status: "queued",
        failure: { code: "STORE_UNAVAILABLE", message: "throttled" },
      });
      const retry = await stores.importStore.claimImport(
        importRun(ref, { sourceId: "s3:event-2" }),
        lease("2025-01-10T10:30:00.000Z"),
      );
      expect(retry.outcome).toBe("claimed");
      expect(retry.outcome === "claimed" && retry.run.importId).toBe(first.importId);
      const stored = await stores.importStore.getImport(first);
      expect(stored?.status).toBe("running");
      expect(stored?.failure).toBeUndefined();
    });

    it("keeps a running import with a live lease as a duplicate", async () => {
      const { stores, ref } = await setup();
      const first = importRun(ref, { sourceId: "s3:event-3" });
      await stores.importStore.claimImport(first, lease("2025-01-10T10:15:00.000Z"));
      clockNow = new Date("2025-01-10T10:14:59.000Z");
      const retry = await stores.importStore.claimImport(
        importRun(ref, { sourceId: "s3:event-3" }),
        lease("2025-01-10T10:30:00.000Z"),
      );
      expect(retry).toMatchObject({ outcome: "duplicate", existing: { importId: first.importId, status: "running" } });
    });

    it("takes over a running import whose lease expired", async () => {
      const { stores, ref } = await setup();
      const first = importRun(ref, { sourceId: "s3:event-4" });
      await stores.importStore.claimImport(first, lease("2025-01-10T10:15:00.000Z"));
      clockNow = new Date("2025-01-10T10:15:01.000Z");
      const retry = await stores.importStore.claimImport(
        importRun(ref, { sourceId: "s3:event-4" }),
        lease("2025-01-10T10:31:00.000Z"),
      );
      expect(retry).toMatchObject({ outcome: "claimed", run: { importId: first.importId, status: "running" } });
      // The new lease holds: a third delivery right after is a duplicate.
      const third = await stores.importStore.claimImport(
        importRun(ref, { sourceId: "s3:event-4" }),
        lease("2025-01-10T10:40:00.000Z"),
      );
      expect(third.outcome).toBe("duplicate");
    });

    it("refuses to release an import that does not exist", async () => {
      const { stores, ref } = await setup();
      expect(
        await codeOf(
          stores.importStore.releaseImport({ ...ref, importId: newImportId() }, { code: "X", message: "y" }),
        ),
      ).toBe("STORE_NOT_FOUND");
    });
  });

  describe(`${name}: leases, heartbeats and the sweeper`, () => {
    const progress = { bytesRead: 1000, size: 4000, lines: 12, updatedAt: "2025-01-10T10:00:05.000Z" };

    it("renews the lease of the attempt that holds it and records its progress; refuses any other attempt", async () => {
      const { stores, ref } = await setup();
      const run = importRun(ref, { sourceId: "s3:beat" });
      await stores.importStore.claimImport(run, lease("2025-01-10T10:02:00.000Z", "attempt-a"));
      expect(await stores.importStore.renewLease(run, lease("2025-01-10T10:03:00.000Z", "attempt-b"), progress)).toBe(
        false,
      );
      expect((await stores.importStore.getImport(run))?.progress).toBeUndefined();
      expect(await stores.importStore.renewLease(run, lease("2025-01-10T10:03:00.000Z", "attempt-a"), progress)).toBe(
        true,
      );
      expect(await stores.importStore.getImport(run)).toMatchObject({ status: "running", progress });
      // The renewed lease holds past the first one: a retry at 10:02:30 is a duplicate.
      clockNow = new Date("2025-01-10T10:02:30.000Z");
      const retry = await stores.importStore.claimImport(
        importRun(ref, { sourceId: "s3:beat" }),
        lease("2025-01-10T10:05:00.000Z"),
      );
      expect(retry.outcome).toBe("duplicate");
    });

    it("counts attempts: a takeover ends the old attempt's lease, which can then neither renew, save nor release", async () => {
      const { stores, ref } = await setup();
      const run = importRun(ref, { sourceId: "s3:takeover" });
      await stores.importStore.claimImport(run, lease("2025-01-10T10:02:00.000Z", "attempt-a"));
      clockNow = new Date("2025-01-10T10:02:01.000Z");
      const retry = await stores.importStore.claimImport(
        importRun(ref, { sourceId: "s3:takeover" }),
        lease("2025-01-10T10:04:00.000Z", "attempt-b"),
      );
      expect(retry).toMatchObject({ outcome: "claimed", run: { importId: run.importId, attempts: 2 } });
      expect(await stores.importStore.renewLease(run, lease("2025-01-10T10:05:00.000Z", "attempt-a"))).toBe(false);
      expect(await codeOf(stores.importStore.saveImport({ ...run, status: "failed" }, { owner: "attempt-a" }))).toBe(
        "STORE_LEASE_LOST",
      );
      expect(await stores.importStore.releaseImport(run, { code: "X", message: "x" }, { owner: "attempt-a" })).toBe(
        false,
      );
      expect(await stores.importStore.getImport(run)).toMatchObject({ status: "running", attempts: 2 });
      expect(await stores.importStore.renewLease(run, lease("2025-01-10T10:05:00.000Z", "attempt-b"))).toBe(true);
    });

    it("lists nothing that is not due; lists a running import once its lease expired, across tenants", async () => {
      const { stores, ref } = await setup();
      const run = importRun(ref, { sourceId: "s3:due" });
      await stores.importStore.claimImport(run, lease("2025-01-10T10:02:00.000Z"));
      const dueIds = async (at: string) =>
        (await stores.importStore.listDueImports(at, 100))
          .filter((due) => due.run.tenantId === ref.tenantId)
          .map((due) => due.run.importId);
      expect(await dueIds("2025-01-10T10:01:59.000Z")).toEqual([]);
      const [due] = (await stores.importStore.listDueImports("2025-01-10T10:02:01.000Z", 1000)).filter(
        (entry) => entry.run.importId === run.importId,
      );
      expect(due).toMatchObject({ kind: "attempt", dueAt: "2025-01-10T10:02:00.000Z", redeliveries: 0 });
      expect(due?.run).toMatchObject({ importId: run.importId, status: "running", attempts: 1 });
    });

    it("re-queues a dead attempt once (conditional on it still being due) and a retry takes it over", async () => {
      const { stores, ref } = await setup();
      const run = importRun(ref, { sourceId: "s3:requeue" });
      await stores.importStore.claimImport(run, lease("2025-01-10T10:02:00.000Z", "attempt-a"));
      const options = { now: "2025-01-10T10:05:00.000Z", retryBy: "2025-01-10T10:15:00.000Z" };
      expect(await stores.importStore.requeueImport(run, { ...options, now: "2025-01-10T10:01:00.000Z" })).toBe(false);
      expect(await stores.importStore.requeueImport(run, options)).toBe(true);
      expect(await stores.importStore.requeueImport(run, options)).toBe(false);
      expect(await stores.importStore.getImport(run)).toMatchObject({ status: "queued" });
      const [due] = (await stores.importStore.listDueImports("2025-01-10T10:15:01.000Z", 1000)).filter(
        (entry) => entry.run.importId === run.importId,
      );
      expect(due).toMatchObject({ kind: "attempt", redeliveries: 1 });
      // The dead attempt cannot come back; the re-delivered event claims the import.
      expect(await stores.importStore.renewLease(run, lease("2025-01-10T10:20:00.000Z", "attempt-a"))).toBe(false);
      clockNow = new Date("2025-01-10T10:06:00.000Z");
      const retry = await stores.importStore.claimImport(
        importRun(ref, { sourceId: "s3:requeue" }),
        lease("2025-01-10T10:08:00.000Z", "attempt-b"),
      );
      expect(retry).toMatchObject({ outcome: "claimed", run: { importId: run.importId, attempts: 2 } });
    });

    it("fails a due import, removes its lease and finishes the expiry of everything it wrote", async () => {
      const { stores, ref, dataExpiries } = await setup();
      const run = importRun(ref, { sourceId: "s3:dead" });
      await stores.importStore.claimImport(run, lease("2025-01-10T10:02:00.000Z", "attempt-a"));
      const writer = stores.importStore.openImportWriter(run);
      for (const transaction of makeTransactions(30)) await writer.addTransaction(transaction);
      // The attempt dies here: no finish, no abort.
      const failure = { code: "IMPORT_ATTEMPT_DIED", message: "its attempts died" };
      const options = {
        now: "2025-01-10T10:05:00.000Z",
        failure,
        finishedAt: "2025-01-10T10:05:00.000Z",
        expiresAt: NOW_SECONDS + RETENTION,
      };
      expect(await stores.importStore.failDueImport(run, options)).toBe(true);
      expect(await stores.importStore.failDueImport(run, options)).toBe(false);
      expect(await stores.importStore.getImport(run)).toMatchObject({
        status: "failed",
        failure,
        expiresAt: NOW_SECONDS + RETENTION,
      });
      const pending = (await stores.importStore.listDueImports("2025-01-10T10:05:01.000Z", 1000)).filter(
        (entry) => entry.run.importId === run.importId,
      );
      expect(pending.map((entry) => entry.kind)).toEqual(["expiry"]);
      await stores.importStore.finishDataExpiry(run);
      const expiries = await dataExpiries(run.importId);
      expect(expiries.length).toBeGreaterThan(0);
      expect(new Set(expiries)).toEqual(new Set([NOW_SECONDS + RETENTION]));
      expect(
        (await stores.importStore.listDueImports("2099-01-01T00:00:00.000Z", 1000)).filter(
          (entry) => entry.run.importId === run.importId,
        ),
      ).toEqual([]);
      expect(await stores.importStore.renewLease(run, lease("2025-01-10T10:20:00.000Z", "attempt-a"))).toBe(false);
    });

    it("leaves a released import to the sweeper once its retry deadline passes", async () => {
      const { stores, ref } = await setup();
      const run = importRun(ref, { sourceId: "s3:released" });
      await stores.importStore.claimImport(run, lease("2025-01-10T10:02:00.000Z", "attempt-a"));
      expect(
        await stores.importStore.releaseImport(
          run,
          { code: "SOURCE_UNAVAILABLE", message: "S3 timed out" },
          {
            owner: "attempt-a",
            retryBy: "2025-01-10T10:11:00.000Z",
          },
        ),
      ).toBe(true);
      const due = async (at: string) =>
        (await stores.importStore.listDueImports(at, 1000)).filter((entry) => entry.run.importId === run.importId);
      expect(await due("2025-01-10T10:10:59.000Z")).toEqual([]);
      expect(await due("2025-01-10T10:11:01.000Z")).toMatchObject([
        { kind: "attempt", run: { status: "queued", failure: { code: "SOURCE_UNAVAILABLE" } } },
      ]);
    });

    it("takes a finished import off the sweeper's list; a failed save marked pending puts its expiry there", async () => {
      const { stores, ref } = await setup();
      const done = await writeImport(stores, ref, makeTransactions(3));
      expect(
        (await stores.importStore.listDueImports("2099-01-01T00:00:00.000Z", 1000)).filter(
          (entry) => entry.run.importId === done.importId,
        ),
      ).toEqual([]);
      const run = importRun(ref, { sourceId: "s3:pending" });
      await stores.importStore.claimImport(run, lease("2025-01-10T10:02:00.000Z", "attempt-a"));
      await stores.importStore.saveImport(
        { ...run, status: "failed", failure: { code: "X", message: "x" }, expiresAt: NOW_SECONDS + RETENTION },
        { owner: "attempt-a", dataExpiryPending: true },
      );
      expect(
        (await stores.importStore.listDueImports("2099-01-01T00:00:00.000Z", 1000))
          .filter((entry) => entry.run.importId === run.importId)
          .map((entry) => entry.kind),
      ).toEqual(["expiry"]);
    });
  });

  describe(`${name}: import runs`, () => {
    it("saves the final state of an import, report and bigint amounts included", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(2));
      const final: ImportRun = {
        ...run,
        format: "saft",
        formatVersion: "1.30",
        encoding: "utf-8",
        counts: {
          accounts: 9,
          transactions: 2,
          lines: 5,
          totals: { opening: "0.00", movement: "0.00", closing: "0.00" },
          issues: { error: 1, warning: 0, info: 0 },
        },
        issues: [
          {
            severity: "error",
            code: "SAFT_CLOSING_MISMATCH",
            message: "closing differs",
            account: "1920",
            amount: 90_071_992_547_409_931n,
            location: { line: 12, column: 3 },
          },
        ],
      };
      await stores.importStore.saveImport(final);
      expect(await stores.importStore.getImport(run)).toEqual(final);
    });

    it("keeps an import's file header, also one that states no currency", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(1));
      const withoutCurrency: ImportRun = {
        ...run,
        format: "sie",
        header: {
          company: { orgNumber: "923609016", name: "Fjellbekk Snekkeri AS" },
          period: { start: "2024-01-01", end: "2024-12-31" },
        },
      };
      await stores.importStore.saveImport(withoutCurrency);
      const readBack = await stores.importStore.getImport(run);
      expect(readBack).toEqual(withoutCurrency);
      expect(readBack!.header).not.toHaveProperty("currency");
      const withCurrency: ImportRun = { ...withoutCurrency, header: { ...withoutCurrency.header!, currency: "NOK" } };
      await stores.importStore.saveImport(withCurrency);
      expect((await stores.importStore.getImport(run))!.header).toEqual(withCurrency.header);
    });

    it("lists an engagement's imports newest first", async () => {
      const { stores, ref } = await setup();
      const ids: string[] = [];
      for (let index = 0; index < 3; index++) {
        const run = importRun(ref);
        ids.push(run.importId);
        await stores.importStore.claimImport(run, lease("2025-01-10T10:15:00.000Z"));
      }
      expect((await listAllImports(stores.importStore, ref)).map((run) => run.importId)).toEqual(ids.reverse());
    });

    it("pages an engagement's imports newest first, each page a summary without the report", async () => {
      const { stores, ref } = await setup();
      const ids: string[] = [];
      for (let index = 0; index < 7; index++) {
        const run = importRun(ref);
        ids.push(run.importId);
        await stores.importStore.claimImport(run, lease("2025-01-10T10:15:00.000Z"));
      }
      const issues = [{ severity: "warning" as const, code: "SOMETHING", message: "a report nobody lists" }];
      const reported = { ...(await stores.importStore.getImport({ ...ref, importId: ids[6]! }))!, issues };
      await stores.importStore.saveImport(reported);
      const pages: string[][] = [];
      let after: string | undefined;
      do {
        const page = await stores.importStore.listImports(ref, { limit: 3, ...(after === undefined ? {} : { after }) });
        expect(page.items.length).toBeLessThanOrEqual(3);
        for (const item of page.items) expect(item).not.toHaveProperty("issues");
        pages.push(page.items.map((run) => run.importId));
        after = page.next;
      } while (after !== undefined && pages.length < 10);
      expect(pages).toEqual([ids.slice(4).reverse(), ids.slice(1, 4).reverse(), [ids[0]]]);
      // A page that ends exactly at the last import says there is no next one.
      expect((await stores.importStore.listImports(ref, { limit: 7 })).next).toBeUndefined();
      expect(await codeOf(stores.importStore.listImports(ref, { limit: 0 }))).toBe("STORE_INVALID_QUERY");
      // Another tenant's engagement of the same ids lists nothing, whatever position it is given.
      const other = { ...ref, tenantId: `${ref.tenantId}-other` };
      expect(await stores.importStore.listImports(other, { limit: 3, after: ids[6]! })).toEqual({ items: [] });
    });

    it("refuses writes through a closed writer", async () => {
      const { stores, ref } = await setup();
      const claim = await stores.importStore.claimImport(importRun(ref), lease("2025-01-10T10:15:00.000Z"));
      if (claim.outcome !== "claimed") throw new Error("expected a claim");
      const writer = stores.importStore.openImportWriter(claim.run);
      await writer.finish([]);
      expect(await codeOf(writer.addTransaction(makeTransactions(1)[0]!))).toBe("STORE_WRITER_CLOSED");
    });
  });

  describe(`${name}: an import's data`, () => {
    it("reads back the trial balance exactly, bigint for bigint, in the order written", async () => {
      const { stores, ref } = await setup();
      const transactions = makeTransactions(40);
      const run = await writeImport(stores, ref, transactions);
      const rows = await stores.importStore.readTrialBalance(run);
      expect(rows).toEqual(trialBalanceOf(transactions).map((row) => ({ ...row, importId: run.importId })));
      expect(rows.find((row) => row.account === "2050")?.opening).toBe(-123_456_789_012_345_678n);
      expect(rows.find((row) => row.account === "2990")).toMatchObject({
        opening: null,
        movement: null,
        closing: -42_00n,
      });
    });

    it("pages through every line exactly once, whatever the filters and page size", async () => {
      const { stores, ref } = await setup();
      const transactions = makeTransactions(120, { bigLine: 150 });
      const run = await writeImport(stores, ref, transactions);
      const all = expectedLines(transactions);
      const key = (line: LedgerLine) => `${line.transactionId}/${line.lineNumber}`;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 7, max: 200 }),
          fc.option(fc.constantFrom("1500", "1920", "3000", "7700", "9999"), { nil: undefined }),
          fc.option(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 5 })), { nil: undefined }),
          fc.option(fc.constantFrom("V1", "V60", "BIG60", "V120", "nope"), { nil: undefined }),
          async (limit, account, months, voucher) => {
            const query: Omit<TransactionQuery, "after"> = { limit };
            if (account !== undefined) query.account = account;
            if (voucher !== undefined) query.voucher = voucher;
            if (months !== undefined) {
              const [start, span] = months;
              query.from = `2024-${String(start).padStart(2, "0")}-01`;
              query.to = `2024-${String(Math.min(12, start + span)).padStart(2, "0")}-28`;
            }
            const expected = all.filter(
              (line) =>
                (query.account === undefined || line.account === query.account) &&
                (query.voucher === undefined || line.transactionId === query.voucher) &&
                (query.from === undefined || line.date >= query.from) &&
                (query.to === undefined || line.date <= query.to),
            );
            const read = await readAll(stores, run, query);
            expect(read.map(key)).toEqual(expected.map(key));
            expect(new Set(read.map(key)).size).toBe(read.length);
          },
        ),
        { numRuns: options.pagingRuns ?? 60 },
      );
    });

    it("serves every field of every line, amounts as exact bigints", async () => {
      const { stores, ref } = await setup();
      const transactions = makeTransactions(30);
      const run = await writeImport(stores, ref, transactions);
      expect(await readAll(stores, run, { limit: 1000 })).toEqual(expectedLines(transactions));
    });

    it("finds the lines of an account the trial balance does not list", async () => {
      const { stores, ref } = await setup();
      const transactions = makeTransactions(60);
      const claim = await stores.importStore.claimImport(importRun(ref), lease("2025-01-10T10:15:00.000Z"));
      if (claim.outcome !== "claimed") throw new Error("expected a claim");
      const writer = stores.importStore.openImportWriter(claim.run);
      for (const transaction of transactions) await writer.addTransaction(transaction);
      await writer.finish(trialBalanceOf(transactions).filter((row) => row.account !== "6300"));
      const expected = expectedLines(transactions).filter((line) => line.account === "6300");
      expect(expected.length).toBeGreaterThan(10);
      expect(await readAll(stores, claim.run, { account: "6300", limit: 7 })).toEqual(expected);
    });

    it("answers a position past the last line with an empty last page", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(5));
      const first = await stores.importStore.readTransactionLines(run, { limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.next).toBeDefined();
      expect(
        await stores.importStore.readTransactionLines(run, { limit: 5, after: { chunk: 0, offset: 1_000_000 } }),
      ).toEqual({ items: [] });
    });

    it("rejects a page size below one", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(1));
      expect(await codeOf(stores.importStore.readTransactionLines(run, { limit: 0 }))).toBe("STORE_INVALID_QUERY");
    });
  });

  describe(`${name}: activation`, () => {
    const activate = (stores: ContractSubject["stores"], run: ImportRun, force = false) =>
      stores.importStore.activateImport(run, { orderKey: run.orderKey, now: NOW, retentionSeconds: RETENTION, force });

    it("activates the first import of an engagement", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(3));
      expect(await activate(stores, run)).toEqual({ outcome: "activated", slot: "file", activeImportId: run.importId });
      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({
        activeImportId: run.importId,
        activeOrderKey: run.orderKey,
      });
      expect((await stores.importStore.getImport(run))?.status).toBe("succeeded");
    });

    it("supersedes the active import with a newer one; the old one and all its data expire", async () => {
      const { stores, ref, dataExpiries } = await setup();
      const older = await writeImport(stores, ref, makeTransactions(20), { orderKey: "2025-01-10T09:00:00.000Z#01" });
      const newer = await writeImport(stores, ref, makeTransactions(25), { orderKey: "2025-01-10T09:30:00.000Z#02" });
      await activate(stores, older);
      expect(await activate(stores, newer)).toEqual({
        outcome: "activated",
        previousImportId: older.importId,
        slot: "file",
        activeImportId: newer.importId,
      });

      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({ activeImportId: newer.importId });
      const superseded = await stores.importStore.getImport(older);
      expect(superseded).toMatchObject({ status: "superseded", expiresAt: NOW_SECONDS + RETENTION });
      // The data items follow in finishDataExpiry (the ingest's, or the sweeper's): marked due until then.
      expect(await dueForExpiry(stores, ref.tenantId)).toEqual([older.importId]);
      await stores.importStore.finishDataExpiry(older);
      expect(await dueForExpiry(stores, ref.tenantId)).toEqual([]);
      const expiries = await dataExpiries(older.importId);
      expect(expiries.length).toBeGreaterThan(0);
      expect(new Set(expiries)).toEqual(new Set([NOW_SECONDS + RETENTION]));
      expect(new Set(await dataExpiries(newer.importId))).toEqual(new Set([undefined]));
      // A superseded version stays readable until TTL removes it.
      expect(await stores.importStore.readTrialBalance(older)).toHaveLength(
        trialBalanceOf(makeTransactions(20)).length,
      );
    });

    it("keeps the newer import active whatever order the activations come in", async () => {
      const { stores, ref, dataExpiries } = await setup();
      const runs = [];
      for (const minute of ["10", "20", "30"]) {
        runs.push(
          await writeImport(stores, ref, makeTransactions(4), { orderKey: `2025-01-10T09:${minute}:00.000Z#0` }),
        );
      }
      const [first, second, third] = runs as [ImportRun, ImportRun, ImportRun];
      expect(await activate(stores, third)).toEqual({
        outcome: "activated",
        slot: "file",
        activeImportId: third.importId,
      });
      expect(await activate(stores, first)).toEqual({ outcome: "stale", activeImportId: third.importId });
      expect(await activate(stores, second)).toEqual({ outcome: "stale", activeImportId: third.importId });

      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({ activeImportId: third.importId });
      expect((await dueForExpiry(stores, ref.tenantId)).sort()).toEqual([first.importId, second.importId].sort());
      for (const stale of [first, second]) {
        await stores.importStore.finishDataExpiry(stale);
        expect(await stores.importStore.getImport(stale)).toMatchObject({
          status: "superseded",
          expiresAt: NOW_SECONDS + RETENTION,
        });
        expect(new Set(await dataExpiries(stale.importId))).toEqual(new Set([NOW_SECONDS + RETENTION]));
      }
      expect((await stores.importStore.getImport(third))?.expiresAt).toBeUndefined();
    });

    it("re-activates an earlier version with force, which then no longer expires", async () => {
      const { stores, ref, dataExpiries } = await setup();
      const older = await writeImport(stores, ref, makeTransactions(6), { orderKey: "2025-01-10T09:00:00.000Z#01" });
      const newer = await writeImport(stores, ref, makeTransactions(7), { orderKey: "2025-01-10T09:30:00.000Z#02" });
      await activate(stores, older);
      await activate(stores, newer);
      expect(await activate(stores, older)).toEqual({ outcome: "stale", activeImportId: newer.importId });

      expect(await activate(stores, older, true)).toEqual({
        outcome: "activated",
        previousImportId: newer.importId,
        slot: "file",
        activeImportId: older.importId,
      });
      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({
        activeImportId: older.importId,
        activeOrderKey: older.orderKey,
      });
      expect((await dueForExpiry(stores, ref.tenantId)).sort()).toEqual([older.importId, newer.importId].sort());
      await stores.importStore.finishDataExpiry(older);
      await stores.importStore.finishDataExpiry(newer);
      const reactivated = await stores.importStore.getImport(older);
      expect(reactivated?.status).toBe("succeeded");
      expect(reactivated?.expiresAt).toBeUndefined();
      expect(new Set(await dataExpiries(older.importId))).toEqual(new Set([undefined]));
      expect(await stores.importStore.getImport(newer)).toMatchObject({
        status: "superseded",
        expiresAt: NOW_SECONDS + RETENTION,
      });
      expect(new Set(await dataExpiries(newer.importId))).toEqual(new Set([NOW_SECONDS + RETENTION]));
    });

    it("answers a repeated activation of the active import as activated, changing nothing", async () => {
      const { stores, ref } = await setup();
      const run = await writeImport(stores, ref, makeTransactions(3));
      await activate(stores, run);
      expect(await activate(stores, run)).toEqual({ outcome: "activated", slot: "file", activeImportId: run.importId });
      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({ activeImportId: run.importId });
    });

    it("leaves the active version intact when a later import fails", async () => {
      const { stores, ref, dataExpiries } = await setup();
      const transactions = makeTransactions(15);
      const good = await writeImport(stores, ref, transactions, { orderKey: "2025-01-10T09:00:00.000Z#01" });
      await activate(stores, good);

      const claim = await stores.importStore.claimImport(
        importRun(ref, { orderKey: "2025-01-10T09:30:00.000Z#02" }),
        lease("2025-01-10T10:15:00.000Z"),
      );
      if (claim.outcome !== "claimed") throw new Error("expected a claim");
      const writer = stores.importStore.openImportWriter(claim.run);
      for (const transaction of makeTransactions(40)) await writer.addTransaction(transaction);
      await writer.abort(NOW_SECONDS + RETENTION);
      await stores.importStore.saveImport({
        ...claim.run,
        status: "failed",
        failure: { code: "FORMAT_TRUNCATED", message: "the file ends early" },
        expiresAt: NOW_SECONDS + RETENTION,
      });

      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({ activeImportId: good.importId });
      expect(await stores.importStore.readTrialBalance(good)).toEqual(
        trialBalanceOf(transactions).map((row) => ({ ...row, importId: good.importId })),
      );
      expect(await readAll(stores, good, { limit: 500 })).toHaveLength(expectedLines(transactions).length);
      expect(await stores.importStore.getImport(claim.run)).toMatchObject({
        status: "failed",
        expiresAt: NOW_SECONDS + RETENTION,
      });
      for (const expiry of await dataExpiries(claim.run.importId)) expect(expiry).toBe(NOW_SECONDS + RETENTION);
      expect((await stores.importStore.readTransactionLines(claim.run, { limit: 10 })).items).toEqual([]);
    });
  });

  describe(`${name}: source slots`, () => {
    const activate = (stores: ContractSubject["stores"], run: ImportRun, connected = false) =>
      stores.importStore.activateImport(run, {
        orderKey: run.orderKey,
        now: NOW,
        retentionSeconds: RETENTION,
        connected,
      });
    const early = "2025-01-10T09:00:00.000Z#0";
    const late = "2025-01-10T09:30:00.000Z#0";

    it("keeps one active import per slot: file, API and opening, each replaced only within its slot", async () => {
      const { stores, ref } = await setup();
      const file = await writeImport(stores, ref, makeTransactions(3), { orderKey: early });
      const api = await writeImport(stores, ref, makeTransactions(4), { orderKey: late, api: true });
      const opening = await writeImport(stores, ref, makeTransactions(2), { orderKey: early, role: "opening" });
      expect(await activate(stores, file, true)).toMatchObject({ outcome: "activated", slot: "file" });
      // Connected: the default movement is the API's once it has an import.
      expect(await activate(stores, api, true)).toEqual({
        outcome: "activated",
        slot: "api",
        activeImportId: api.importId,
      });
      expect(await activate(stores, opening, true)).toEqual({
        outcome: "activated",
        slot: "opening",
        activeImportId: api.importId,
      });
      const engagement = await stores.engagementStore.getEngagement(ref);
      expect(engagement).toMatchObject({
        activeImportId: api.importId,
        activeOrderKey: late,
        sources: {
          file: { importId: file.importId, orderKey: early },
          api: { importId: api.importId, orderKey: late },
          opening: { importId: opening.importId, orderKey: early },
        },
      });
      for (const run of [file, api, opening]) {
        expect((await stores.importStore.getImport(run))?.status).toBe("succeeded");
      }

      // A newer file replaces the file slot only; the API stays the movement, nothing else is superseded.
      const newerFile = await writeImport(stores, ref, makeTransactions(5), { orderKey: late });
      expect(await activate(stores, newerFile, true)).toEqual({
        outcome: "activated",
        slot: "file",
        previousImportId: file.importId,
        activeImportId: api.importId,
      });
      expect((await stores.importStore.getImport(file))?.status).toBe("superseded");
      expect((await stores.importStore.getImport(api))?.status).toBe("succeeded");
      expect((await stores.importStore.getImport(opening))?.status).toBe("succeeded");
    });

    it("of two concurrent activations of one slot with the same order key, one activates and one is stale; another slot's activation is untouched", async () => {
      const { stores, ref } = await setup();
      const first = await writeImport(stores, ref, makeTransactions(3), { orderKey: early });
      const second = await writeImport(stores, ref, makeTransactions(3), { orderKey: early });
      const api = await writeImport(stores, ref, makeTransactions(3), { orderKey: early, api: true });
      const results = await Promise.all([activate(stores, first), activate(stores, second), activate(stores, api)]);
      const fileOutcomes = results
        .slice(0, 2)
        .map((result) => result.outcome)
        .sort();
      expect(fileOutcomes).toEqual(["activated", "stale"]);
      expect(results[2]).toMatchObject({ outcome: "activated", slot: "api" });
      const winner = results[0]!.outcome === "activated" ? first : second;
      const loser = winner === first ? second : first;
      const engagement = await stores.engagementStore.getEngagement(ref);
      expect(engagement?.sources).toEqual({
        file: { importId: winner.importId, orderKey: early },
        api: { importId: api.importId, orderKey: early },
      });
      // Not connected: the movement is the file slot's.
      expect(engagement?.activeImportId).toBe(winner.importId);
      expect((await stores.importStore.getImport(loser))?.status).toBe("superseded");
      expect((await stores.importStore.getImport(api))?.status).toBe("succeeded");
    });

    it("switches the movement import with the source plan, in the same write, leaving every slot as it was", async () => {
      const { stores, ref } = await setup();
      const file = await writeImport(stores, ref, makeTransactions(3), { orderKey: early });
      const api = await writeImport(stores, ref, makeTransactions(3), { orderKey: late, api: true });
      await activate(stores, file, true);
      await activate(stores, api, true);
      expect((await stores.engagementStore.getEngagement(ref))?.activeImportId).toBe(api.importId);
      const change = await stores.importStore.changeSourcePlan(
        ref,
        { movement: "file", opening: "none" },
        { connected: true },
      );
      expect(change.previousActiveImportId).toBe(api.importId);
      expect(change.engagement).toMatchObject({ activeImportId: file.importId, activeOrderKey: early });
      const engagement = await stores.engagementStore.getEngagement(ref);
      expect(engagement).toMatchObject({
        activeImportId: file.importId,
        sourcePlan: { movement: "file", opening: "none" },
        sources: { file: { importId: file.importId }, api: { importId: api.importId } },
      });
      // A newer API sync now fills its slot but does not become the movement.
      const newerApi = await writeImport(stores, ref, makeTransactions(3), {
        orderKey: "2025-01-10T09:45:00.000Z#0",
        api: true,
      });
      expect(await activate(stores, newerApi, true)).toEqual({
        outcome: "activated",
        slot: "api",
        previousImportId: api.importId,
        activeImportId: file.importId,
      });
      // A plan naming an empty slot leaves no movement import.
      await stores.importStore.changeSourcePlan(ref, { movement: "api" }, { connected: true });
      expect((await stores.engagementStore.getEngagement(ref))?.activeImportId).toBe(newerApi.importId);
      // Editing the engagement never touches its slots or plan.
      const edited = (await stores.engagementStore.getEngagement(ref))!;
      await stores.engagementStore.putEngagement({ ...edited, sources: {}, sourcePlan: {} });
      expect(await stores.engagementStore.getEngagement(ref)).toMatchObject({
        sources: edited.sources,
        sourcePlan: { movement: "api" },
      });
    });
  });

  describe(`${name}: reconciliation`, () => {
    const reconciliation = (computedAt: string, status: "reconciled" | "differences") => ({
      status,
      differences:
        status === "reconciled"
          ? []
          : [
              {
                code: "OPENING_API_DIFFERS" as const,
                account: "2050",
                name: "Annen egenkapital",
                amount: "893760.36",
                sources: [
                  {
                    kind: "api" as const,
                    importId: "I1",
                    engagementId: null,
                    system: "tripletex",
                    format: "tripletex",
                    figure: "-6217.54",
                  },
                  {
                    kind: "prior" as const,
                    importId: "I0",
                    engagementId: "2024",
                    system: null,
                    format: null,
                    figure: "-899977.90",
                  },
                ],
                hint: "RESULT_NOT_MOVED_TO_EQUITY" as const,
                message: "the API opens 2050 differently",
              },
            ],
      count: status === "reconciled" ? 0 : 1,
      total: status === "reconciled" ? "0.00" : "893760.36",
      missing: [],
      computedAt,
      basis: `basis at ${computedAt}`,
    });

    it("keeps one reconciliation per engagement, never replaced by one computed earlier, and only for its tenant", async () => {
      const { stores, tenantId } = await setup();
      const ref = { tenantId, clientId: "c1", engagementId: "e1" };
      expect(await stores.importStore.getReconciliation(ref)).toBeUndefined();
      const first = reconciliation("2025-01-10T10:00:01.000Z", "differences");
      expect(await stores.importStore.saveReconciliation(ref, first)).toBe(true);
      expect(await stores.importStore.getReconciliation(ref)).toEqual(first);
      const later = reconciliation("2025-01-10T10:00:03.000Z", "reconciled");
      expect(await stores.importStore.saveReconciliation(ref, later)).toBe(true);
      // A recomputation that read its sources before the stored one did loses.
      expect(
        await stores.importStore.saveReconciliation(ref, reconciliation("2025-01-10T10:00:02.000Z", "differences")),
      ).toBe(false);
      expect(await stores.importStore.getReconciliation(ref)).toEqual(later);
      expect(await stores.importStore.getReconciliation({ ...ref, tenantId: `${tenantId}-other` })).toBeUndefined();
      expect(await stores.importStore.getReconciliation({ ...ref, engagementId: "e2" })).toBeUndefined();
    });
  });

  describe(`${name}: rejected uploads`, () => {
    it("records rejected uploads per tenant, in time order", async () => {
      const { stores, tenantId } = await setup();
      const later = {
        tenantId,
        bucket: "b",
        key: "uploads/x/y.xml",
        reason: "unknown client",
        at: "2025-01-10T10:00:02.000Z",
      };
      const earlier = {
        ...later,
        key: "bad-key.xml",
        reason: "bad key",
        at: "2025-01-10T10:00:01.000Z",
        keptAt: "rejected/bad-key.xml",
      };
      await stores.importStore.recordRejectedUpload(later);
      await stores.importStore.recordRejectedUpload(earlier);
      expect(await stores.importStore.listRejectedUploads(tenantId)).toEqual([earlier, later]);
    });
  });
}
