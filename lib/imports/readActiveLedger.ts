import type { Client, Engagement, EngagementRef } from "../engagements/types.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ImportStore, StoredTrialBalanceRow } from "./ports.ts";
import type { ImportRun } from "./types.ts";
import { totalsOf, type LedgerSummary } from "../ledger/summarizeLedger.ts";
import type { Company } from "../ledger/types.ts";
import { parseOre } from "../money/ore.ts";

/** The engagement's active version, read back as the summary `saldo inspect` builds from a file. */
export type ActiveLedger =
  | { state: "no-engagement" }
  | { state: "no-active-import"; engagement: Engagement }
  | { state: "active"; engagement: Engagement; run: ImportRun; summary: LedgerSummary };

/**
 * Reads the engagement's active import (the version readers see) and rebuilds its {@link LedgerSummary} from the
 * stored trial-balance rows, the import's header fields and its validation report — so that `toLedgerJson` gives
 * the `saldo inspect --json` shape and `renderSummary` the `saldo inspect` table.
 *
 * The file's own header facts are kept with its import (ImportRun.header, counts.totalDebit/totalCredit). Where a
 * file states no period (a CSV trial balance), the engagement's period is shown; where an import lacks a fact
 * (an import made by an API connector), it is taken from the client and the rows' posted sums.
 */
export async function readActiveLedger(
  deps: { engagementStore: EngagementStore; importStore: ImportStore },
  ref: EngagementRef,
): Promise<ActiveLedger> {
  const [engagement, client] = await Promise.all([
    deps.engagementStore.getEngagement(ref),
    deps.engagementStore.getClient(ref),
  ]);
  if (!engagement) return { state: "no-engagement" };
  if (!engagement.activeImportId) return { state: "no-active-import", engagement };
  const importRef = { ...ref, importId: engagement.activeImportId };
  const [run, rows] = await Promise.all([
    deps.importStore.getImport(importRef),
    deps.importStore.readTrialBalance(importRef),
  ]);
  if (!run) return { state: "no-active-import", engagement };
  return { state: "active", engagement, run, summary: ledgerSummaryOf(run, rows, engagement, client) };
}

/**
 * The import's {@link LedgerSummary} from its stored trial-balance rows, header fields and validation report (see
 * {@link readActiveLedger}); `engagement` gives the period a file states none of, `client` the company an import
 * without a file header lacks.
 */
export function ledgerSummaryOf(
  run: ImportRun,
  rows: StoredTrialBalanceRow[],
  engagement: Engagement,
  client: Client | undefined,
): LedgerSummary {
  const facts = run;
  const totals = totalsOf(rows);
  let postedDebit = 0n;
  let postedCredit = 0n;
  for (const row of rows) {
    postedDebit += row.posted.debit;
    postedCredit += row.posted.credit;
  }
  const company: Company = facts.header?.company ?? {
    ...(client?.orgNumber ? { orgNumber: client.orgNumber } : {}),
    ...(client?.name ? { name: client.name } : {}),
  };
  return {
    header: {
      format: run.format ?? "saft",
      formatVersion: run.formatVersion ?? "",
      encoding: run.encoding ?? "",
      company,
      period: facts.header?.period ?? { start: engagement.periodStart, end: engagement.periodEnd },
      // A file that states no currency keeps none; an import without a file header (API connector) is NOK.
      ...(facts.header
        ? facts.header.currency !== undefined
          ? { currency: facts.header.currency }
          : {}
        : { currency: "NOK" }),
    },
    rows: rows.map(({ importId: _importId, ...row }) => row),
    totals,
    transactions: {
      count: run.counts?.transactions ?? 0,
      lines: run.counts?.lines ?? 0,
      totalDebit: facts.counts?.totalDebit !== undefined ? parseOre(facts.counts.totalDebit) : postedDebit,
      totalCredit: facts.counts?.totalCredit !== undefined ? parseOre(facts.counts.totalCredit) : postedCredit,
    },
    parties: { customers: 0, suppliers: 0 },
    issues: run.issues ?? [],
  };
}
