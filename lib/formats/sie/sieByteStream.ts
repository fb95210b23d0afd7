import {
  createChunkDecoder,
  decideEncoding,
  type EncodingDecision,
  type TextChunkDecoder,
} from "../shared/decoding.ts";
import { isByteCompatible } from "./SieTextDecoder.ts";
import type { ByteSource } from "../shared/sources.ts";

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
  source: ByteSource,
  options: SieByteStreamOptions = {},
): AsyncGenerator<Buffer, EncodingDecision, undefined> {
  let converter: Utf8Converter | undefined;
  const bytes = decideEncoding(source, {
    ...(options.override ? { override: options.override } : {}),
    onDecision: (decision) => {
      const direct = isByteCompatible(decision.encoding);
      converter = direct ? undefined : new Utf8Converter(createChunkDecoder(decision.encoding));
      options.onDecision?.(decision, direct ? decision.encoding : "utf-8");
    },
  });
  try {
    while (true) {
      const next = await bytes.next();
      if (next.done) {
        const tail = converter?.end();
        if (tail && tail.length > 0) yield tail;
        return next.value;
      }
      const out = converter ? converter.write(next.value) : next.value;
      if (out.length > 0) yield out;
    }
  } finally {
    await bytes.return(undefined as never); // a consumer that stops early closes the source too
  }
}
