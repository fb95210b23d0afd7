import type { ImportRecord } from "../../ledger/records.ts";
import type { ParseOptions } from "../records.ts";
import { ChunkRecordStream, type ChunkConsumer } from "../shared/ChunkRecordStream.ts";
import type { EncodingDecision } from "../shared/decoding.ts";
import { sieByteStream } from "./sieByteStream.ts";
import { SieLineTokenizer } from "./SieLineTokenizer.ts";
import { SieRecordMapper } from "./SieRecordMapper.ts";
import type { ByteSource } from "../shared/sources.ts";

/** Invalid byte sequences reported one by one; the rest are counted in one issue at the end. */
const MAX_INVALID_BYTES_REPORTED = 5;

/** Records the mapper completes before the stream hands them out (see {@link SieChunkConsumer.pull}). */
const RECORDS_PER_PULL = 64;

/**
 * The tokenizer and the record mapper as a push parser for {@link ChunkRecordStream} (the stream SAF-T uses too).
 * Writing a chunk only hands it to the tokenizer; its lines are mapped on demand ({@link pull}), a few records at a
 * time: records go out soon after they are made, so few are alive at once and garbage collection stays cheap (a
 * whole chunk's vouchers at once kept a scavenge copying them).
 */
class SieChunkConsumer implements ChunkConsumer<ImportRecord> {
  readonly out: ImportRecord[];
  private readonly tokenizer: SieLineTokenizer;
  private readonly mapper: SieRecordMapper;
  private invalidBytes = 0;
  private ended = false;
  private finished = false;

  constructor(options: ParseOptions) {
    this.tokenizer = new SieLineTokenizer({ fileName: options.fileName });
    this.mapper = new SieRecordMapper({ fileName: options.fileName });
    this.out = this.mapper.pending();
    // Issue #8: bytes that are not UTF-8 in a UTF-8 file are reported (the first few with their place, then counted).
    this.tokenizer.onInvalidBytes((location) => {
      this.invalidBytes++;
      if (this.invalidBytes <= MAX_INVALID_BYTES_REPORTED) {
        this.mapper.report({
          severity: "warning",
          code: "SIE_INVALID_BYTES",
          message: "bytes that are not UTF-8 were read as \uFFFD (the replacement character) in this value",
          location,
        });
      }
    });
  }

  /** The decoding stage's decision, made before the first byte it concerns is written (all lines before are mapped). */
  setEncoding(decision: EncodingDecision, bytesEncoding: string): void {
    this.tokenizer.setEncoding(bytesEncoding);
    this.mapper.setEncodingDecision(decision, this.tokenizer.position());
  }

  /** The stream pulls until the chunk's lines are used up before it writes the next chunk (the lines refer to it). */
  write(chunk: Uint8Array): void {
    this.tokenizer.feedBytes(chunk);
  }

  end(): void {
    this.tokenizer.finish();
    this.ended = true;
  }

  /** Maps lines until {@link RECORDS_PER_PULL} records are waiting or the lines written so far are used up. */
  pull(): boolean {
    if (this.finished) return false;
    const tokenizer = this.tokenizer;
    const mapper = this.mapper;
    const out = this.out;
    let mapped = false;
    for (let line = tokenizer.next(); line !== undefined; line = tokenizer.next()) {
      mapper.accept(line);
      mapped = true;
      if (out.length >= RECORDS_PER_PULL) return true;
    }
    if (!this.ended) return mapped;
    this.finished = true;
    if (this.invalidBytes > MAX_INVALID_BYTES_REPORTED) {
      const more = this.invalidBytes - MAX_INVALID_BYTES_REPORTED;
      mapper.report({
        severity: "warning",
        code: "SIE_INVALID_BYTES",
        message: `${more} more byte sequences that are not UTF-8 were read as \uFFFD (${this.invalidBytes} in all; the first ${MAX_INVALID_BYTES_REPORTED} are listed)`,
      });
    }
    mapper.finish(tokenizer.position());
    return true;
  }
}

/**
 * Reads a SIE file (SIE 4B: types 1, 2, 3, 4E and 4I) as a stream of {@link ImportRecord}s: the header first, then
 * issues and accounts, then one transaction per #VER in file order.
 *
 * Three stages, each its own module: the encoding decision ({@link sieByteStream}: the bytes decide, since the
 * `#FORMAT PC8` tag is often wrong; `options.encoding` overrides), tokenizing ({@link SieLineTokenizer}: lines and
 * fields, SIE 4B §5, read from the bytes; only kept values are decoded), and record mapping ({@link SieRecordMapper}: what the labels mean). The header and the chart
 * with its balances are held until the first #VER (bounded by the chart); vouchers stream through.
 *
 * Per-record problems become issue records; a file that is not SIE, holds binary data or is cut off throws a
 * FormatError subclass with line and column. The output, issue locations included, does not depend on how
 * the input is chunked.
 *
 * The stream is a {@link ChunkRecordStream}; {@link import("../shared/recordBatches.ts").recordBatches} reads its
 * records a few dozen at a time (one `await` for each batch instead of each record).
 *
 * @example
 * for await (const record of parseSie(fileSource("bokslut.se"), { fileName: "bokslut.se" })) …
 */
export function parseSie(
  source: ByteSource,
  options: ParseOptions = {},
): AsyncGenerator<ImportRecord, void, undefined> {
  return new ChunkRecordStream(async () => {
    const consumer = new SieChunkConsumer(options);
    const chunks = sieByteStream(source, {
      override: options.encoding,
      onDecision: (decision, bytesEncoding) => consumer.setEncoding(decision, bytesEncoding),
    });
    return { chunks, consumer };
  });
}
