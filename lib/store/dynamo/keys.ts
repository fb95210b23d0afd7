/**
 * Key layout of saldo's single DynamoDB table (issue #3). Every key that can reach a tenant's data starts with the
 * tenant id, so a query built from one tenant's ids can never return another tenant's items.
 *
 * | item                       | pk                                   | sk                     |
 * |----------------------------|--------------------------------------|------------------------|
 * | client                     | `T#{tenant}`                         | `CLIENT#{client}`      |
 * | org-number marker (→ client) | `T#{tenant}`                       | `ORG#{orgNumber}`      |
 * | engagement                 | `T#{tenant}#C#{client}`              | `ENG#{engagement}`     |
 * | period marker (→ engagement) | `T#{tenant}#C#{client}`            | `PERIOD#{kind}#{start}#{end}` |
 * | import run                 | `T#{tenant}#C#{client}#E#{engagement}` | `IMPORT#{import}`    |
 * | source marker (→ import)   | same as the import run               | `SOURCE#{sourceId}`    |
 * | sync lock (→ latest sync)  | same as the import run               | `SYNC`                 |
 * | reconciliation             | same as the import run               | `RECON`                |
 * | import-id owner            | `IMP#{import}#TB`                    | `#OWNER`               |
 * | trial-balance row          | `IMP#{import}#TB`                    | `ACC#{account}`        |
 * | chunk directory page       | `IMP#{import}#TB`                    | `DIR#{page, 6 digits}` |
 * | spilled validation issues  | `IMP#{import}#TB`                    | `ISSUES#{page, 6 digits}` |
 * | voucher index page         | `IMP#{import}#TB`                    | `VIX#{page, 6 digits}` |
 * | transaction-line chunk     | `IMP#{import}#CH#{n}`                | `CH`                   |
 * | rejected upload            | `REJECTED#{tenant}`                  | `{at}#{key}`           |
 *
 * The schedule's entries in the same index: an engagement item the schedule refreshes carries `gsi1pk` = `REFRESH` and
 * `gsi1sk` = `{refreshDueAt}` (see `keys.refreshEntry`).
 *
 * The sweeper's index (`gsi1`, sparse): an import item carries `gsi1pk` = `SWEEP#{shard}` and `gsi1sk` =
 * `{deadline}#{import}` only while something must happen by a deadline — a `running` import (deadline: its lease), a
 * `queued` one (deadline: by when a retry should have claimed it), and a failed or superseded one whose data items
 * may still lack their expiry (deadline: a grace period after the write that ended it). Every other item has no
 * `gsi1pk` and is not in the index, so a sweep reads only what is due (`gsi1sk < now`), whatever the table's size.
 *
 * Ids are strings users choose, so every id is escaped before it goes into a key: `%` becomes `%25` and `#` becomes
 * `%23` (percent-encoding of just the two characters that matter). `#` then only ever separates key parts, so
 * `T#a#C#b` cannot be forged by a tenant named `a#C#b`, and the escaping keeps the sort order of ids that contain
 * neither character (import ids are ULIDs: `[0-9A-Z]`, time-ordered, so `IMPORT#…` sorts oldest to newest).
 *
 * Data items of an import (`IMP#…`) are keyed by the globally unique import id alone, which is why each of them also
 * carries `tenantId` (checked on every read) and why readers first look up the import run under the caller's tenant.
 *
 * Why these partitions are not tenant-prefixed (`T#{tenant}#IMP#…`): isolation does not rest on the key there. A
 * reader reaches an import's data only through its run, found under the caller's tenant partition; the import id is a
 * ULID the ingest generates (never a user's string), made unique across tenants by its owner marker, written in the
 * claim's transaction; and every data item's `tenantId` is checked as it is parsed. A prefix would add nothing the
 * IAM policy could use either (one role serves every tenant, so no `dynamodb:LeadingKeys` condition), while it would
 * lengthen the key of every chunk, row and index page an import writes.
 */
export function escapeKeyPart(id: string): string {
  return id.replaceAll("%", "%25").replaceAll("#", "%23");
}

/** A table key. */
export type ItemKey = {
  pk: string;
  sk: string;
};

const e = escapeKeyPart;

/** Key builders for every item kind; see the table above. */
export const keys = {
  client: (tenantId: string, clientId: string): ItemKey => ({ pk: `T#${e(tenantId)}`, sk: `CLIENT#${e(clientId)}` }),
  clientsOf: (tenantId: string) => ({ pk: `T#${e(tenantId)}`, skPrefix: "CLIENT#" }),
  /** Held by the live client with this organisation number: makes the number unique per tenant (createClient). */
  orgNumber: (tenantId: string, orgNumber: string): ItemKey => ({ pk: `T#${e(tenantId)}`, sk: `ORG#${e(orgNumber)}` }),

  engagement: (tenantId: string, clientId: string, engagementId: string): ItemKey => ({
    pk: `T#${e(tenantId)}#C#${e(clientId)}`,
    sk: `ENG#${e(engagementId)}`,
  }),
  engagementsOf: (tenantId: string, clientId: string) => ({
    pk: `T#${e(tenantId)}#C#${e(clientId)}`,
    skPrefix: "ENG#",
  }),
  /** Held by the client's engagement of this kind and period: makes the period unique per client (createEngagement). */
  engagementPeriod: (
    tenantId: string,
    clientId: string,
    period: { kind: string; periodStart: string; periodEnd: string },
  ): ItemKey => ({
    pk: `T#${e(tenantId)}#C#${e(clientId)}`,
    sk: `PERIOD#${e(period.kind)}#${period.periodStart}#${period.periodEnd}`,
  }),

  importRun: (ref: { tenantId: string; clientId: string; engagementId: string; importId: string }): ItemKey => ({
    pk: engagementDataPk(ref),
    sk: `IMPORT#${e(ref.importId)}`,
  }),
  importsOf: (ref: { tenantId: string; clientId: string; engagementId: string }) => ({
    pk: engagementDataPk(ref),
    skPrefix: "IMPORT#",
  }),
  /** The engagement's sync lock: names its latest API sync, so a second one is refused while it runs. */
  syncLock: (ref: { tenantId: string; clientId: string; engagementId: string }): ItemKey => ({
    pk: engagementDataPk(ref),
    sk: "SYNC",
  }),
  /** The engagement's reconciliation (README "Reconciliation"): one item, replaced on every recomputation. */
  reconciliation: (ref: { tenantId: string; clientId: string; engagementId: string }): ItemKey => ({
    pk: engagementDataPk(ref),
    sk: "RECON",
  }),
  sourceMarker: (ref: { tenantId: string; clientId: string; engagementId: string }, sourceId: string): ItemKey => ({
    pk: engagementDataPk(ref),
    sk: `SOURCE#${e(sourceId)}`,
  }),

  /** The partition holding an import's trial-balance rows, chunk directory, owner marker and spilled issues. */
  importTablePk: (importId: string) => `IMP#${e(importId)}#TB`,
  importOwner: (importId: string): ItemKey => ({ pk: `IMP#${e(importId)}#TB`, sk: "#OWNER" }),
  trialBalanceRow: (importId: string, account: string): ItemKey => ({
    pk: `IMP#${e(importId)}#TB`,
    sk: `ACC#${e(account)}`,
  }),
  trialBalanceRowPrefix: "ACC#",
  directoryPage: (importId: string, page: number): ItemKey => ({
    pk: `IMP#${e(importId)}#TB`,
    sk: `DIR#${String(page).padStart(6, "0")}`,
  }),
  directoryPrefix: "DIR#",
  issuesPage: (importId: string, page: number): ItemKey => ({
    pk: `IMP#${e(importId)}#TB`,
    sk: `ISSUES#${String(page).padStart(6, "0")}`,
  }),
  issuesPrefix: "ISSUES#",
  voucherIndexPage: (importId: string, page: number): ItemKey => ({
    pk: `IMP#${e(importId)}#TB`,
    sk: `VIX#${String(page).padStart(6, "0")}`,
  }),
  voucherIndexPrefix: "VIX#",
  /** One partition per chunk: a 2 GB import's writes spread over many partitions instead of one hot one. */
  chunk: (importId: string, chunk: number): ItemKey => ({ pk: `IMP#${e(importId)}#CH#${chunk}`, sk: "CH" }),

  rejectedUpload: (tenantId: string, at: string, key: string): ItemKey => ({
    pk: `REJECTED#${e(tenantId)}`,
    sk: `${at}#${key}`,
  }),
  rejectedUploadsOf: (tenantId: string) => ({ pk: `REJECTED#${e(tenantId)}` }),

  /** The sweeper's index entry of an import due at `dueAt` (ISO time); see the table above. */
  sweepEntry: (importId: string, dueAt: string): { gsi1pk: string; gsi1sk: string } => ({
    gsi1pk: sweepPartition(sweepShardOf(importId)),
    gsi1sk: `${dueAt}#${e(importId)}`,
  }),
  sweepPartition: (shard: number) => sweepPartition(shard),

  /**
   * The schedule's index entry of an engagement due for a refresh at `dueAt` (ISO time), on the engagement item
   * itself: `gsi1pk` = `REFRESH`, `gsi1sk` = `{dueAt}`. Only engagements the schedule refreshes carry it (sparse), so
   * a round reads what is due (`gsi1sk <= now`) and nothing else. It shares `gsi1` with the sweeper's `SWEEP#…`
   * partitions, which never see it.
   */
  refreshEntry: (dueAt: string): { gsi1pk: string; gsi1sk: string } => ({ gsi1pk: REFRESH_PARTITION, gsi1sk: dueAt }),
  refreshPartition: () => REFRESH_PARTITION,
};

const REFRESH_PARTITION = "REFRESH";

/**
 * Shards of the sweeper's index partition. Every heartbeat of a running import moves its entry (a delete and a put
 * in the index); spreading the entries over a few partitions keeps even a thousand concurrent imports far below the
 * 1 000 writes/s one index partition takes. A sweep queries each shard once.
 */
export const SWEEP_SHARDS = 4;

function sweepPartition(shard: number): string {
  return `SWEEP#${shard}`;
}

/** The shard of an import id: a stable hash of the id, so an entry stays in its shard for the import's life. */
function sweepShardOf(importId: string): number {
  let hash = 0;
  for (let index = 0; index < importId.length; index++) hash = (hash * 31 + importId.charCodeAt(index)) >>> 0;
  return hash % SWEEP_SHARDS;
}

function engagementDataPk(ref: { tenantId: string; clientId: string; engagementId: string }): string {
  return `T#${e(ref.tenantId)}#C#${e(ref.clientId)}#E#${e(ref.engagementId)}`;
}
