import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { LedgerLine } from "../../ledger/types.ts";
import { StoreCorruptItemError, StoreItemTooLargeError } from "../errors.ts";
import { LedgerLinesJsonSchema } from "./itemSchemas.ts";
import { voucherHashesOf } from "./voucherIndex.ts";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * How transaction lines are packed into chunk items. DynamoDB items are limited to 400 KB; a chunk's gzipped lines
 * stay below `maxGzipBytes` (300 KB), leaving room for the other attributes and a safe margin. Ledger-line JSON
 * gzips about 8–12×, so 4 000 lines (≈ 0.8 MB of JSON) make ≈ 70–100 KB: 0.25 chunk items per 1 000 lines.
 */
export interface ChunkLimits {
  /** Lines per chunk before it is sealed. */
  maxLines: number;
  /** JSON bytes per chunk before it is sealed (long descriptions fill a chunk before `maxLines`). */
  maxRawBytes: number;
  /** Largest gzipped payload per chunk item; a bigger one is split in two (recursively). */
  maxGzipBytes: number;
}

/** ≤ 4 000 lines, ≤ 3 MB of JSON, ≤ 300 KB gzipped per chunk item. */
export const DEFAULT_CHUNK_LIMITS: ChunkLimits = { maxLines: 4_000, maxRawBytes: 3_000_000, maxGzipBytes: 300_000 };

/** One line ready to pack: its JSON text and what the indexes need. */
export interface PackedLine {
  json: string;
  account: string;
  date: string;
  /** The line's transaction (voucher) id, for the voucher index. */
  voucher: string;
}

/** A chunk ready to write: the gzipped JSON array of its lines and its directory entry. */
export interface CompressedChunk {
  payload: Buffer;
  lineCount: number;
  minDate: string;
  maxDate: string;
  accounts: string[];
  /** Sorted, distinct hashes of the chunk's voucher ids (see voucherIndex.ts). */
  voucherHashes: number[];
}

/** Collects lines in file order and hands back a full chunk whenever a limit is reached. */
export class ChunkPacker {
  private lines: PackedLine[] = [];
  private rawBytes = 2;

  constructor(private readonly limits: ChunkLimits = DEFAULT_CHUNK_LIMITS) {}

  /** Adds a line; returns the sealed chunk's lines when this line filled it. */
  add(line: PackedLine): PackedLine[] | undefined {
    this.lines.push(line);
    this.rawBytes += line.json.length + 1;
    if (this.lines.length >= this.limits.maxLines || this.rawBytes >= this.limits.maxRawBytes) return this.take();
    return undefined;
  }

  /** The lines not yet sealed (possibly none), and starts over. */
  take(): PackedLine[] {
    const lines = this.lines;
    this.lines = [];
    this.rawBytes = 2;
    return lines;
  }

  get size(): number {
    return this.lines.length;
  }
}

/**
 * Gzips a chunk's lines (off the main thread: zlib runs on libuv's pool). When the payload is larger than
 * `maxGzipBytes` (poorly compressible text), the lines are split in two halves, each compressed again, so one
 * sealed chunk may become several chunk items — in order.
 *
 * @throws StoreItemTooLargeError when a single line alone is too large for an item.
 */
export async function compressChunk(
  lines: readonly PackedLine[],
  maxGzipBytes: number = DEFAULT_CHUNK_LIMITS.maxGzipBytes,
): Promise<CompressedChunk[]> {
  const payload = await gzipAsync(Buffer.from(`[${lines.map((line) => line.json).join(",")}]`, "utf8"));
  if (payload.length <= maxGzipBytes) return [describeChunk(lines, payload)];
  if (lines.length === 1) {
    throw new StoreItemTooLargeError(
      `One ledger line is ${payload.length} bytes even gzipped: more than fits in a DynamoDB item`,
      { context: { bytes: payload.length, account: lines[0]!.account } },
    );
  }
  const middle = Math.ceil(lines.length / 2);
  const [first, second] = await Promise.all([
    compressChunk(lines.slice(0, middle), maxGzipBytes),
    compressChunk(lines.slice(middle), maxGzipBytes),
  ]);
  return [...first, ...second];
}

function describeChunk(lines: readonly PackedLine[], payload: Buffer): CompressedChunk {
  let minDate = lines[0]?.date ?? "";
  let maxDate = minDate;
  const accounts = new Set<string>();
  for (const line of lines) {
    if (line.date < minDate) minDate = line.date;
    if (line.date > maxDate) maxDate = line.date;
    accounts.add(line.account);
  }
  return {
    payload,
    lineCount: lines.length,
    minDate,
    maxDate,
    accounts: [...accounts],
    voucherHashes: voucherHashesOf(lines.map((line) => line.voucher)),
  };
}

/**
 * The lines of a chunk item's payload, validated (a trust boundary: the item was read back from DynamoDB).
 *
 * @throws StoreCorruptItemError when the payload is not gzip, not JSON, or not ledger lines.
 */
export async function decompressChunk(payload: Uint8Array, where: { pk: unknown; sk: unknown }): Promise<LedgerLine[]> {
  let json: unknown;
  try {
    json = JSON.parse((await gunzipAsync(payload)).toString("utf8"));
  } catch (error) {
    throw new StoreCorruptItemError(`The lines of chunk ${String(where.pk)} cannot be read`, {
      cause: error,
      context: { ...where },
    });
  }
  const parsed = LedgerLinesJsonSchema.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues[0];
    throw new StoreCorruptItemError(
      `The lines of chunk ${String(where.pk)} are not valid: ${problem?.path.join(".")}: ${problem?.message}`,
      { cause: parsed.error, context: { ...where } },
    );
  }
  return parsed.data;
}

/**
 * Encodes ascending chunk numbers as ranges, `0-12,15,17-20`: an account on every chunk of a 10 M-line import costs
 * a few bytes in its trial-balance row instead of a 2 500-element list.
 */
export function encodeChunkRanges(chunks: readonly number[]): string {
  const parts: string[] = [];
  let index = 0;
  while (index < chunks.length) {
    const start = chunks[index]!;
    let end = start;
    while (index + 1 < chunks.length && chunks[index + 1] === end + 1) {
      end++;
      index++;
    }
    parts.push(start === end ? String(start) : `${start}-${end}`);
    index++;
  }
  return parts.join(",");
}

/** Inverse of {@link encodeChunkRanges}. */
export function decodeChunkRanges(ranges: string): number[] {
  if (ranges === "") return [];
  const chunks: number[] = [];
  for (const part of ranges.split(",")) {
    const [start, end] = part.split("-").map(Number);
    for (let chunk = start!; chunk <= (end ?? start!); chunk++) chunks.push(chunk);
  }
  return chunks;
}
