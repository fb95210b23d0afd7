import { StoreCorruptItemError } from "../errors.ts";

/**
 * The voucher index of an import: for every chunk, the set of its vouchers (transaction ids), so a voucher filter
 * reads only the chunks that hold that voucher — and none when no chunk does.
 *
 * A voucher id is kept as a 32-bit FNV-1a hash, sorted and delta-encoded as unsigned LEB128 varints: about 3 bytes
 * per voucher (≈ 1 KB per 1 000 lines, against ≈ 20 KB of gzipped lines), instead of the id itself. Two ids with the
 * same hash only make a chunk a candidate that holds no match (its lines are still filtered exactly); with at most a
 * few thousand vouchers per chunk that happens for about one query in a million per chunk.
 *
 * Layout of one index page's `sets` (a binary attribute): for each chunk from `firstChunk` on, in chunk order,
 * `varint(count)` then `count` varints: the first hash, then the differences between consecutive hashes.
 */

/** Largest encoded page before it is written as its own item (DynamoDB items are ≤ 400 KB). */
export const VOUCHER_INDEX_PAGE_BYTES = 256_000;

/** FNV-1a over the UTF-16 code units of the id: fast, stable across versions, and good enough for set membership. */
export function hashVoucherId(id: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index++) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The sorted, distinct hashes of a chunk's voucher ids. */
export function voucherHashesOf(ids: Iterable<string>): number[] {
  const hashes = new Set<number>();
  for (const id of ids) hashes.add(hashVoucherId(id));
  return [...hashes].sort((a, b) => a - b);
}

/** Builds index pages chunk by chunk; {@link VoucherIndexBuilder.add} hands back a page once it is full. */
export class VoucherIndexBuilder {
  private bytes: number[] = [];
  private firstChunk = 0;
  private chunkCount = 0;
  private pageNumber = 0;

  constructor(private readonly pageBytes: number = VOUCHER_INDEX_PAGE_BYTES) {}

  /** Adds the next chunk's (sorted, distinct) hashes; returns a full page to write, if this chunk filled one. */
  add(chunk: number, hashes: readonly number[]): VoucherIndexPage | undefined {
    if (chunk !== this.firstChunk + this.chunkCount) {
      throw new RangeError(`voucher index: chunk ${chunk} added after chunk ${this.firstChunk + this.chunkCount - 1}`);
    }
    writeVarint(this.bytes, hashes.length);
    let previous = 0;
    for (const hash of hashes) {
      writeVarint(this.bytes, hash - previous);
      previous = hash;
    }
    this.chunkCount++;
    return this.bytes.length >= this.pageBytes ? this.take() : undefined;
  }

  /** The chunks added since the last page, as a page (undefined when there are none). */
  take(): VoucherIndexPage | undefined {
    if (this.chunkCount === 0) return undefined;
    const page = {
      page: this.pageNumber++,
      firstChunk: this.firstChunk,
      chunkCount: this.chunkCount,
      sets: Uint8Array.from(this.bytes),
    };
    this.firstChunk += this.chunkCount;
    this.chunkCount = 0;
    this.bytes = [];
    return page;
  }

  /** Pages handed out so far. */
  get pages(): number {
    return this.pageNumber;
  }
}

/** One page of the voucher index: the sets of `chunkCount` consecutive chunks from `firstChunk`. */
export interface VoucherIndexPage {
  page: number;
  firstChunk: number;
  chunkCount: number;
  sets: Uint8Array;
}

/**
 * The chunks whose voucher set holds the hash of `voucher`, read from the index pages (any order).
 *
 * @throws StoreCorruptItemError when the pages do not decode, or do not cover chunks 0…n-1 without gaps.
 */
export function chunksWithVoucher(
  pages: readonly VoucherIndexPage[],
  voucher: string,
  where: { pk: string },
): Set<number> {
  const wanted = hashVoucherId(voucher);
  const found = new Set<number>();
  let expectedFirst = 0;
  for (const page of [...pages].sort((a, b) => a.firstChunk - b.firstChunk)) {
    if (page.firstChunk !== expectedFirst) {
      throw new StoreCorruptItemError(`The voucher index of ${where.pk} has a gap before chunk ${page.firstChunk}`, {
        context: { pk: where.pk, page: page.page },
      });
    }
    const reader = { bytes: page.sets, at: 0 };
    for (let chunk = page.firstChunk; chunk < page.firstChunk + page.chunkCount; chunk++) {
      const count = readVarint(reader, where);
      let hash = 0;
      for (let index = 0; index < count; index++) {
        hash += readVarint(reader, where);
        if (hash === wanted) found.add(chunk);
      }
    }
    if (reader.at !== page.sets.length) {
      throw new StoreCorruptItemError(`The voucher index page ${page.page} of ${where.pk} has trailing bytes`, {
        context: { pk: where.pk, page: page.page },
      });
    }
    expectedFirst = page.firstChunk + page.chunkCount;
  }
  return found;
}

function writeVarint(bytes: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
}

function readVarint(reader: { bytes: Uint8Array; at: number }, where: { pk: string }): number {
  let value = 0;
  let scale = 1;
  for (let shift = 0; shift < 5; shift++) {
    const byte = reader.bytes[reader.at++];
    if (byte === undefined) break;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
  throw new StoreCorruptItemError(`The voucher index of ${where.pk} is truncated or malformed`, {
    context: { pk: where.pk },
  });
}
