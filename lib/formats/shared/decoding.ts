import iconv from "iconv-lite";
import type { ByteSource } from "./sources.ts";

/**
 * Character decoding is its own stage (STYLE.md §8): bytes in, text out, with the encoding decided from the bytes.
 *
 * Encoding detectors cannot tell CP437 from other code pages, so the decision uses saldo's own rules on the bytes:
 * 1. a byte-order mark wins (UTF-8, UTF-16 LE/BE);
 * 2. otherwise the first non-ASCII bytes decide, looked at in a fixed window (so the decision never depends on how the
 *    input happens to be chunked): valid UTF-8 with multi-byte sequences → `utf-8`;
 * 3. else the high bytes are weighed: Nordic letters sit in 0x80–0xA5 in the PC8 code pages (å 0x86, ä 0x84, ö 0x94,
 *    æ 0x91, ø 0x9B in CP865) and in 0xC0–0xFF in Latin-1 / Windows-1252 (å 0xE5, ø 0xF8). The heavier side wins;
 *    among PC8 pages, 0x9B or 0x9D (ø/Ø in CP865, ¢/¥ in CP437) selects CP865, since Norwegian text has ø far more
 *    often than ¢.
 * An explicit `override` skips all of this.
 */

/** How many bytes after the first non-ASCII byte are looked at before deciding. */
export const SNIFF_WINDOW_BYTES = 64 * 1024;

export interface EncodingDecision {
  /** Encoding name as iconv-lite knows it: `utf-8`, `utf-16le`, `utf-16be`, `windows-1252`, `cp437`, `cp865`. */
  encoding: string;
  /** How it was decided. */
  reason: "override" | "bom" | "ascii" | "utf-8-valid" | "sniffed";
  /** Length of the byte-order mark that was skipped. */
  bomLength: number;
}

/** Normalizes user- and file-given encoding names to iconv-lite names (`PC8` → `cp437`, `latin1` → `iso-8859-1`). */
export function normalizeEncodingName(name: string): string {
  const lower = name.trim().toLowerCase().replace(/_/g, "-");
  const aliases: Record<string, string> = {
    pc8: "cp437",
    ibm437: "cp437",
    ibm865: "cp865",
    utf8: "utf-8",
    latin1: "iso-8859-1",
    "latin-1": "iso-8859-1",
    "iso8859-1": "iso-8859-1",
    cp1252: "windows-1252",
    "win-1252": "windows-1252",
    utf16le: "utf-16le",
    utf16be: "utf-16be",
  };
  const normalized = aliases[lower] ?? lower;
  if (!iconv.encodingExists(normalized)) {
    throw new RangeError(`unknown character encoding: ${name}`);
  }
  return normalized;
}

/** Detects a byte-order mark at the start of `head`. */
export function detectBom(head: Uint8Array): { encoding: string; length: number } | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: "utf-8", length: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", length: 2 };
  return undefined;
}

/** Index of the first byte ≥ 0x80, or -1. */
export function firstNonAscii(bytes: Uint8Array, from = 0): number {
  for (let i = from; i < bytes.length; i++) if (bytes[i]! >= 0x80) return i;
  return -1;
}

/**
 * Whether `bytes` is valid UTF-8 with at least one multi-byte sequence. When the window was cut from a longer
 * stream (`mayEndMidCharacter`), a sequence cut off at its very end is allowed.
 */
export function looksLikeUtf8(bytes: Uint8Array, mayEndMidCharacter = false): boolean {
  let multiByte = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return false;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return mayEndMidCharacter && (multiByte > 0 || k > 1);
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return false;
    }
    multiByte++;
    i += need + 1;
  }
  return multiByte > 0;
}

/**
 * Picks an 8-bit code page from the high bytes (rule 3 above). Byte 0xA0 between two digits is the Windows-1252 /
 * ISO-8859-1 no-break space used as thousands separator (`132 500,00` in Norwegian CSV exports), never CP437 `á`,
 * so it counts as Latin evidence. `before` is the byte just before the window (the window starts at a high byte).
 */
export function sniffEightBit(bytes: Uint8Array, before = 0): "cp437" | "cp865" | "windows-1252" {
  let pc8Letters = 0;
  let latinLetters = 0;
  let norwegianPc8 = false;
  const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    if (b === 0xa0 && isDigit(i === 0 ? before : bytes[i - 1]) && isDigit(bytes[i + 1])) latinLetters++;
    else if (b <= 0xa5) pc8Letters++;
    else if (b >= 0xc0) latinLetters++;
    if (b === 0x9b || b === 0x9d) norwegianPc8 = true;
  }
  if (latinLetters > pc8Letters) return "windows-1252";
  return norwegianPc8 ? "cp865" : "cp437";
}

/**
 * Valid multi-byte UTF-8 sequences and invalid bytes ≥ 0x80 in `bytes` (a sequence cut off at the end counts as
 * neither). Latin-1 text almost never forms a valid sequence (`å` is 0xE5 followed by ASCII), so a window with more
 * valid sequences than invalid bytes is UTF-8 with some damaged bytes, which are then reported, not a code page.
 */
export function countUtf8Sequences(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    let k = 1;
    while (need > 0 && k <= need && i + k < bytes.length && (bytes[i + k]! & 0xc0) === 0x80) k++;
    if (need > 0 && k > need) {
      valid++;
      i += need + 1;
    } else if (need > 0 && i + k >= bytes.length) {
      break; // cut off by the end of the window
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

/** Decides the encoding of a window of bytes that starts at the first non-ASCII byte. */
export function decideFromWindow(window: Uint8Array, cutFromLongerStream = false, before = 0): EncodingDecision {
  if (firstNonAscii(window) < 0) return { encoding: "utf-8", reason: "ascii", bomLength: 0 };
  if (looksLikeUtf8(window, cutFromLongerStream)) return { encoding: "utf-8", reason: "utf-8-valid", bomLength: 0 };
  const { valid, invalid } = countUtf8Sequences(window);
  if (valid > invalid) return { encoding: "utf-8", reason: "utf-8-valid", bomLength: 0 };
  return { encoding: sniffEightBit(window, before), reason: "sniffed", bomLength: 0 };
}

export interface DecodeOptions {
  /** Explicit encoding; skips detection. */
  override?: string;
  /** Called once with the decision, before the first non-ASCII text is yielded (or at the end for pure ASCII). */
  onDecision?: (decision: EncodingDecision) => void;
}

/** Whether `bytes` holds only ASCII (Node ≥ 18.15 has a native check). */
const isAscii = (Buffer as unknown as { isAscii?: (bytes: Uint8Array) => boolean }).isAscii;

function firstHighByte(bytes: Uint8Array): number {
  return isAscii !== undefined && isAscii(bytes) ? -1 : firstNonAscii(bytes);
}

/**
 * The encoding decision as a stream stage, shared by every reader: passes the bytes on (byte-order mark removed)
 * and calls `onDecision` once, before the first chunk holding a non-ASCII byte — so every chunk passed on before
 * the decision is pure ASCII, which reads the same in every candidate encoding. From the first non-ASCII byte on,
 * up to {@link SNIFF_WINDOW_BYTES} are held back and decided on (a byte-order mark or `override` decides at once);
 * the decision and the point where it is made do not depend on how the input is chunked.
 */
export async function* decideEncoding(
  source: ByteSource,
  options: DecodeOptions = {},
): AsyncGenerator<Buffer, EncodingDecision, undefined> {
  let decision: EncodingDecision | undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let atStart = true;
  let byteBeforeWindow = 0;
  let startBytes: Buffer = Buffer.alloc(0);

  const decide = (chosen: EncodingDecision) => {
    decision = chosen;
    options.onDecision?.(chosen);
  };

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
      if (bytes.length > 0) yield bytes;
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
    pendingBytes += bytes.length;
    // Bytes held back across the next read are copied (the chunk is the source's only until then; see sources.ts):
    // less than the window. The chunk that completes the window is decided on and passed on before that read.
    pending.push(pendingBytes < SNIFF_WINDOW_BYTES ? Buffer.from(bytes) : bytes);
    if (pendingBytes >= SNIFF_WINDOW_BYTES) {
      const held = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      decide(decideFromWindow(held.subarray(0, SNIFF_WINDOW_BYTES), true, byteBeforeWindow));
      yield held;
    }
  }

  if (atStart && startBytes.length > 0) {
    // Input shorter than three bytes.
    const bom = detectBom(startBytes);
    const rest = bom ? startBytes.subarray(bom.length) : startBytes;
    if (!decision)
      decide(bom ? { encoding: bom.encoding, reason: "bom", bomLength: bom.length } : decideFromWindow(rest));
    if (rest.length > 0) yield rest;
  } else if (!decision) {
    const held = Buffer.concat(pending);
    decide(decideFromWindow(held, false, byteBeforeWindow));
    if (held.length > 0) yield held;
  }
  if (!decision) decide({ encoding: "utf-8", reason: "ascii", bomLength: 0 }); // empty input
  return decision!;
}

/**
 * Decodes a byte stream to text: {@link decideEncoding}, then a streaming decoder (multi-byte characters split
 * across chunks are handled). Pure-ASCII text before the decision is passed on as it is. The result does not depend
 * on how the input is chunked.
 */
export async function* decodeStream(
  source: ByteSource,
  options: DecodeOptions = {},
): AsyncGenerator<string, EncodingDecision, undefined> {
  let decoder: TextChunkDecoder | undefined;
  const bytes = decideEncoding(source, {
    ...(options.override ? { override: options.override } : {}),
    onDecision: (decision) => {
      decoder = createChunkDecoder(decision.encoding);
      options.onDecision?.(decision);
    },
  });
  try {
    while (true) {
      const next = await bytes.next();
      if (next.done) {
        const tail = decoder?.end();
        if (tail) yield tail;
        return next.value;
      }
      const text = decoder ? decoder.write(next.value) : next.value.toString("latin1");
      if (text) yield text;
    }
  } finally {
    await bytes.return(undefined as never); // a consumer that stops early closes the source too
  }
}

/** A stateful decoder: bytes in, text out; characters split across chunks are handled. */
export interface TextChunkDecoder {
  write(bytes: Buffer): string;
  end(): string | undefined;
}

const SINGLE_BYTE_ENCODINGS = new Set(["cp437", "cp865", "windows-1252", "iso-8859-15"]);

/**
 * The decoder for an encoding. Single-byte code pages whose characters mostly fall in Latin-1 (the Nordic letters
 * in CP437/CP865/Windows-1252 do) are translated through a 256-entry table into a Latin-1 string, which V8 stores
 * one byte per character — markedly faster to build and to scan than the two-byte strings iconv-lite returns. A chunk
 * holding a character outside Latin-1 (box drawing, €) falls back to iconv-lite; single-byte decoding is stateless,
 * so switching per chunk changes nothing in the text.
 */
export function createChunkDecoder(encoding: string): TextChunkDecoder {
  if (encoding === "iso-8859-1") {
    return { write: (bytes) => bytes.toString("latin1"), end: () => undefined };
  }
  if (!SINGLE_BYTE_ENCODINGS.has(encoding)) return iconv.getDecoder(encoding, { stripBOM: false });
  const cached = singleByteDecoders.get(encoding);
  if (cached) return cached;
  const highBytes = Buffer.alloc(128);
  for (let b = 0; b < 128; b++) highBytes[b] = b + 128;
  const decodedHigh = iconv.decode(highBytes, encoding);
  const table = new Uint16Array(128);
  for (let b = 0; b < 128; b++) table[b] = decodedHigh.charCodeAt(b);
  const decoder: TextChunkDecoder = {
    write(bytes: Buffer): string {
      const first = firstNonAscii(bytes);
      if (first < 0) return bytes.toString("latin1");
      const out = Buffer.from(bytes);
      for (let i = first; i < out.length; i++) {
        const b = out[i]!;
        if (b < 0x80) continue;
        const code = table[b - 128]!;
        if (code > 0xff) return iconv.decode(bytes, encoding);
        out[i] = code;
      }
      return out.toString("latin1");
    },
    end: () => undefined,
  };
  singleByteDecoders.set(encoding, decoder); // stateless, so one per encoding serves every stream
  return decoder;
}

const singleByteDecoders = new Map<string, TextChunkDecoder>();

/** Decodes a small byte slice in a known encoding (field values of byte-level parsers). */
export function decodeBytes(bytes: Uint8Array, encoding: string): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === "utf-8") return buffer.toString("utf8");
  return createChunkDecoder(encoding).write(buffer);
}
