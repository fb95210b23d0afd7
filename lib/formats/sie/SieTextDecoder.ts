import iconv from "iconv-lite";
import { decodeBytes } from "../shared/decoding.ts";

/** Node's Buffer has these (undocumented but stable since v0.x); they skip `toString`'s argument handling. */
export interface FastSliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Bytes translated through a single-byte table are put together here (one field at a time). */
let scratch = Buffer.alloc(4096) as FastSliceBuffer;

/**
 * Turns the bytes of one SIE field into text, in the encoding the decoding stage decided, and counts the columns
 * (UTF-16 code units) a run of bytes stands for.
 *
 * The SIE tokenizer works on bytes: the syntax of SIE 4B §5 (`#`, blanks, `"`, `\`, `{`, `}`, CR, LF) is ASCII,
 * and in every encoding it reads byte-wise (UTF-8 and the single-byte code pages: CP437/PC8, CP865, Windows-1252,
 * ISO-8859-x) bytes ≥ 0x80 never stand for an ASCII character (see {@link isByteCompatible}). So only the values
 * that are kept (names, texts) are decoded; amounts, dates and most account numbers are read from the bytes.
 *
 * Decoding a field on its own gives the same text as decoding the whole stream and cutting the field out: a field
 * starts and ends next to ASCII bytes (blanks, quotes, braces, line ends), which in UTF-8 always begin a new
 * character, and single-byte decoding has no state.
 */
export class SieTextDecoder {
  /** Whether characters can take more than one byte (then columns are counted by decoding). */
  readonly utf8: boolean;
  /** For single-byte code pages: the UTF-16 code of bytes 0x80–0xFF. */
  private readonly table: Uint16Array | undefined;

  constructor(readonly encoding: string) {
    this.utf8 = encoding === "utf-8";
    this.table = this.utf8 ? undefined : highByteTable(encoding);
  }

  /**
   * Told about each byte sequence that is not UTF-8 in a decoded value (it became U+FFFD): `at` is its index in the
   * bytes, `context` what the caller passed to {@link decode} (the line). Issue #8: such bytes are reported, never
   * replaced silently.
   */
  onInvalid: ((at: number, context: unknown) => void) | undefined;

  /** The text of `bytes[start…end)`; `context` is handed to {@link onInvalid}. */
  decode(bytes: FastSliceBuffer, start: number, end: number, context?: unknown): string {
    if (this.utf8) {
      const text = bytes.utf8Slice(start, end);
      if (this.onInvalid !== undefined && text.indexOf("\uFFFD") >= 0) this.reportInvalid(bytes, start, end, context);
      return text;
    }
    let i = start;
    while (i < end && bytes[i]! < 0x80) i++;
    if (i === end) return bytes.latin1Slice(start, end);
    const table = this.table!;
    const length = end - start;
    if (length > scratch.length) scratch = Buffer.alloc(Math.max(length, scratch.length * 2)) as FastSliceBuffer;
    const out = scratch;
    let o = 0;
    for (let k = start; k < i; k++, o++) out[o] = bytes[k]!;
    for (; i < end; i++, o++) {
      const b = bytes[i]!;
      if (b < 0x80) {
        out[o] = b;
        continue;
      }
      const code = table[b - 0x80]!;
      // A character outside Latin-1 (CP437 box drawing, €): let iconv-lite build the two-byte string.
      if (code > 0xff) return decodeBytes(bytes.subarray(start, end), this.encoding);
      out[o] = code;
    }
    return out.latin1Slice(0, length);
  }

  /** Finds the invalid UTF-8 sequences of `bytes[start…end)` (a real U+FFFD, EF BF BD, is valid) and reports them. */
  private reportInvalid(bytes: Uint8Array, start: number, end: number, context: unknown): void {
    for (let i = start; i < end;) {
      const b = bytes[i]!;
      const need =
        b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
      let valid = need >= 0 && i + need < end;
      for (let k = 1; valid && k <= need; k++) valid = (bytes[i + k]! & 0xc0) === 0x80;
      if (valid) {
        i += need + 1;
      } else {
        this.onInvalid!(i, context);
        i++;
      }
    }
  }

  /**
   * How many UTF-16 code units `bytes[start…end)` decode to (columns are counted that way, see SieLine). `end`
   * must stand next to an ASCII byte or the line end, as every position the tokenizer reports does.
   */
  units(bytes: FastSliceBuffer, start: number, end: number): number {
    if (!this.utf8) return end - start;
    let i = start;
    while (i < end && bytes[i]! < 0x80) i++;
    return i === end ? end - start : bytes.utf8Slice(start, end).length;
  }
}

const tables = new Map<string, Uint16Array>();

/** The UTF-16 codes iconv-lite gives bytes 0x80–0xFF in a single-byte code page. */
function highByteTable(encoding: string): Uint16Array {
  let table = tables.get(encoding);
  if (!table) {
    const high = Buffer.alloc(128);
    for (let b = 0; b < 128; b++) high[b] = 0x80 + b;
    const text = iconv.decode(high, encoding);
    table = new Uint16Array(128);
    for (let b = 0; b < 128; b++) table[b] = text.charCodeAt(b);
    tables.set(encoding, table);
  }
  return table;
}

const compatible = new Map<string, boolean>();

/**
 * Whether the SIE tokenizer can read bytes of `encoding` directly: UTF-8, or a single-byte code page that keeps
 * ASCII as ASCII and maps no byte ≥ 0x80 to an ASCII character. Other encodings (UTF-16, double-byte code pages
 * whose second bytes may look like `{` or `\`) are converted to UTF-8 first.
 */
export function isByteCompatible(encoding: string): boolean {
  if (encoding === "utf-8") return true;
  let ok = compatible.get(encoding);
  if (ok === undefined) {
    ok = false;
    try {
      const all = Buffer.alloc(256);
      for (let b = 0; b < 256; b++) all[b] = b;
      const text = iconv.decode(all, encoding);
      ok = text.length === 256;
      for (let b = 0; ok && b < 256; b++) {
        const c = text.charCodeAt(b);
        ok = b < 0x80 ? c === b : c >= 0x80 && (c < 0xd800 || c > 0xdfff);
      }
    } catch {
      ok = false;
    }
    compatible.set(encoding, ok);
  }
  return ok;
}
