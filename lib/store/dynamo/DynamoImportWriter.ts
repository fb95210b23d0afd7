import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ImportWriter, WriteStatistics } from "../../imports/ports.ts";
import type { ImportRef } from "../../imports/types.ts";
import type { TrialBalanceRow } from "../../ledger/summarizeLedger.ts";
import type { Transaction } from "../../ledger/types.ts";
import { StoreConflictError, StoreWriterClosedError } from "../errors.ts";
import { toLedgerLines } from "../ledgerLines.ts";
import { BatchWriter } from "./BatchWriter.ts";
import { encodeLedgerLine, encodeTrialBalanceRow, type Item } from "./itemCodec.ts";
import type { DirectoryEntry } from "./itemSchemas.ts";
import { keys } from "./keys.ts";
import type { RetryPolicy } from "./retry.ts";
import {
  ChunkPacker,
  compressChunk,
  encodeChunkRanges,
  type ChunkLimits,
  type PackedLine,
} from "./transactionChunks.ts";
import { VoucherIndexBuilder, type VoucherIndexPage } from "./voucherIndex.ts";

/** Directory entries per `DIR#` item: ≈ 40 bytes each, so a page stays near 80 KB. */
export const DIRECTORY_PAGE_ENTRIES = 2_000;

/** Options of {@link DynamoImportWriter}. */
export interface DynamoImportWriterOptions {
  documents: DynamoDBDocumentClient;
  tableName: string;
  ref: ImportRef;
  /** BatchWriteItem calls in flight, and sealed chunks waiting to be compressed and queued. */
  concurrency: number;
  retry: RetryPolicy;
  limits: ChunkLimits;
  /** Sets (or, with undefined, removes) `expiresAt` on the import's data items; `knownChunks` were written here. */
  setDataExpiry: (expiresAt: number | undefined, knownChunks: number) => Promise<void>;
}

/**
 * Writes one import's transaction lines in chunk items, the voucher index (the vouchers of each chunk, in pages as
 * they fill) and, at the end, its trial-balance rows (with the account → chunks index) and the chunk directory (see
 * keys.ts for the layout). Together they let an account or voucher filter read only the chunks that can match.
 *
 * Pipeline: addTransaction packs lines into the current chunk; a full chunk is gzipped on libuv's thread pool while
 * parsing goes on; chunks are numbered in file order once compressed (a chunk that compresses badly may split in
 * two) and queued on the BatchWriter. addTransaction waits when `concurrency` sealed chunks are still pending, and the
 * BatchWriter waits when `concurrency` requests are in flight, so memory stays bounded by a few chunks whatever the
 * size of the file. The directory is written last, after every chunk landed: readers find chunks only through it.
 */
export class DynamoImportWriter implements ImportWriter {
  private readonly packer: ChunkPacker;
  private readonly batch: BatchWriter;
  private tail: Promise<void> = Promise.resolve();
  private readonly pendingSeals: Promise<void>[] = [];
  private failure: unknown;
  private nextChunk = 0;
  private readonly directory: DirectoryEntry[] = [];
  private readonly accountChunks = new Map<string, number[]>();
  private readonly voucherIndex = new VoucherIndexBuilder();
  private state: "open" | "finished" | "aborted" = "open";

  constructor(private readonly options: DynamoImportWriterOptions) {
    this.packer = new ChunkPacker(options.limits);
    this.batch = new BatchWriter({
      documents: options.documents,
      tableName: options.tableName,
      concurrency: options.concurrency,
      retry: options.retry,
    });
  }

  async addTransaction(transaction: Transaction): Promise<void> {
    this.assertOpen();
    this.throwIfFailed();
    for (const line of toLedgerLines(transaction)) {
      const sealed = this.packer.add({
        json: encodeLedgerLine(line),
        account: line.account,
        date: line.date,
        voucher: line.transactionId,
      });
      if (sealed !== undefined) this.seal(sealed);
    }
    while (this.pendingSeals.length > this.options.concurrency) await this.pendingSeals.shift();
    this.throwIfFailed();
  }

  async finish(rows: readonly TrialBalanceRow[]): Promise<WriteStatistics> {
    this.assertOpen();
    const seen = new Set<string>();
    for (const row of rows) {
      if (seen.has(row.account)) {
        throw new StoreConflictError(`The trial balance lists account "${row.account}" twice`, {
          context: { importId: this.options.ref.importId, account: row.account },
        });
      }
      seen.add(row.account);
    }
    const rest = this.packer.take();
    if (rest.length > 0) this.seal(rest);
    await this.tail;
    this.pendingSeals.length = 0;
    this.throwIfFailed();
    // Every chunk lands before the rows and the directory that point at it.
    await this.batch.flush();

    const { tenantId, importId } = this.options.ref;
    const lastVoucherPage = this.voucherIndex.take();
    if (lastVoucherPage !== undefined) await this.batch.put(this.voucherIndexItem(lastVoucherPage));
    for (const [ordinal, row] of rows.entries()) {
      const chunks = encodeChunkRanges(this.accountChunks.get(row.account) ?? []);
      await this.batch.put(encodeTrialBalanceRow(tenantId, importId, ordinal, row, chunks));
    }
    // Accounts with lines but no row (the summarizer lists every posted account, but the port does not require it):
    // kept with the directory, so "no row and not listed here" means "no lines" and such a filter reads no chunk.
    const unlisted = Object.fromEntries(
      [...this.accountChunks]
        .filter(([account]) => !seen.has(account))
        .map(([account, chunks]) => [account, encodeChunkRanges(chunks)]),
    );
    for (let page = 0; page * DIRECTORY_PAGE_ENTRIES < this.directory.length; page++) {
      const entries = this.directory.slice(page * DIRECTORY_PAGE_ENTRIES, (page + 1) * DIRECTORY_PAGE_ENTRIES);
      await this.batch.put({
        ...keys.directoryPage(importId, page),
        type: "dir",
        tenantId,
        importId,
        page,
        entries: JSON.stringify(entries),
        ...(page === 0
          ? {
              voucherIndexPages: this.voucherIndex.pages,
              ...(Object.keys(unlisted).length > 0 ? { unlistedAccounts: JSON.stringify(unlisted) } : {}),
            }
          : {}),
      });
    }
    await this.batch.flush();
    this.state = "finished";
    const { items, bytes } = this.batch.statistics;
    return { items, bytes, chunks: this.nextChunk };
  }

  async abort(expiresAt?: number): Promise<void> {
    if (this.state === "aborted") return;
    this.state = "aborted";
    this.packer.take();
    await this.tail;
    this.pendingSeals.length = 0;
    await this.batch.settle();
    if (expiresAt !== undefined) await this.options.setDataExpiry(expiresAt, this.nextChunk);
  }

  /** Compresses a sealed chunk now; numbers and queues it after the chunks sealed before it. */
  private seal(lines: PackedLine[]): void {
    const compressed = compressChunk(lines, this.options.limits.maxGzipBytes);
    compressed.catch(() => {}); // observed by the step below
    const step = this.tail
      .then(async () => {
        const parts = await compressed;
        if (this.failure !== undefined || this.state === "aborted") return;
        for (const part of parts) {
          const chunk = this.nextChunk++;
          this.directory.push([chunk, part.minDate, part.maxDate, part.lineCount]);
          for (const account of part.accounts) {
            const chunks = this.accountChunks.get(account);
            if (chunks === undefined) this.accountChunks.set(account, [chunk]);
            else if (chunks.at(-1) !== chunk) chunks.push(chunk);
          }
          await this.batch.put(this.chunkItem(chunk, part));
          const voucherPage = this.voucherIndex.add(chunk, part.voucherHashes);
          if (voucherPage !== undefined) await this.batch.put(this.voucherIndexItem(voucherPage));
        }
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      });
    this.tail = step;
    this.pendingSeals.push(step);
  }

  private chunkItem(chunk: number, part: Awaited<ReturnType<typeof compressChunk>>[number]): Item {
    const { tenantId, importId } = this.options.ref;
    return {
      ...keys.chunk(importId, chunk),
      type: "chunk",
      tenantId,
      importId,
      chunk,
      lines: part.payload,
      lineCount: part.lineCount,
      minDate: part.minDate,
      maxDate: part.maxDate,
      accounts: part.accounts,
    };
  }

  private voucherIndexItem(page: VoucherIndexPage): Item {
    const { tenantId, importId } = this.options.ref;
    return { ...keys.voucherIndexPage(importId, page.page), type: "vix", tenantId, importId, ...page };
  }

  private assertOpen(): void {
    if (this.state !== "open") {
      throw new StoreWriterClosedError(`The writer of import "${this.options.ref.importId}" is ${this.state}`, {
        context: { importId: this.options.ref.importId },
      });
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
