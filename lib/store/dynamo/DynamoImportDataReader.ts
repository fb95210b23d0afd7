import type { LinePosition, StoredTrialBalanceRow, TransactionPage, TransactionQuery } from "../../imports/ports.ts";
import type { LedgerLine } from "../../ledger/types.ts";
import type { ImportRef } from "../../imports/types.ts";
import { StoreCorruptItemError } from "../errors.ts";
import { lineMatches } from "../ledgerLines.ts";
import { parseJsonAttribute, type DynamoTable } from "./DynamoTable.ts";
import { decodeAccountChunks, decodeTrialBalanceRow, parseItem } from "./itemCodec.ts";
import {
  ChunkItemSchema,
  DirectoryEntriesJsonSchema,
  DirectoryItemSchema,
  TRIAL_BALANCE_ROW_ATTRIBUTES,
  UnlistedAccountsJsonSchema,
  VoucherIndexItemSchema,
  type DirectoryEntry,
} from "./itemSchemas.ts";
import { keys } from "./keys.ts";
import { decodeChunkRanges, decompressChunk } from "./transactionChunks.ts";
import { chunksWithVoucher } from "./voucherIndex.ts";

/** An import's chunk directory as read back (see {@link DynamoImportDataReader.readDirectory}). */
export interface ChunkDirectory {
  entries: DirectoryEntry[];
  /** Present on imports written with the filter indexes. */
  voucherIndexPages?: number;
  unlistedAccounts?: Record<string, string>;
}

/** Chunks read ahead in parallel while a page of lines is assembled. */
const READ_AHEAD = 4;

/**
 * Reads an import's data items back (DynamoImportWriter wrote them; layout in keys.ts): trial-balance rows, the
 * chunk directory, the account and voucher indexes, and the gzipped line chunks. It trusts the caller
 * (DynamoImportStore) to have found the import under the caller's tenant; every item still carries `tenantId`,
 * checked as it is parsed.
 */
export class DynamoImportDataReader {
  constructor(private readonly table: DynamoTable) {}

  /**
   * The import's trial-balance rows, in file order. Reads only the row's attributes, not the account → chunks index
   * each row item carries (up to a few hundred ranges per account at a million lines): only a drill-down needs it.
   */
  async readTrialBalance(ref: ImportRef): Promise<StoredTrialBalanceRow[]> {
    const items = await this.table.queryAll(keys.importTablePk(ref.importId), keys.trialBalanceRowPrefix, {
      attributes: TRIAL_BALANCE_ROW_ATTRIBUTES,
    });
    return items
      .map((item) => decodeTrialBalanceRow(item, ref.tenantId))
      .sort((a, b) => a.ordinal - b.ordinal)
      .map(({ row }) => row);
  }

  /**
   * One page of the import's lines matching `query`, from `start` (the decoded cursor): reads only the chunks the
   * directory, the account rows and the voucher index leave as candidates, a few ahead in parallel.
   */
  async readTransactionLines(ref: ImportRef, query: TransactionQuery, start: LinePosition): Promise<TransactionPage> {
    const directory = await this.readDirectory(ref);
    let candidates = directory.entries.filter(([chunk]) => chunk >= start.chunk);
    if (query.from !== undefined) candidates = candidates.filter(([, , maxDate]) => maxDate >= query.from!);
    if (query.to !== undefined) candidates = candidates.filter(([, minDate]) => minDate <= query.to!);
    if (query.account !== undefined && candidates.length > 0) {
      const withAccount = await this.chunksWithAccount(ref, directory, query.account);
      if (withAccount !== undefined) candidates = candidates.filter(([chunk]) => withAccount.has(chunk));
    }
    if (query.voucher !== undefined && candidates.length > 0 && directory.voucherIndexPages !== undefined) {
      const withVoucher = await this.chunksWithVoucher(ref, directory.voucherIndexPages, query.voucher);
      candidates = candidates.filter(([chunk]) => withVoucher.has(chunk));
    }

    const reads = new Map<number, Promise<LedgerLine[]>>();
    const readAhead = (index: number) => {
      for (let next = index; next < Math.min(candidates.length, index + READ_AHEAD); next++) {
        const chunk = candidates[next]![0];
        if (!reads.has(chunk)) {
          const read = this.readChunk(ref, chunk);
          read.catch(() => {}); // awaited below, in order
          reads.set(chunk, read);
        }
      }
    };
    const items: LedgerLine[] = [];
    for (const [index, [chunk]] of candidates.entries()) {
      readAhead(index);
      const lines = await reads.get(chunk)!;
      reads.delete(chunk);
      for (let offset = chunk === start.chunk ? start.offset : 0; offset < lines.length; offset++) {
        const line = lines[offset]!;
        if (!lineMatches(line, query)) continue;
        if (items.length === query.limit) return { items, next: { chunk, offset } };
        items.push(line);
      }
      // A full page at a chunk boundary: point at the next candidate instead of reading it just to know whether it
      // holds a match (the following page may then be empty).
      const next = candidates[index + 1];
      if (items.length === query.limit && next !== undefined) {
        return { items, next: { chunk: next[0], offset: 0 } };
      }
    }
    return { items };
  }

  /**
   * The chunk directory: every chunk with its date range and line count, and (imports written with the filter
   * indexes) how many voucher index pages there are and the accounts with lines but no trial-balance row.
   */
  async readDirectory(ref: ImportRef, options: { consistent?: boolean } = {}): Promise<ChunkDirectory> {
    const items = await this.table.queryAll(keys.importTablePk(ref.importId), keys.directoryPrefix, options);
    const directory: ChunkDirectory = { entries: [] };
    for (const item of items) {
      const page = parseItem(DirectoryItemSchema, item, "chunk directory", ref.tenantId);
      const where = { pk: item.pk, sk: item.sk };
      directory.entries.push(
        ...parseItem(DirectoryEntriesJsonSchema, parseJsonAttribute(page.entries, where), "chunk directory entries"),
      );
      if (page.page === 0 && page.voucherIndexPages !== undefined) {
        directory.voucherIndexPages = page.voucherIndexPages;
        directory.unlistedAccounts =
          page.unlistedAccounts === undefined
            ? {}
            : parseItem(
                UnlistedAccountsJsonSchema,
                parseJsonAttribute(page.unlistedAccounts, where),
                "unlisted accounts",
              );
      }
    }
    directory.entries.sort((a, b) => a[0] - b[0]);
    return directory;
  }

  /**
   * The chunks holding lines of `account`: from its trial-balance row, else from the directory's unlisted accounts;
   * none when the import has the filter indexes and lists it nowhere. Undefined (every chunk is a candidate) for an
   * import written before the indexes, whose rows were the only account index.
   */
  private async chunksWithAccount(
    ref: ImportRef,
    directory: ChunkDirectory,
    account: string,
  ): Promise<Set<number> | undefined> {
    const rowItem = await this.table.get(keys.trialBalanceRow(ref.importId, account));
    if (rowItem !== undefined) return new Set(decodeChunkRanges(decodeAccountChunks(rowItem, ref.tenantId)));
    if (directory.unlistedAccounts === undefined) return undefined;
    return new Set(decodeChunkRanges(directory.unlistedAccounts[account] ?? ""));
  }

  /** The chunks whose voucher set holds `voucher`, from the import's voucher index pages. */
  private async chunksWithVoucher(ref: ImportRef, expectedPages: number, voucher: string): Promise<Set<number>> {
    const pk = keys.importTablePk(ref.importId);
    const items = await this.table.queryAll(pk, keys.voucherIndexPrefix);
    const pages = items.map((item) => parseItem(VoucherIndexItemSchema, item, "voucher index page", ref.tenantId));
    if (pages.length !== expectedPages || pages.some((page) => page.importId !== ref.importId)) {
      throw new StoreCorruptItemError(
        `The voucher index of import "${ref.importId}" has ${pages.length} pages, not ${expectedPages}`,
        {
          context: { pk },
        },
      );
    }
    return chunksWithVoucher(pages, voucher, { pk });
  }

  private async readChunk(ref: ImportRef, chunk: number): Promise<LedgerLine[]> {
    const key = keys.chunk(ref.importId, chunk);
    const item = await this.table.get(key);
    if (item === undefined) {
      throw new StoreCorruptItemError(`Chunk ${chunk} of import "${ref.importId}" is listed but missing`, {
        context: { ...key },
      });
    }
    const parsed = parseItem(ChunkItemSchema, item, "transaction chunk", ref.tenantId);
    if (parsed.importId !== ref.importId || parsed.chunk !== chunk) {
      throw new StoreCorruptItemError(`The chunk item ${key.pk} belongs to another import`, { context: { ...key } });
    }
    const lines = await decompressChunk(parsed.lines, key);
    if (lines.length !== parsed.lineCount) {
      throw new StoreCorruptItemError(`Chunk ${key.pk} holds ${lines.length} lines, not ${parsed.lineCount}`, {
        context: { ...key },
      });
    }
    return lines;
  }
}
