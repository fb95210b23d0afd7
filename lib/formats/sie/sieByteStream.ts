import {
  SNIFF_WINDOW_BYTES,
  createChunkDecoder,
  decideFromWindow,
  detectBom,
  firstNonAscii,
  normalizeEncodingName,
  type EncodingDecision,
  type TextChunkDecoder,
} from "../shared/decoding.ts";
import { isByteCompatible } from "./SieTextDecoder.ts";

export interface SieByteStreamOptions {
  /** Explicit encoding; skips detection. */
  override?: string;
  /**
   * Called once with the decision, before the first non-ASCII byte is passed on (or at the end for pure ASCII),
   * and with the encoding of the bytes passed on from then: the decided one, or `utf-8` when they are converted
   * (see {@link sieByteStream}).
   */
  onDecision?: (decision: EncodingDecision, bytesEncoding: string) => void;
}

/** Whether `bytes` holds only ASCII (Node ≥ 18.15 has a native check). */
const isAscii: ((bytes: Uint8Array) => boolean) | undefined = (
  globalThis as { Buffer?: { isAscii?: unknown } }
).Buffer?.isAscii as ((bytes: Uint8Array) => boolean) | undefined;

function firstHighByte(bytes: Uint8Array): number {
  return isAscii !== undefined && isAscii(bytes) ? -1 : firstNonAscii(bytes);
}

/** Converts text of an encoding the tokenizer cannot read byte-wise to UTF-8 bytes, chunk by chunk. */
class Utf8Converter {
  /** A high surrogate at the end of the last text, waiting for its low half. */
  private pendingSurrogate = "";

  constructor(private readonly decoder: TextChunkDecoder) {}

  write(bytes: Buffer): Buffer {
    return this.encode(this.decoder.write(bytes), false);
  }

  end(): Buffer {
    return this.encode(this.decoder.end() ?? "", true);
  }

  private encode(text: string, last: boolean): Buffer {
    let whole = this.pendingSurrogate + text;
    this.pendingSurrogate = "";
    const code = whole.charCodeAt(whole.length - 1);
    if (!last && code >= 0xd800 && code <= 0xdbff) {
      this.pendingSurrogate = whole.slice(-1);
      whole = whole.slice(0, -1);
    }
    return Buffer.from(whole, "utf8");
  }
}

/**
 * The decoding stage of the SIE reader, byte-wise: decides the encoding exactly as
 * {@link import("../shared/decoding.ts").decodeStream} does (byte-order mark; otherwise the first non-ASCII byte and
 * the {@link SNIFF_WINDOW_BYTES} after it, whatever the chunking; or the override), at the same point in the
 * stream, but passes the bytes on instead of decoding them: the tokenizer reads SIE syntax from bytes and decodes
 * only the values that are kept. A byte-order mark is removed.
 *
 * Bytes of UTF-8 and of ASCII-compatible single-byte code pages (CP437, CP865, Windows-1252, ISO-8859-x) are passed
 * on as they are. Other encodings (UTF-16 after a byte-order mark, or an override such as a double-byte code
 * page) are decoded and passed on as UTF-8, and `onDecision` says so.
 */
export async function* sieByteStream(
  source: AsyncIterable<Uint8Array>,
  options: SieByteStreamOptions = {},
): AsyncGenerator<Buffer, EncodingDecision, undefined> {
  let decision: EncodingDecision | undefined;
  let converter: Utf8Converter | undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let atStart = true;
  let byteBeforeWindow = 0;
  let startBytes: Buffer = Buffer.alloc(0);

  const decide = (chosen: EncodingDecision) => {
    decision = chosen;
    const direct = isByteCompatible(chosen.encoding);
    converter = direct ? undefined : new Utf8Converter(createChunkDecoder(chosen.encoding));
    options.onDecision?.(chosen, direct ? chosen.encoding : "utf-8");
  };
  const pass = (bytes: Buffer): Buffer => (converter ? converter.write(bytes) : bytes);

  if (options.override) decide({ encoding: normalizeEncodingName(options.override), reason: "override", bomLength: 0 });

  for await (const chunk of source) {
    let bytes: Buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (atStart) {
      // Collect up to three bytes to look for a byte-order mark, whatever the chunking.
      startBytes = startBytes.length === 0 ? bytes : Buffer.concat([startBytes, bytes]);
      if (startBytes.length < 3) {
        startBytes = Buffer.from(startBytes);
        continue;
      }
      bytes = startBytes;
      atStart = false;
      const bom = detectBom(bytes);
      if (bom) {
        bytes = bytes.subarray(bom.length);
        if (!decision) decide({ encoding: bom.encoding, reason: "bom", bomLength: bom.length });
        else decision = { ...decision, bomLength: bom.length };
      }
    }
    if (decision) {
      const out = pass(bytes);
      if (out.length > 0) yield out;
      continue;
    }
    if (pendingBytes === 0) {
      const firstHigh = firstHighByte(bytes);
      if (firstHigh < 0) {
        if (bytes.length > 0) {
          yield bytes;
          byteBeforeWindow = bytes[bytes.length - 1]!;
        }
        continue;
      }
      if (firstHigh > 0) {
        yield bytes.subarray(0, firstHigh);
        byteBeforeWindow = bytes[firstHigh - 1]!;
      }
      bytes = bytes.subarray(firstHigh);
    }
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes >= SNIFF_WINDOW_BYTES) {
      const held = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      decide(decideFromWindow(held.subarray(0, SNIFF_WINDOW_BYTES), true, byteBeforeWindow));
      const out = pass(held);
      if (out.length > 0) yield out;
    }
  }

  if (atStart && startBytes.length > 0) {
    // Input shorter than three bytes.
    const bom = detectBom(startBytes);
    const rest = bom ? startBytes.subarray(bom.length) : startBytes;
    if (!decision) decide(bom ? { encoding: bom.encoding, reason: "bom", bomLength: bom.length } : decideFromWindow(rest));
    const out = pass(rest);
    if (out.length > 0) yield out;
  } else if (!decision) {
    const held = Buffer.concat(pending);
    decide(decideFromWindow(held, false, byteBeforeWindow));
    const out = pass(held);
    if (out.length > 0) yield out;
  }
  if (!decision) decide({ encoding: "utf-8", reason: "ascii", bomLength: 0 }); // empty input
  if (converter) {
    const tail = converter.end();
    if (tail.length > 0) yield tail;
  }
  return decision!;
}
