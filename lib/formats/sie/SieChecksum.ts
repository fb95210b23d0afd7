import iconv from "iconv-lite";
import type { SieLine } from "./SieLineTokenizer.ts";

/** CRC-32 table for the reflected polynomial EDB88320 (SIE 4B §10.11). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Maps characters to the byte values of a single-byte code page (the inverse of decoding 0x80–0xFF). */
function singleByteEncoder(encoding: string): Map<number, number> {
  const bytes = Buffer.alloc(128);
  for (let i = 0; i < 128; i++) bytes[i] = 0x80 + i;
  const text = iconv.decode(bytes, encoding);
  const map = new Map<number, number>();
  for (let i = 0; i < text.length && i < 128; i++)
    if (!map.has(text.charCodeAt(i))) map.set(text.charCodeAt(i), 0x80 + i);
  return map;
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return true;
  return false;
}

const encoders = new Map<string, Map<number, number> | "utf-8">();

function encoderFor(encoding: string): Map<number, number> | "utf-8" {
  let encoder = encoders.get(encoding);
  if (!encoder) {
    encoder = encoding === "utf-8" ? "utf-8" : singleByteEncoder(encoding);
    encoders.set(encoding, encoder);
  }
  return encoder;
}

/** One running CRC-32 over the text of the records, encoded with one character encoding. */
class RunningCrc {
  constructor(
    private readonly encoder: Map<number, number> | "utf-8",
    private crc = 0xffffffff, // pre-conditioning, SIE 4B §10.12
  ) {}

  /** A CRC in another encoding that continues from this one's state (valid while all text so far was ASCII). */
  fork(encoder: Map<number, number> | "utf-8"): RunningCrc {
    return new RunningCrc(encoder, this.crc);
  }

  addText(text: string): void {
    let crc = this.crc;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        crc = CRC_TABLE[(crc ^ c) & 0xff]! ^ (crc >>> 8);
      } else if (this.encoder === "utf-8") {
        const isPair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length;
        for (const byte of Buffer.from(text.slice(i, isPair ? i + 2 : i + 1), "utf8")) {
          crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
        }
        if (isPair) i++;
      } else {
        const byte = this.encoder.get(c) ?? 0x3f; // a character the code page lacks counts as '?'
        crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
      }
    }
    this.crc = crc;
  }

  /** The checksum, post-conditioned (SIE 4B §10.13), as an unsigned 32-bit number. */
  value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}

/**
 * The #KSUMMA checksum of SIE 4B §10: CRC-32 (polynomial EDB88320, init FFFFFFFF, final inversion) over every
 * record between the opening `#KSUMMA` and the closing `#KSUMMA n`. Each record contributes its label and its
 * field values with no blanks between fields, no surrounding quotes and no braces (object-list items are
 * included); an escaped `\"` counts as `"` (§10.14). Brace lines around sub-records contribute nothing.
 *
 * §10.14 computes over the CP437 byte values. Files whose bytes are another encoding (UTF-8, Latin-1, CP865) are
 * common, and their writers are not known to convert back to CP437 first; so a second CRC over the bytes of the
 * encoding the file was actually read with is kept, and the file verifies if either matches. The two only differ
 * on non-ASCII characters.
 */
export class SieChecksum {
  private readonly cp437 = new RunningCrc(encoderFor("cp437"));
  private asRead: RunningCrc | undefined;
  private sawNonAscii = false;

  /**
   * `encodingRead` tells the encoding the text was decoded with (iconv-lite name). It is asked at the first
   * non-ASCII character: the decoding stage decides before it passes on any non-ASCII text, and until then every
   * candidate encoding gives the same bytes.
   */
  constructor(private readonly encodingRead: () => string) {}

  /** Adds one record (a `record` line; brace lines are not part of the checksum). */
  addRecord(line: SieLine): void {
    this.addText(line.label);
    for (const field of line.fields) {
      if (typeof field === "string") this.addText(field);
      else for (const item of field) this.addText(item);
    }
  }

  private addText(text: string): void {
    if (!this.sawNonAscii && hasNonAscii(text)) {
      this.sawNonAscii = true;
      const encoding = this.encodingRead();
      if (encoding !== "cp437") this.asRead = this.cp437.fork(encoderFor(encoding));
    }
    this.cp437.addText(text);
    this.asRead?.addText(text);
  }

  /** The checksum over CP437 bytes (the spec's definition). */
  value(): number {
    return this.cp437.value();
  }

  /** Whether `declared` (the `#KSUMMA n` value, unsigned or signed decimal) matches. */
  matches(declared: number): boolean {
    const unsigned = declared >>> 0;
    return unsigned === this.cp437.value() || (this.asRead !== undefined && unsigned === this.asRead.value());
  }
}
