import { describe, expect, it, vi } from "vitest";
import { engagementCommand } from "../../../lib/cli/engagementCommand.ts";
import { refreshCommand } from "../../../lib/cli/refreshCommand.ts";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { seedClient } from "../../../lib/local/seedClient.ts";
import { EncryptedFileKeyVault, localKeyVaultDirectory } from "../../../lib/secrets/EncryptedFileKeyVault.ts";
import { useTestStack } from "./localStackFixture.ts";

/**
 * The scheduled refresh on the local stack: its timer runs the schedule's own function (functions/schedule/refresh.ts)
 * with the event EventBridge sends, the syncs go through the in-process sync queue to the fake APIs, and
 * `saldo refresh --now` invokes the same function at the stack's Lambda endpoint, as it invokes the deployed one.
 */

const testStack = useTestStack({ refreshIntervalMs: 250, sweepIntervalMs: 0 });

/** Runs a CLI command in-process against the stack (its data folder), capturing what it prints. */
async function run(
  command: (args: string[], env: Record<string, string | undefined>) => Promise<number>,
  args: string[],
): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await command(args, { SALDO_DATA_DIR: testStack().dataDir }), stdout };
  } finally {
    spy.mockRestore();
  }
}

/** The words naming an engagement to the CLI: `--tenant … --client … --engagement …`. */
function engagementArgs(ref: EngagementRef): string[] {
  return ["--tenant", ref.tenantId, "--client", ref.clientId, "--engagement", ref.engagementId];
}

/** A Tripletex client of the demo company, connected, with a 2025 engagement due for a refresh. */
async function connectedEngagement(tenantId: string, due: string): Promise<EngagementRef> {
  const { stores, dataDir } = testStack();
  const ref = { tenantId, clientId: "nordvik", engagementId: "2025" };
  await seedClient(stores, { ...ref, name: "Nordvik Bygg AS", accountingSystem: "tripletex" }, [
    { engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 },
  ]);
  await new EncryptedFileKeyVault({ directory: localKeyVaultDirectory(dataDir) }).put(
    { tenantId, clientId: "nordvik", system: "tripletex" },
    { employeeToken: "demo-tripletex-ok" },
  );
  await stores.engagementStore.recordIntegration({ tenantId, clientId: "nordvik" }, "tripletex", {});
  await stores.engagementStore.updateEngagementSchedule(ref, { refreshDueAt: due });
  return ref;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("local stack: the scheduled refresh", () => {
  it("the timer's round syncs a due engagement of a connected client and records the outcome on it", async () => {
    const { stack, stores } = testStack();
    const ref = await connectedEngagement("refresh-timer", new Date(Date.now() - 60_000).toISOString());
    const engagement = await until(
      () => stores.engagementStore.getEngagement(ref),
      (value) => value?.refresh?.lastOutcome !== undefined,
      "the timer's refresh",
    );
    expect(engagement?.refresh).toMatchObject({ lastOutcome: "succeeded", lastTrigger: "schedule" });
    expect(engagement?.activeImportId).toBe(engagement?.refresh?.lastImportId);
    expect(engagement!.refreshDueAt! > new Date().toISOString()).toBe(true);
    expect(stack.refreshRounds).toBeGreaterThan(0);

    // The CLI shows the record.
    const shown = await run(engagementCommand, ["show", ...engagementArgs(ref), "--json"]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      closedAt: null,
      refresh: { lastOutcome: "succeeded", lastError: null, nextRunAt: engagement!.refreshDueAt },
    });
  }, 240_000);

  it("saldo refresh --now runs a round through the schedule's function; a closed engagement is left alone", async () => {
    const { stores } = testStack();
    const later = new Date(Date.now() + 24 * 3600_000).toISOString();
    const ref = await connectedEngagement("refresh-now", later);
    // Not due: a plain round leaves it; --all takes every engagement in the schedule.
    const plain = await run(refreshCommand, ["--now", "--tenant", ref.tenantId, "--json"]);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ due: 0, queued: [] });

    const forced = await run(refreshCommand, ["--now", "--all", "--tenant", ref.tenantId, "--json"]);
    expect(forced.code).toBe(0);
    const report = JSON.parse(forced.stdout);
    expect(report).toMatchObject({ due: 1, queued: [{ ref, system: "tripletex" }] });
    expect(report.ended).toEqual([expect.objectContaining({ status: "succeeded" })]);
    // The command returned only once the worker had recorded the sync on the engagement: readable at once.
    expect((await stores.engagementStore.getEngagement(ref))?.refresh).toMatchObject({
      lastTrigger: "schedule",
      lastOutcome: "succeeded",
      lastImportId: report.queued[0].importId,
    });
    const shown = await run(engagementCommand, [
      "show",
      "--tenant",
      ref.tenantId,
      "--client",
      ref.clientId,
      "--engagement",
      ref.engagementId,
      "--json",
    ]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      refresh: { lastOutcome: "succeeded", lastImportId: report.queued[0].importId },
    });

    const closed = await run(engagementCommand, ["close", ...engagementArgs(ref), "--json"]);
    expect(JSON.parse(closed.stdout)).toMatchObject({ closedAt: expect.any(String), refresh: { nextRunAt: null } });
    const afterClose = await run(refreshCommand, ["--now", "--all", "--tenant", ref.tenantId, "--json"]);
    expect(JSON.parse(afterClose.stdout)).toMatchObject({ due: 0, queued: [] });

    const reopened = await run(engagementCommand, ["reopen", ...engagementArgs(ref)]);
    expect(reopened.code).toBe(0);
    expect((await stores.engagementStore.getEngagement(ref))?.refreshDueAt).toEqual(expect.any(String));
  }, 240_000);
});
