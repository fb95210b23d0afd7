/**
 * A push-based, byte-level XML tokenizer, specialised for what SAF-T needs.
 *
 * Why not saxes (already a dependency)? saxes decodes every byte to a JS string and walks it character by
 * character: 103–129 MB/s here for tokenizing alone (≈ 80 MB/s reported elsewhere), before any record is built,
 * against a SAF-T import target of ≥ 120 MB/s on one core. This tokenizer works on the bytes instead: it finds markup
 * with `indexOf('<')` on the `Uint8Array`, interns element names (no string is created for a name it has seen
 * before), and decodes to a string only the text of elements the handler asks for. The measured figures (raw pass
 * ≈ 2× saxes, full SAF-T parse 150–166 MB/s on 576 MB / 1.05 M lines) are in the table in ./index.ts.
 *
 * Scope: XML 1.0 documents in an ASCII-compatible encoding (UTF-8, ISO-8859-1, windows-1252 and other single-byte
 * code pages iconv-lite knows). Elements, attributes, comments, processing instructions, CDATA sections, the five
 * predefined entities and numeric character references are handled. It checks well-formedness where it costs
 * little: tag nesting, one root element, name syntax, attribute syntax, forbidden control characters, text outside
 * the root. Namespaces are not resolved: the handler gets the qualified name split into prefix and local name, and
 * the attributes (with any `xmlns` declarations) of each element that has them.
 *
 * Security (XXE, entity expansion): entities are never declared, loaded or expanded. A DOCTYPE with an internal
 * subset (`<!DOCTYPE x [ … ]>`, where entity declarations live) is refused with {@link UnsafeXmlError}, and so is any
 * reference to an entity other than the five predefined ones. A plain `<!DOCTYPE AuditFile>` (with or without an
 * external identifier) is tolerated and reported to the handler; the external DTD is never fetched.
 *
 * Streaming: `write()` takes chunks as they come and carries only the unfinished tail into the next call, so memory
 * stays flat and every token costs time linear in its length, however long and however chunked (issue #8):
 * - text is handed on (or, when nobody keeps it, only checked) as it arrives; only a reference or a UTF-8 character
 *   cut at the chunk's end waits for the next chunk;
 * - comments, CDATA sections and processing instructions are skipped (CDATA kept) as they stream, whatever their
 *   length;
 * - a tag (with its attributes), a DOCTYPE or the XML declaration is held until it is complete, at most
 *   {@link XmlTokenizerOptions.maxTagBytes}; while a long one is incomplete, input is gathered until it has doubled
 *   before the tag is looked at again, so the re-scans add up to a constant factor;
 * - a kept value is cut at {@link XmlTokenizerOptions.maxValueLength} characters and the handler told
 *   ({@link XmlHandler.valueTooLong}). The events, and every line:column reported, are the
 * same however the input is chunked: lines are counted over every byte (LF, CRLF and bare CR each end one line) and
 * columns count characters (UTF-8 continuation bytes are skipped).
 */
import type { SourceLocation } from "../../ledger/types.ts";
import { MalformedInputError, TruncatedInputError, UnsafeXmlError, UnsupportedFormatError } from "../errors.ts";
import { decodeBytes, looksLikeUtf8, normalizeEncodingName } from "../shared/decoding.ts";

/** An interned element name: the same object is handed out every time the same bytes are seen. */
export interface XmlName {
  /** The name as written, e.g. `n1:Account`. */
  readonly qualified: string;
  /** The part after the colon (the whole name when there is no prefix), e.g. `Account`. */
  readonly local: string;
  /** The prefix before the colon, or `""`. */
  readonly prefix: string;
  /** The handler's own code for the local name, from {@link XmlTokenizerOptions.classify} (0 when not given). */
  readonly code: number;
}

/** One attribute of a start tag, value with references resolved. */
export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
}

/** Receives the tokenizer's events, in document order. */
export interface XmlHandler {
  /**
   * An element starts. Returns `true` to receive the element's text (decoded, references resolved, CDATA included)
   * with its end event; text is only collected for leaf elements (a child element cancels it).
   * `attributes` is `undefined` when the tag has none.
   */
  startElement(name: XmlName, attributes: readonly XmlAttribute[] | undefined): boolean;
  /** An element ends. `text` is its text when {@link startElement} asked for it, else `undefined`. */
  endElement(name: XmlName, text: string | undefined): void;
  /** A `<!DOCTYPE …>` without internal subset was seen (and ignored). */
  doctype?(location: SourceLocation): void;
  /**
   * The text of the element about to end (as asked for by {@link startElement}) was longer than
   * {@link XmlTokenizerOptions.maxValueLength} characters: {@link endElement} gets its first `maxValueLength`
   * characters. `bytes` is the length of the whole text in the file.
   */
  valueTooLong?(name: XmlName, location: SourceLocation, bytes: number): void;
  /**
   * Bytes that are not UTF-8 in a UTF-8 document were read as U+FFFD in a value (called for the first
   * {@link MAX_INVALID_BYTES_REPORTED}; {@link XmlTokenizer.invalidByteSequences} counts them all).
   */
  invalidBytes?(location: SourceLocation): void;
  /**
   * The bytes contradict the declared encoding (UTF-8 bytes under `encoding="ISO-8859-1"`, or Latin-1 bytes in a
   * document that is UTF-8 by declaration or default): the document is read in `used` from here on.
   */
  encodingCorrected?(declared: string, used: string, location: SourceLocation): void;
}

/** Invalid byte sequences reported one by one; the rest are only counted. */
export const MAX_INVALID_BYTES_REPORTED = 5;

export interface XmlTokenizerOptions {
  /** File name for error messages. */
  fileName?: string;
  /** Encoding to use whatever the XML declaration says. */
  encoding?: string;
  /** Maps a local element name to a small integer the handler switches on (stored in {@link XmlName.code}). */
  classify?: (localName: string) => number;
  /** Longest tag (with its attributes), DOCTYPE or XML declaration, in bytes (default {@link DEFAULT_MAX_TAG_BYTES}). */
  maxTagBytes?: number;
  /** Longest text handed to the handler, in characters (default {@link DEFAULT_MAX_VALUE_LENGTH}); see {@link XmlHandler.valueTooLong}. */
  maxValueLength?: number;
}

/**
 * Longest tag held while waiting for its end: far beyond any real SAF-T tag (the longest is the root element with its
 * namespace declarations, well under 1 KiB), small enough that a hostile file cannot make the tokenizer hold much.
 */
export const DEFAULT_MAX_TAG_BYTES = 1024 * 1024;

/**
 * Longest value kept: SAF-T's longest text type is SAFlongtextType (256 characters); 64 Ki characters leaves room
 * for files that overstep it while bounding what one element can make the parser hold.
 */
export const DEFAULT_MAX_VALUE_LENGTH = 64 * 1024;

/** Sections whose content streams through (their end may be many chunks away); see {@link XmlTokenizer.write}. */
const enum Section {
  None,
  Comment,
  Cdata,
  ProcessingInstruction,
}

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const COLON = 0x3a;
const SEMICOLON = 0x3b;

/** 2: may start a name, 1: may continue a name, 0: neither (XML 1.0 §2.3, ASCII part; every byte ≥ 0x80 is allowed). */
const NAME_CHAR = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const start = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === COLON || b >= 0x80;
  const rest = (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e;
  NAME_CHAR[b] = start ? 2 : rest ? 1 : 0;
}

/** What the text scan in `run` must notice about a byte (see {@link TextByte}); 0 for every other byte. */
const enum TextByte {
  Plain,
  LessThan,
  Ampersand,
  /** A line break or a control character (tab is plain). */
  Control,
  /** 0x80–0xBF: a UTF-8 continuation byte, which columns do not count. */
  Continuation,
}
const TEXT_BYTE = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) if (b !== 0x09) TEXT_BYTE[b] = TextByte.Control;
for (let b = 0x80; b < 0xc0; b++) TEXT_BYTE[b] = TextByte.Continuation;
TEXT_BYTE[0x3c] = TextByte.LessThan;
TEXT_BYTE[0x26] = TextByte.Ampersand;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d;
}

const COMMENT_END = Buffer.from("-->");
const CDATA_END = Buffer.from("]]>");
const PI_END = Buffer.from("?>");
const CDATA_START = Buffer.from("<![CDATA[");
const DOCTYPE_START = Buffer.from("<!DOCTYPE");
const COMMENT_START = Buffer.from("<!--");

/** Node's Buffer has these (undocumented but stable since v0.x); they skip `toString`'s argument handling. */
interface FastSliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Typed for indexed bytes (`b[a + k]` is in range wherever it is called). */
const fromCharCode = String.fromCharCode as (...codes: (number | undefined)[]) => string;

/**
 * The bytes `b[a, z)` as Latin-1 characters (ASCII values, or text folded to Latin-1 by `shortLatin1`). Up to 16
 * bytes (amounts, ids, dates) the string is made by `String.fromCharCode` with the bytes as arguments, which V8 builds
 * in generated code; `latin1Slice`, for longer ones, is a call into Node's C++ side (about 25 against 55 ns for an
 * amount, measured; up to 32 arguments measured slower).
 */
// prettier-ignore
function latin1String(b: FastSliceBuffer, a: number, z: number): string {
  switch (z - a) {
    case 1: return fromCharCode(b[a]);
    case 2: return fromCharCode(b[a], b[a + 1]);
    case 3: return fromCharCode(b[a], b[a + 1], b[a + 2]);
    case 4: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3]);
    case 5: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4]);
    case 6: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5]);
    case 7: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6]);
    case 8: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7]);
    case 9: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7], b[a + 8]);
    case 10: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7], b[a + 8], b[a + 9]);
    case 11: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7], b[a + 8], b[a + 9], b[a + 10]);
    case 12: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7], b[a + 8], b[a + 9], b[a + 10], b[a + 11]);
    case 13: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7], b[a + 8], b[a + 9], b[a + 10], b[a + 11], b[a + 12]);
    case 14: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7], b[a + 8], b[a + 9], b[a + 10], b[a + 11], b[a + 12], b[a + 13]);
    case 15: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7], b[a + 8], b[a + 9], b[a + 10], b[a + 11], b[a + 12], b[a + 13], b[a + 14]);
    case 16: return fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7], b[a + 8], b[a + 9], b[a + 10], b[a + 11], b[a + 12], b[a + 13], b[a + 14], b[a + 15]);
    default: return b.latin1Slice(a, z);
  }
}

/**
 * Where the text `buf[from, to)` can be cut without splitting a UTF-8 character: `to`, or the start of a multi-byte
 * sequence that `to` cuts off.
 */
function utf8CharacterBoundary(buf: Uint8Array, from: number, to: number): number {
  let lead = to - 1;
  while (lead >= from && lead > to - 4 && (buf[lead]! & 0xc0) === 0x80) lead--;
  if (lead < from) return to;
  const b = buf[lead]!;
  const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return lead + size > to ? lead : to;
}

/** Length of the valid UTF-8 sequence at `buf[at]` (1 for ASCII), or 0 when the bytes there are not UTF-8. */
function utf8SequenceLength(buf: Uint8Array, at: number, to: number): number {
  const b = buf[at]!;
  if (b < 0x80) return 1;
  const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
  if (need < 0 || at + need >= to) return 0;
  for (let k = 1; k <= need; k++) if ((buf[at + k]! & 0xc0) !== 0x80) return 0;
  return need + 1;
}

/** Whether the bytes from `at` are the start of a UTF-8 sequence that the end of `bytes` cuts off. */
function cutOff(bytes: Uint8Array, at: number): boolean {
  const b = bytes[at]!;
  const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
  if (need < 0 || at + need < bytes.length) return false;
  for (let k = at + 1; k < bytes.length; k++) if ((bytes[k]! & 0xc0) !== 0x80) return false;
  return true;
}

/**
 * Whether bytes read as UTF-8 are rather Latin-1: invalid sequences and not one valid multi-byte sequence (a UTF-8
 * file with a few damaged bytes still has valid ones).
 */
function utf8Evidence(window: Uint8Array): "utf-8" | "latin" {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < window.length;) {
    if (window[i]! < 0x80) {
      i++;
      continue;
    }
    const size = utf8SequenceLength(window, i, window.length);
    if (size > 0) {
      valid++;
      i += size;
    } else {
      // A sequence cut off by the window's end is no evidence either way.
      if (cutOff(window, i)) break;
      invalid++;
      i++;
    }
  }
  return invalid > 0 && valid === 0 ? "latin" : "utf-8";
}

/** Returned by token handlers when the token is not complete in the buffer yet. */
const INCOMPLETE = -1;

interface InternedName extends XmlName {
  readonly bytes: Uint8Array;
  /** UTF-8 continuation bytes in {@link bytes} (columns count characters; see `skipTag`). */
  readonly continuationBytes: number;
  next: InternedName | undefined;
  /** Kept in the table (see MAX_INTERNED_NAMES): only such names take part in the predictions below. */
  readonly interned: boolean;
  /** The element that started right after this one's start tag last time (its first child). */
  firstChild: InternedName | undefined;
  /** The element that started right after this one ended last time (its next sibling). */
  following: InternedName | undefined;
  /** The elements that did before {@link following} (see `startTag`). */
  following2: InternedName | undefined;
  following3: InternedName | undefined;
  /** The one that did before {@link firstChild}. */
  firstChild2: InternedName | undefined;
}

/** How much of a new chunk is copied behind the previous chunk's unfinished tail (see `write`). */
const STITCH_BYTES = 512;

/**
 * Values up to this many bytes are short: ASCII ones come from the value cache (`cachedAscii`), Latin-1 ones are
 * folded in the scratch buffer of this size (`shortLatin1`), and the main loop keeps them without the text path.
 */
const SHORT_VALUE_BYTES = 32;

/** Slots of the value cache of short ASCII values (a power of two; see `cachedAscii`). */
const VALUE_CACHE_SLOTS = 4096;

/** More distinct names than this are not interned (random-name inputs must not grow memory). */
const MAX_INTERNED_NAMES = 4096;

/** Encodings the tokenizer cannot read byte-wise (markup would not be ASCII). */
const NOT_ASCII_COMPATIBLE = /^(utf-?16|utf-?32|ucs-?2|ucs-?4|utf-?7|cp037|cp500|ibm037|ebcdic)/;

/**
 * The tokenizer. Create one per document, `write()` each chunk, then `end()`. Errors are thrown as
 * {@link MalformedInputError}, {@link TruncatedInputError}, {@link UnsafeXmlError} or {@link UnsupportedFormatError}
 * with line and column.
 */
export class XmlTokenizer {
  /** The encoding text is decoded with (iconv-lite name), decided by the BOM, the XML declaration or the override. */
  encoding = "utf-8";
  /** The encoding named in the XML declaration, if any. */
  declaredEncoding: string | undefined;
  /** Whether the input started with a UTF-8 byte-order mark. */
  hadByteOrderMark = false;
  /** Whether an encoding override was given and used. */
  readonly encodingOverridden: boolean;

  private readonly handler: XmlHandler;
  private readonly fileName: string | undefined;
  private readonly classify: ((localName: string) => number) | undefined;

  private buf: Buffer = Buffer.alloc(0);
  /** Absolute offset of `buf[0]`. */
  private base = 0;
  private tail: Buffer | undefined;
  /** Chunks gathered behind a long unfinished tag until there are `retryAfter` bytes of them (see `write`). */
  private waiting: Buffer[] | undefined;
  private waitingBytes = 0;
  private retryAfter = 0;
  /** The section being streamed through, and whether the current one is kept (CDATA in a captured element). */
  private section: Section = Section.None;
  private readonly maxTagBytes: number;
  /** Longest text handed to the handler, in characters (see {@link XmlHandler.valueTooLong}). */
  readonly maxValueLength: number;
  /** Bytes copied to carry unfinished tokens from chunk to chunk (a deterministic measure of the work, for tests). */
  carriedBytes = 0;
  /** Byte sequences that were not valid UTF-8 in the values read (each became U+FFFD). */
  invalidByteSequences = 0;
  /** Whether the first kept value with a byte ≥ 0x80 has been checked against the encoding (see `checkEncoding`). */
  private encodingChecked = false;
  private started = false;
  private finished = false;
  private utf8 = true;

  // Line counting: every byte up to `counted` (absolute) has been counted.
  private counted = 0;
  private line = 1;
  private lineStart = 0;
  /** UTF-8 continuation bytes between `lineStart` and `counted` (columns count characters). */
  private continuation = 0;
  private crAt = -2;

  /** Next `&` at or after the last search, relative to `buf`; -1 unknown. */
  private ampAt = -1;

  private readonly stack: InternedName[] = [];
  private rootSeen = false;
  private rootClosed = false;
  private markupSeen = false;

  private capturing = false;
  private captureDepth = 0;
  private captured = "";
  /** Bytes of the text being collected, including any beyond the kept length. */
  private capturedBytes = 0;
  private captureTruncated = false;
  private captureLine = 0;
  private captureColumn = 0;
  private captureOffset = 0;

  /** Line of the current token (see {@link location}); plain fields so handlers can copy them without allocating. */
  tokenLine = 1;
  /** Column of the current token. */
  tokenColumn = 1;
  /** Absolute byte offset of the current token. */
  tokenOffset = 0;

  private readonly names = new Map<number, InternedName>();
  /** The element whose end tag was the last tag read, if it was an end tag (see `startTag`). */
  private justClosed: InternedName | undefined;
  /** Short ASCII values by hash (see {@link cachedAscii}); `""` marks an empty slot (a length never matched). */
  private readonly valueCache: string[] = new Array<string>(VALUE_CACHE_SLOTS).fill("");
  /** The hash of each slot's value (0, the hash of `""`, for an empty slot). */
  private readonly valueHashes = new Int32Array(VALUE_CACHE_SLOTS);
  /** Where {@link shortLatin1} folds a short value to Latin-1 bytes. */
  private readonly scratch = Buffer.alloc(SHORT_VALUE_BYTES) as FastSliceBuffer;
  /** The text `[hashedFrom, hashedTo)` (absolute offsets) was found plain ASCII, with this hash, by the scan in `run`. */
  private hashedFrom = -1;
  private hashedTo = -1;
  private hashedValue = 0;
  private internedCount = 0;
  private nameEnd = 0;
  private nameHash = 0;

  constructor(handler: XmlHandler, options: XmlTokenizerOptions = {}) {
    this.handler = handler;
    this.fileName = options.fileName;
    this.classify = options.classify;
    this.maxTagBytes = options.maxTagBytes ?? DEFAULT_MAX_TAG_BYTES;
    this.maxValueLength = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
    this.encodingOverridden = options.encoding !== undefined;
    if (options.encoding !== undefined) this.setEncoding(options.encoding, "override");
  }

  /** Depth of the element stack (0 outside the root element). */
  get depth(): number {
    return this.stack.length;
  }

  /** Where the current token (the tag being reported) starts. */
  location(): SourceLocation {
    return { line: this.tokenLine, column: this.tokenColumn, offset: this.tokenOffset };
  }

  /** Where the start tag of the element whose text is being collected starts. */
  textLocation(): SourceLocation {
    return { line: this.captureLine, column: this.captureColumn, offset: this.captureOffset };
  }

  /** Feeds the next chunk. Handler events for every complete token in it are delivered before it returns. */
  write(chunk: Uint8Array): void {
    if (this.finished) throw new Error("XmlTokenizer: write() after end()");
    if (chunk.length === 0) return;
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.waiting) {
      // A long tag is unfinished: looking at it again after every small chunk would cost its length each time.
      this.waiting.push(Buffer.from(bytes));
      this.waitingBytes += bytes.length;
      this.carriedBytes += bytes.length;
      if (this.waitingBytes < this.retryAfter) return;
      bytes = Buffer.concat(this.waiting);
      this.carriedBytes += bytes.length;
      this.waiting = undefined;
      this.waitingBytes = 0;
    }
    const tail = this.tail;
    this.tail = undefined;
    if (tail && this.started && bytes.length > 2 * STITCH_BYTES) {
      // Finish the token cut at the previous chunk's end on a small stitched buffer instead of copying the whole
      // chunk behind the tail; then carry on inside the chunk itself.
      this.buf = Buffer.concat([tail, bytes.subarray(0, STITCH_BYTES)]);
      this.carriedBytes += this.buf.length;
      this.ampAt = -1;
      const pos = this.run(0);
      this.advance(pos);
      if (pos >= tail.length) {
        this.buf = bytes.subarray(pos - tail.length);
      } else {
        this.buf = Buffer.concat([this.buf.subarray(pos, tail.length), bytes]);
        this.carriedBytes += this.buf.length;
      }
      this.base += pos;
      this.process();
      return;
    }
    if (tail) this.carriedBytes += tail.length + bytes.length;
    this.buf = tail ? Buffer.concat([tail, bytes]) : bytes;
    if (!this.started && this.buf.length < 4) {
      this.tail = Buffer.from(this.buf);
      return;
    }
    this.process();
  }

  /** Ends the input: throws {@link TruncatedInputError} when elements are still open or a token is cut off. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.started) {
      this.buf = this.tail ?? Buffer.alloc(0);
      this.tail = undefined;
      if (this.buf.length === 0) {
        throw new TruncatedInputError("the input is empty", {
          fileName: this.fileName,
          location: { line: 1, column: 1, offset: 0 },
          expected: "an XML document",
        });
      }
      this.process();
    }
    if (this.waiting) {
      // Input gathered behind a long tag: it may complete the tag and more.
      this.buf = Buffer.concat([this.tail ?? Buffer.alloc(0), ...this.waiting]);
      this.tail = undefined;
      this.waiting = undefined;
      this.process();
      this.waiting = undefined;
    }
    const rest = this.tail ?? Buffer.alloc(0);
    this.tail = undefined;
    this.buf = rest;
    this.ampAt = -1;
    if (this.section !== Section.None) {
      const what =
        this.section === Section.Comment
          ? "a comment"
          : this.section === Section.Cdata
            ? "a CDATA section"
            : "a processing instruction";
      throw new TruncatedInputError(`the input ends inside ${what}`, {
        fileName: this.fileName,
        location: this.here(rest.length),
        expected: this.section === Section.Comment ? "'-->'" : this.section === Section.Cdata ? "']]>'" : "'?>'",
      });
    }
    const lt = rest.indexOf(LT);
    const textEnd = lt < 0 ? rest.length : lt;
    if (textEnd > 0) this.text(0, textEnd);
    const location = this.here(rest.length);
    if (this.stack.length > 0) {
      const open = this.stack[this.stack.length - 1]!;
      throw new TruncatedInputError(
        `the input ends inside <${open.qualified}> (${this.stack.length} element(s) still open)`,
        {
          fileName: this.fileName,
          location,
          expected: `</${open.qualified}>`,
        },
      );
    }
    if (lt >= 0) {
      throw new TruncatedInputError("the input ends inside a tag, comment or processing instruction", {
        fileName: this.fileName,
        location,
        expected: "'>'",
      });
    }
    if (!this.rootSeen) {
      throw new TruncatedInputError("the input has no root element", {
        fileName: this.fileName,
        location,
        expected: "a root element",
      });
    }
  }

  private process(): void {
    this.ampAt = -1;
    let pos = this.started ? 0 : this.start();
    pos = this.run(pos);
    this.keepTail(pos);
  }

  // ---- start of document: byte-order mark, encoding families --------------------------------------------------

  private start(): number {
    this.started = true;
    const b = this.buf;
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      this.hadByteOrderMark = true;
      if (!this.encodingOverridden) this.setEncoding("utf-8", "bom");
      this.counted = 3;
      this.lineStart = 3;
      return 3;
    }
    if (
      (b[0] === 0xff && b[1] === 0xfe) ||
      (b[0] === 0xfe && b[1] === 0xff) ||
      (b[0] === 0x3c && b[1] === 0x00) ||
      (b[0] === 0x00 && b[1] === 0x3c)
    ) {
      throw new UnsupportedFormatError("the XML is encoded in UTF-16; convert it to UTF-8 (SAF-T files are UTF-8)", {
        fileName: this.fileName,
        location: { line: 1, column: 1, offset: 0 },
        expected: "UTF-8 or an 8-bit encoding",
      });
    }
    return 0;
  }

  private setEncoding(name: string, from: "override" | "declaration" | "bom" | "bytes"): void {
    let normalized: string;
    try {
      normalized = normalizeEncodingName(name);
    } catch (error) {
      throw new UnsupportedFormatError(`unknown character encoding "${name}" (${from})`, {
        fileName: this.fileName,
        cause: error,
        expected: "UTF-8, ISO-8859-1 or windows-1252",
      });
    }
    if (NOT_ASCII_COMPATIBLE.test(normalized)) {
      throw new UnsupportedFormatError(`the encoding "${name}" (${from}) is not supported; convert the file to UTF-8`, {
        fileName: this.fileName,
        expected: "UTF-8, ISO-8859-1 or windows-1252",
      });
    }
    if (normalized === "latin1" || normalized === "iso88591") normalized = "iso-8859-1";
    this.encoding = normalized;
    this.utf8 = normalized === "utf-8" || normalized === "utf8";
  }

  // ---- main loop ------------------------------------------------------------------------------------------------

  /** Processes complete tokens from `pos`; returns where the unfinished tail starts. */
  private run(pos: number): number {
    const buf = this.buf;
    const length = buf.length;
    if (this.section !== Section.None) {
      pos = this.continueSection(pos);
      if (this.inSection()) return pos;
    }
    const base = this.base;
    while (pos < length) {
      // One pass over the text up to the next '<' finds it and counts lines and columns (what `advance` does), so
      // short texts cost no call into Node's C++ side (`indexOf`) and no second walk. The count is committed after
      // `text()`, whose errors locate themselves by counting from where the count stood; a control character, the
      // end of the buffer or an encoding decided inside the text take the general path instead.
      if (this.counted < base + pos) this.advance(pos);
      let line = this.line;
      let lineStart = this.lineStart;
      let continuation = this.continuation;
      let crAt = this.crAt;
      const utf8 = this.utf8;
      let amp = -1;
      let lt = pos;
      let kept = false;
      if (this.capturing && utf8) {
        // A kept value (an id, amount, date) is mostly plain ASCII up to its end tag: hash it on the way for the
        // value cache (see `decodeRaw`). Anything else in it (a line break, '&', a continuation byte) leaves the
        // rest to the general loop below and the hashing to `decodeRaw`.
        let hash = 0;
        let high = 0;
        for (; lt < length; lt++) {
          const b = buf[lt]!;
          if (TEXT_BYTE[b] !== TextByte.Plain) break;
          hash = (Math.imul(hash, 31) + b) | 0;
          high |= b;
        }
        if (lt < length && buf[lt] === LT && high < 0x80) {
          const size = lt - pos;
          if (size > 0 && size <= SHORT_VALUE_BYTES && this.capturedBytes === 0 && size <= this.maxValueLength) {
            // The usual kept value: short plain ASCII, whole in this buffer, the element's only text. It is the
            // value (what `keep` would make of it, without the calls): nothing in it to count but its bytes, no
            // reference, no character the encoding check looks at, nothing to cut.
            this.capturedBytes = size;
            this.captured = this.cachedAscii(pos, lt, hash);
            this.ampAt = lt;
            kept = true;
          } else {
            this.hashedFrom = base + pos;
            this.hashedTo = base + lt;
            this.hashedValue = hash;
          }
        }
      }
      if (!kept) {
        for (; lt < length; lt++) {
          const b = buf[lt]!;
          const kind = TEXT_BYTE[b]!;
          if (kind === TextByte.Plain) continue;
          if (kind === TextByte.LessThan) break;
          if (kind === TextByte.Continuation) {
            if (utf8) continuation++;
          } else if (kind === TextByte.Ampersand) {
            if (amp < 0) amp = lt;
          } else if (b === 0x0a) {
            if (crAt !== base + lt - 1) line++;
            lineStart = base + lt + 1;
            continuation = 0;
            // Indentation: spaces after a line break, the bulk of the text between tags in a pretty-printed file
            // (about 40% of the bytes of a verbose SAF-T file), four at a time while they last.
            let blank = lt + 1;
            while (
              blank + 4 <= length &&
              buf[blank] === 0x20 &&
              buf[blank + 1] === 0x20 &&
              buf[blank + 2] === 0x20 &&
              buf[blank + 3] === 0x20
            )
              blank += 4;
            while (blank < length && buf[blank] === 0x20) blank++;
            lt = blank - 1;
          } else if (b === 0x0d) {
            line++;
            crAt = base + lt;
            lineStart = base + lt + 1;
            continuation = 0;
          } else {
            lt = buf.indexOf(LT, lt);
            if (lt < 0) lt = length;
            amp = -2; // not counted, and '&' not looked for: the general path below
            break;
          }
        }
        if (lt >= length) return this.partialText(pos); // text continues in the next chunk
        if (lt > pos) {
          // The scan saw the first '&' of the text, if any: the next reference to check (`ampAt` is a cache of it;
          // when there is none, the text's end, which no later text reaches back to).
          if (amp !== -2) this.ampAt = amp >= 0 ? amp : lt;
          // Text without a reference inside an element nobody keeps (the usual indentation) needs nothing more.
          if (amp !== -1 || this.capturing || this.stack.length === 0) this.text(pos, lt);
        }
      }
      pos = lt;
      if (amp !== -2 && this.utf8 === utf8) {
        this.counted = base + lt;
        this.line = line;
        this.lineStart = lineStart;
        this.continuation = continuation;
        this.crAt = crAt;
      } else this.advance(lt);
      if (lt + 1 >= length) return lt;
      this.tokenOffset = this.base + lt;
      this.tokenLine = this.line;
      this.tokenColumn = this.tokenOffset - this.lineStart - this.continuation + 1;
      const next = buf[lt + 1]!;
      let end: number;
      if (next === SLASH) end = this.endTag(lt);
      else if (next === QUESTION || next === BANG) {
        end = next === QUESTION ? this.processingInstruction(lt) : this.markupDeclaration(lt);
        if (this.inSection()) {
          this.markupSeen = true;
          return end; // a comment, CDATA section or processing instruction continues in the next chunk
        }
      } else end = this.startTag(lt);
      if (end === INCOMPLETE) return lt;
      this.markupSeen = true;
      pos = end;
    }
    return pos;
  }

  /** Whether a comment, CDATA section or processing instruction is open (a method: its state changes in calls). */
  private inSection(): boolean {
    return this.section !== Section.None;
  }

  /**
   * Text from `from` to the end of the buffer, with no markup after it: handled now, except a reference or (in kept
   * text) a UTF-8 character cut at the buffer's end, which waits for the next chunk. Returns where the wait starts.
   */
  private partialText(from: number): number {
    const buf = this.buf;
    let to = buf.length;
    // A reference is at most 40 bytes (see reference()); one cut off has an '&' and no ';' after it.
    const stop = Math.max(from, to - 41);
    for (let i = to - 1; i >= stop; i--) {
      const b = buf[i]!;
      if (b === SEMICOLON) break;
      if (b === AMP) {
        to = i;
        break;
      }
    }
    if (this.capturing && this.utf8) to = utf8CharacterBoundary(buf, from, to);
    if (to > from) this.text(from, to);
    return to;
  }

  /** Streams through the open comment, CDATA section or processing instruction from `pos`; returns where it stopped. */
  private continueSection(pos: number): number {
    const buf = this.buf;
    const section = this.section;
    const terminator = section === Section.Comment ? COMMENT_END : section === Section.Cdata ? CDATA_END : PI_END;
    const close = buf.indexOf(terminator, pos);
    if (close >= 0) {
      if (section === Section.Cdata && this.capturing) this.keep(pos, close, false);
      this.section = Section.None;
      return close + terminator.length;
    }
    // Hold back what could be the start of the terminator.
    let to = Math.max(pos, buf.length - (terminator.length - 1));
    if (section === Section.Cdata && this.capturing) {
      if (this.utf8) to = utf8CharacterBoundary(buf, pos, to);
      this.keep(pos, to, false);
    }
    return to;
  }

  /**
   * Refuses a tag (start or end tag, DOCTYPE, XML declaration) from `lt` to `end` longer than the limit: whether it
   * came in one chunk or was held across many, so the outcome does not depend on chunking.
   */
  private checkTagLength(lt: number, end: number): void {
    if (end - lt > this.maxTagBytes) {
      throw this.malformed(
        "XML_TAG_TOO_LONG",
        `a tag longer than ${this.maxTagBytes} bytes (the file is not SAF-T, or damaged)`,
        lt,
        "'>' within the tag length limit",
      );
    }
  }

  /** Keeps `buf[pos…]` (copied, so the caller's chunk is not retained) for the next write. */
  private keepTail(pos: number): void {
    const rest = this.buf.length - pos;
    this.checkTagLength(pos, this.buf.length);
    this.advance(pos);
    this.base += pos;
    this.tail = rest > 0 ? Buffer.from(this.buf.subarray(pos)) : undefined;
    this.carriedBytes += rest;
    if (rest > STITCH_BYTES) {
      this.waiting = [];
      this.waitingBytes = 0;
      this.retryAfter = rest;
    }
    this.buf = Buffer.alloc(0);
  }

  /** Counts lines and checks for forbidden control characters up to `to` (relative to `buf`). */
  private advance(to: number): void {
    const buf = this.buf;
    const base = this.base;
    let i = this.counted - base;
    if (i >= to) return;
    let line = this.line;
    let lineStart = this.lineStart;
    let continuation = this.continuation;
    let crAt = this.crAt;
    const utf8 = this.utf8;
    for (; i < to; i++) {
      const b = buf[i]!;
      if (b < 0x20) {
        if (b === 0x0a) {
          if (crAt !== base + i - 1) line++;
          lineStart = base + i + 1;
          continuation = 0;
        } else if (b === 0x0d) {
          line++;
          crAt = base + i;
          lineStart = base + i + 1;
          continuation = 0;
        } else if (b !== 0x09) {
          this.counted = base + i;
          this.line = line;
          this.lineStart = lineStart;
          this.continuation = continuation;
          this.crAt = crAt;
          throw new MalformedInputError(
            "XML_INVALID_CHARACTER",
            `control character 0x${b.toString(16).padStart(2, "0")} is not allowed in XML (binary data?)`,
            {
              fileName: this.fileName,
              location: this.here(i),
              expected: "text or markup",
            },
          );
        }
      } else if (b >= 0x80 && b < 0xc0 && utf8) continuation++;
    }
    this.counted = base + to;
    this.line = line;
    this.lineStart = lineStart;
    this.continuation = continuation;
    this.crAt = crAt;
  }

  /**
   * Counts a tag `buf[lt, end)` that holds nothing but its name and `<`, `/`, `>` (no line break, no control
   * character) without walking it: what `advance` would find there is the name's continuation bytes.
   */
  private skipTag(lt: number, end: number, name: InternedName): void {
    if (this.counted !== this.base + lt) return;
    this.counted = this.base + end;
    if (this.utf8) this.continuation += name.continuationBytes;
  }

  /** Location of `buf[at]`; counts up to it first. */
  private here(at: number): SourceLocation {
    this.advance(at);
    const offset = this.base + at;
    return { line: this.line, column: offset - this.lineStart - this.continuation + 1, offset };
  }

  private malformed(code: string, detail: string, at: number, expected?: string): MalformedInputError {
    return new MalformedInputError(code, detail, {
      fileName: this.fileName,
      location: this.here(at),
      ...(expected ? { expected } : {}),
    });
  }

  private notXml(at: number): never {
    throw new UnsupportedFormatError("the input is not XML (it does not start with '<')", {
      fileName: this.fileName,
      location: this.here(at),
      expected: "an XML document",
    });
  }

  // ---- text -----------------------------------------------------------------------------------------------------

  private text(from: number, to: number): void {
    if (this.stack.length === 0) {
      const buf = this.buf;
      for (let i = from; i < to; i++) {
        if (!isSpace(buf[i]!)) {
          if (!this.markupSeen) this.notXml(i);
          throw this.malformed(
            "XML_TEXT_OUTSIDE_ROOT",
            this.rootClosed ? "text after the root element" : "text before the root element",
            i,
            "markup",
          );
        }
      }
      return;
    }
    if (this.capturing) {
      this.keep(from, to, true);
      return;
    }
    this.checkReferences(from, to);
  }

  /** Text nobody keeps: only its references must be checked (an undeclared entity is refused even when unused). */
  private checkReferences(from: number, to: number): void {
    if (this.ampAt < from) this.ampAt = this.findAmp(from);
    while (this.ampAt < to) {
      this.reference(this.ampAt, to);
      this.ampAt = this.findAmp(this.ampAt + 1);
    }
  }

  /** Adds `buf[from, to)` to the text being collected, up to {@link maxValueLength} characters. */
  private keep(from: number, to: number, references: boolean): void {
    this.capturedBytes += to - from;
    if (this.captured.length >= this.maxValueLength) {
      if (to > from) this.captureTruncated = true;
      if (references) this.checkReferences(from, to);
      return;
    }
    if (!this.encodingChecked) this.checkEncoding(from, to);
    this.captured += references ? this.decodeText(from, to) : this.decodeRaw(from, to);
    if (this.captured.length > this.maxValueLength) {
      this.captured = this.captured.slice(0, this.maxValueLength);
      this.captureTruncated = true;
    }
  }

  private findAmp(from: number): number {
    const at = this.buf.indexOf(AMP, from);
    return at < 0 ? this.buf.length : at;
  }

  private decodeRaw(from: number, to: number): string {
    const buf = this.buf as FastSliceBuffer;
    if (this.utf8) {
      // Short ASCII strings (ids, amounts, dates) are the common case: a one-byte string is cheaper to make, and
      // most of them recur (accounts, dates, descriptions, record numbers), so they come from the value cache.
      if (to - from <= SHORT_VALUE_BYTES) {
        if (this.base + from === this.hashedFrom && this.base + to === this.hashedTo)
          return this.cachedAscii(from, to, this.hashedValue);
        let ascii = true;
        let hash = 0;
        for (let i = from; i < to; i++) {
          const b = buf[i]!;
          if (b >= 0x80) {
            ascii = false;
            break;
          }
          hash = (Math.imul(hash, 31) + b) | 0;
        }
        if (ascii) return this.cachedAscii(from, to, hash);
        const latin = this.shortLatin1(from, to);
        if (latin !== undefined) return latin;
      }
      const text = buf.utf8Slice(from, to);
      if (text.indexOf("\uFFFD") >= 0) this.reportInvalidUtf8(from, to);
      return text;
    }
    if (this.encoding === "iso-8859-1") return buf.latin1Slice(from, to);
    return decodeBytes(buf.subarray(from, to), this.encoding);
  }

  /**
   * Short UTF-8 text whose characters are all Latin-1 (ASCII, and æ ø å é ü … as two-byte sequences led by 0xC2 or
   * 0xC3: most Norwegian text) as a one-byte string, or `undefined` for anything else (other characters, bytes that
   * are no UTF-8), which `utf8Slice` decodes. The sequences are folded to Latin-1 bytes in a scratch buffer and made
   * into a string as ASCII values are: cheaper than `utf8Slice`, which decodes in two passes behind a call into
   * Node's C++ side. The result is the same string.
   */
  private shortLatin1(from: number, to: number): string | undefined {
    const buf = this.buf;
    const scratch = this.scratch;
    let n = 0;
    for (let i = from; i < to; i++) {
      const b = buf[i]!;
      if (b < 0x80) scratch[n++] = b;
      else if ((b === 0xc2 || b === 0xc3) && i + 1 < to && (buf[i + 1]! & 0xc0) === 0x80) {
        scratch[n++] = ((b & 0x03) << 6) | (buf[++i]! & 0x3f);
      } else return undefined;
    }
    return latin1String(scratch, 0, n);
  }

  /**
   * The ASCII text `buf[from, to)` from the value cache (`hash` is its hash, see `decodeRaw`): the string made the
   * last time these bytes were seen in that slot, else a new one. A hit costs no call into Node's C++ side and no
   * allocation. The hashes sit in a small typed array, so a value seen once (an amount, a transaction id) costs a
   * comparison of hashes without touching a cached string, and it only leaves its hash behind: a string is stored
   * in the slot when its hash comes back (storing every value costs a write barrier each, and evicts values that
   * recur for values that do not; measured).
   */
  private cachedAscii(from: number, to: number, hash: number): string {
    const buf = this.buf as FastSliceBuffer;
    const slot = (hash ^ (hash >>> 12)) & (VALUE_CACHE_SLOTS - 1);
    if (this.valueHashes[slot] !== hash) {
      this.valueHashes[slot] = hash;
      return latin1String(buf, from, to);
    }
    const cached = this.valueCache[slot]!;
    const size = to - from;
    if (cached.length === size) {
      let same = true;
      for (let k = 0; k < size; k++) {
        if (cached.charCodeAt(k) !== buf[from + k]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const text = latin1String(buf, from, to);
    this.valueCache[slot] = text;
    return text;
  }

  /**
   * The first kept value with a byte ≥ 0x80 is where a wrong encoding declaration shows: valid multi-byte UTF-8 under
   * a Latin-1 declaration (`Ã¸` for `ø` otherwise), or bytes that are no UTF-8 at all (a lone 0xF8 for `ø`) in a
   * document read as UTF-8. The reading the bytes support is used from there on, and the handler told; an explicit
   * encoding override is never second-guessed. Values before it were ASCII, which reads the same either way.
   */
  private checkEncoding(from: number, to: number): void {
    if (this.encodingOverridden || !(this.utf8 || this.encoding === "iso-8859-1" || this.encoding === "windows-1252")) {
      this.encodingChecked = true;
      return;
    }
    const buf = this.buf;
    let high = from;
    while (high < to && buf[high]! < 0x80) high++;
    if (high >= to) return;
    this.encodingChecked = true;
    // The evidence is this value and what follows it in the buffer (markup is ASCII), up to 64 KiB.
    const window = buf.subarray(high, Math.min(buf.length, high + 64 * 1024));
    const declared = this.declaredEncoding ?? "UTF-8";
    if (this.utf8) {
      if (utf8Evidence(window) === "latin") {
        const location = this.here(high);
        this.setEncoding("windows-1252", "bytes");
        this.handler.encodingCorrected?.(declared, "windows-1252", location);
      }
    } else if (looksLikeUtf8(window, window.length < buf.length - high)) {
      const location = this.here(high);
      this.setEncoding("utf-8", "bytes");
      this.handler.encodingCorrected?.(declared, "utf-8", location);
    }
  }

  /** Finds the invalid UTF-8 sequences in `buf[from, to)` (its text had U+FFFD) and reports the first few. */
  private reportInvalidUtf8(from: number, to: number): void {
    const buf = this.buf;
    for (let i = from; i < to;) {
      const size = utf8SequenceLength(buf, i, to);
      if (size > 0) {
        i += size;
        continue;
      }
      this.invalidByteSequences++;
      if (this.invalidByteSequences <= MAX_INVALID_BYTES_REPORTED) this.handler.invalidBytes?.(this.here(i));
      i++;
    }
  }

  /** Decodes text with references resolved. */
  private decodeText(from: number, to: number): string {
    if (this.ampAt < from) this.ampAt = this.findAmp(from);
    if (this.ampAt >= to) return this.decodeRaw(from, to);
    let out = "";
    let at = from;
    while (this.ampAt < to) {
      out += this.decodeRaw(at, this.ampAt);
      const { text, end } = this.reference(this.ampAt, to);
      out += text;
      at = end;
      this.ampAt = this.findAmp(end);
    }
    return out + this.decodeRaw(at, to);
  }

  /** Resolves the reference starting with `&` at `amp` (XML 1.0 §4.1); only the predefined entities are known. */
  private reference(amp: number, limit: number): { text: string; end: number } {
    const buf = this.buf;
    const semicolon = buf.indexOf(SEMICOLON, amp + 1);
    if (semicolon < 0 || semicolon >= limit || semicolon - amp > 40) {
      throw this.malformed(
        "XML_BAD_REFERENCE",
        "'&' that does not start a reference (write &amp;)",
        amp,
        "a reference like &amp; or &#229;",
      );
    }
    const name = buf.toString("latin1", amp + 1, semicolon);
    const end = semicolon + 1;
    switch (name) {
      case "lt":
        return { text: "<", end };
      case "gt":
        return { text: ">", end };
      case "amp":
        return { text: "&", end };
      case "apos":
        return { text: "'", end };
      case "quot":
        return { text: '"', end };
    }
    if (name.startsWith("#")) {
      const hex = name[1] === "x";
      const digits = name.slice(hex ? 2 : 1);
      const valid = hex ? /^[0-9a-fA-F]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
      const code = valid ? parseInt(digits, hex ? 16 : 10) : -1;
      const allowed =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!allowed)
        throw this.malformed(
          "XML_BAD_REFERENCE",
          `character reference &${name}; is not a valid XML character`,
          amp,
          "a character reference like &#229; or &#xE5;",
        );
      return { text: String.fromCodePoint(code), end };
    }
    throw new UnsafeXmlError(
      `reference to the entity &${name}; refused: saldo never expands entities other than &lt; &gt; &amp; &apos; &quot;`,
      {
        fileName: this.fileName,
        location: this.here(amp),
        expected: "a predefined entity or a character reference",
      },
    );
  }

  // ---- names ----------------------------------------------------------------------------------------------------

  /** Scans a name from `at`; sets `nameEnd` and `nameHash`. Returns false when the buffer ends inside the name. */
  private scanName(at: number): boolean {
    const buf = this.buf;
    const length = buf.length;
    if (at >= length) return false;
    if (NAME_CHAR[buf[at]!] !== 2) {
      throw this.malformed("XML_BAD_NAME", `'${String.fromCharCode(buf[at]!)}' cannot start a name`, at, "a name");
    }
    let hash = 0;
    let i = at;
    for (; i < length; i++) {
      const b = buf[i]!;
      if (NAME_CHAR[b] === 0) break;
      hash = (Math.imul(hash, 31) + b) | 0;
    }
    if (i >= length) return false;
    this.nameEnd = i;
    this.nameHash = hash;
    return true;
  }

  /** The interned name for `buf[from, nameEnd)` (call right after {@link scanName}). */
  private intern(from: number): InternedName {
    const buf = this.buf;
    const to = this.nameEnd;
    const size = to - from;
    const hash = this.nameHash;
    const entry = this.names.get(hash);
    for (let candidate = entry; candidate; candidate = candidate.next) {
      const bytes = candidate.bytes;
      if (bytes.length !== size) continue;
      let same = true;
      for (let k = 0; k < size; k++) {
        if (bytes[k] !== buf[from + k]) {
          same = false;
          break;
        }
      }
      if (same) return candidate;
    }
    const qualified = this.decodeRaw(from, to);
    const colon = qualified.indexOf(":");
    const local = colon < 0 ? qualified : qualified.slice(colon + 1);
    let continuationBytes = 0;
    for (let k = from; k < to; k++) if ((buf[k]! & 0xc0) === 0x80) continuationBytes++;
    const name: InternedName = {
      qualified,
      local,
      prefix: colon < 0 ? "" : qualified.slice(0, colon),
      code: this.classify ? this.classify(local) : 0,
      bytes: Uint8Array.from(buf.subarray(from, to)),
      continuationBytes,
      next: entry,
      interned: this.internedCount < MAX_INTERNED_NAMES,
      firstChild: undefined,
      following: undefined,
      following2: undefined,
      following3: undefined,
      firstChild2: undefined,
    };
    if (name.interned) {
      this.internedCount++;
      this.names.set(hash, name);
    }
    return name;
  }

  // ---- tags -----------------------------------------------------------------------------------------------------

  /** Whether the name at `buf[at]` is `name` (its bytes, then a byte that ends a name); sets `nameEnd` if so. */
  private nameAt(at: number, name: InternedName): boolean {
    const buf = this.buf;
    const bytes = name.bytes;
    const size = bytes.length;
    const end = at + size;
    if (end >= buf.length || NAME_CHAR[buf[end]!] !== 0) return false;
    for (let k = 0; k < size; k++) if (bytes[k] !== buf[at + k]) return false;
    this.nameEnd = end;
    return true;
  }

  private startTag(lt: number): number {
    const buf = this.buf;
    const length = buf.length;
    // Fast path: documents repeat their structure, so the elements that followed the same start or end tag before
    // are checked first, by their bytes (no scan, hash or lookup); a miss takes the full path and is remembered.
    // Three for what follows an end tag: one name can be followed by several (a line's Description by DebitAmount
    // or CreditAmount, a transaction's by SystemEntryDate); with one guess, two lines in three missed.
    const previous = this.justClosed ?? this.stack[this.stack.length - 1];
    let name: InternedName | undefined;
    if (previous !== undefined) {
      const at = lt + 1;
      if (this.justClosed !== undefined) {
        const a = previous.following;
        const b = previous.following2;
        const c = previous.following3;
        if (a !== undefined && this.nameAt(at, a)) name = a;
        else if (b !== undefined && this.nameAt(at, b)) name = b;
        else if (c !== undefined && this.nameAt(at, c)) name = c;
      } else {
        const a = previous.firstChild;
        const b = previous.firstChild2;
        if (a !== undefined && this.nameAt(at, a)) name = a;
        else if (b !== undefined && this.nameAt(at, b)) name = b;
      }
    }
    if (name === undefined) {
      if (!this.scanName(lt + 1)) return INCOMPLETE;
      name = this.intern(lt + 1);
      if (previous !== undefined && previous.interned && name.interned) {
        if (this.justClosed !== undefined) {
          previous.following3 = previous.following2;
          previous.following2 = previous.following;
          previous.following = name;
        } else {
          previous.firstChild2 = previous.firstChild;
          previous.firstChild = name;
        }
      }
    }
    let i = this.nameEnd;
    let b = buf[i]!;
    let attributes: XmlAttribute[] | undefined;
    let ranges: { name: string; start: number; from: number; to: number }[] | undefined;
    let selfClosing = false;
    if (b === GT) {
      i++;
      this.skipTag(lt, i, name);
    } else if (b === SLASH) {
      if (i + 1 >= length) return INCOMPLETE;
      if (buf[i + 1] !== GT) throw this.malformed("XML_BAD_TAG", "'/' not followed by '>'", i + 1, "'>'");
      selfClosing = true;
      i += 2;
      this.skipTag(lt, i, name);
    } else if (isSpace(b)) {
      // Attributes (rare in SAF-T: only the root element's namespace declarations).
      for (;;) {
        let sawSpace = false;
        while (i < length && isSpace(buf[i]!)) {
          i++;
          sawSpace = true;
        }
        if (i >= length) return INCOMPLETE;
        b = buf[i]!;
        if (b === GT) {
          i++;
          break;
        }
        if (b === SLASH) {
          if (i + 1 >= length) return INCOMPLETE;
          if (buf[i + 1] !== GT) throw this.malformed("XML_BAD_TAG", "'/' not followed by '>'", i + 1, "'>'");
          selfClosing = true;
          i += 2;
          break;
        }
        if (!sawSpace)
          throw this.malformed("XML_BAD_ATTRIBUTE", "attributes must be separated by white space", i, "white space");
        const attributeStart = i;
        if (!this.scanName(i)) return INCOMPLETE;
        const attributeName = this.decodeRaw(attributeStart, this.nameEnd);
        i = this.nameEnd;
        while (i < length && isSpace(buf[i]!)) i++;
        if (i >= length) return INCOMPLETE;
        if (buf[i] !== EQUALS)
          throw this.malformed("XML_BAD_ATTRIBUTE", `attribute ${attributeName} has no '='`, i, "'='");
        i++;
        while (i < length && isSpace(buf[i]!)) i++;
        if (i >= length) return INCOMPLETE;
        const quote = buf[i]!;
        if (quote !== QUOTE && quote !== APOSTROPHE)
          throw this.malformed("XML_BAD_ATTRIBUTE", `the value of ${attributeName} is not quoted`, i, "'\"' or \"'\"");
        const valueEnd = buf.indexOf(quote, i + 1);
        if (valueEnd < 0) return INCOMPLETE;
        const lessThan = buf.indexOf(LT, i + 1);
        if (lessThan >= 0 && lessThan < valueEnd)
          throw this.malformed("XML_BAD_ATTRIBUTE", `'<' in the value of ${attributeName}`, lessThan, "&lt;");
        ranges ??= [];
        ranges.push({ name: attributeName, start: attributeStart, from: i + 1, to: valueEnd });
        i = valueEnd + 1;
      }
      // The tag is complete: only now decode values (reference errors need the line counter moved forward).
      if (ranges) {
        attributes = [];
        for (const range of ranges) {
          if (attributes.some((attribute) => attribute.name === range.name)) {
            throw this.malformed(
              "XML_BAD_ATTRIBUTE",
              `attribute ${range.name} appears twice`,
              range.start,
              "unique attribute names",
            );
          }
          this.advance(range.from);
          this.ampAt = -1;
          attributes.push({ name: range.name, value: this.decodeText(range.from, range.to).replace(/[\t\n\r]/g, " ") });
        }
        this.ampAt = -1;
      }
    } else {
      throw this.malformed(
        "XML_BAD_NAME",
        `'${String.fromCharCode(b)}' is not allowed in a name`,
        i,
        "a name character, white space, '/' or '>'",
      );
    }

    this.checkTagLength(lt, i);
    if (this.stack.length === 0) {
      if (this.rootClosed)
        throw this.malformed("XML_SECOND_ROOT", `a second root element <${name.qualified}>`, lt, "end of input");
      this.rootSeen = true;
    }
    this.capturing = false;
    this.stack.push(name);
    this.justClosed = undefined;
    const capture = this.handler.startElement(name, attributes);
    if (capture) {
      this.capturing = true;
      this.captureDepth = this.stack.length;
      this.captured = "";
      this.capturedBytes = 0;
      this.captureTruncated = false;
      this.captureLine = this.tokenLine;
      this.captureColumn = this.tokenColumn;
      this.captureOffset = this.tokenOffset;
    }
    if (selfClosing) this.closeTop();
    return i;
  }

  private endTag(lt: number): number {
    const buf = this.buf;
    const length = buf.length;
    // Fast path: a well-formed end tag repeats the open element's name, so compare its bytes with that name's
    // directly (no scan, hash or lookup); anything else takes the full path below, which names the error.
    const open = this.stack[this.stack.length - 1];
    if (open !== undefined) {
      const bytes = open.bytes;
      const size = bytes.length;
      const gt = lt + 2 + size;
      if (gt < length && buf[gt] === GT) {
        let same = true;
        for (let k = 0; k < size; k++) {
          if (bytes[k] !== buf[lt + 2 + k]) {
            same = false;
            break;
          }
        }
        if (same) {
          this.checkTagLength(lt, gt + 1);
          this.skipTag(lt, gt + 1, open);
          this.closeTop();
          return gt + 1;
        }
      }
    }
    if (!this.scanName(lt + 2)) return INCOMPLETE;
    let i = this.nameEnd;
    while (i < length && isSpace(buf[i]!)) i++;
    if (i >= length) return INCOMPLETE;
    if (buf[i] !== GT) throw this.malformed("XML_BAD_TAG", "unexpected character in an end tag", i, "'>'");
    this.checkTagLength(lt, i + 1);
    const name = this.intern(lt + 2);
    if (!open)
      throw this.malformed(
        "XML_MISMATCHED_TAG",
        `end tag </${name.qualified}> without a start tag`,
        lt,
        "end of input",
      );
    if (open !== name && open.qualified !== name.qualified) {
      throw this.malformed(
        "XML_MISMATCHED_TAG",
        `end tag </${name.qualified}> does not match <${open.qualified}>`,
        lt,
        `</${open.qualified}>`,
      );
    }
    this.closeTop();
    return i + 1;
  }

  private closeTop(): void {
    const depth = this.stack.length;
    const name = this.stack.pop()!;
    let text: string | undefined;
    if (this.capturing && this.captureDepth === depth) {
      text = this.captured;
      this.captured = "";
      if (this.captureTruncated) this.handler.valueTooLong?.(name, this.textLocation(), this.capturedBytes);
    }
    this.capturing = false;
    if (depth === 1) this.rootClosed = true;
    this.justClosed = name;
    this.handler.endElement(name, text);
  }

  // ---- other markup ---------------------------------------------------------------------------------------------

  /** `<?target …?>`; the XML declaration (only at the very start) sets the encoding. */
  private processingInstruction(lt: number): number {
    const buf = this.buf;
    const close = buf.indexOf(PI_END, lt + 2);
    if (close < 0) {
      // The XML declaration is read whole (held like a tag); any other processing instruction streams through.
      let targetEnd = lt + 2;
      while (targetEnd < buf.length && !isSpace(buf[targetEnd]!) && buf[targetEnd] !== QUESTION) targetEnd++;
      if (targetEnd >= buf.length || buf.toString("latin1", lt + 2, targetEnd).toLowerCase() === "xml")
        return INCOMPLETE;
      this.section = Section.ProcessingInstruction;
      return this.continueSection(lt + 2);
    }
    const target = /^[^\s?]*/.exec(buf.toString("latin1", lt + 2, Math.min(close, lt + 40)))![0];
    if (target.toLowerCase() === "xml") {
      this.checkTagLength(lt, close + 2);
      const atStart = this.base + lt === (this.hadByteOrderMark ? 3 : 0);
      if (!atStart || target !== "xml")
        throw this.malformed(
          "XML_BAD_DECLARATION",
          "the XML declaration must come first in the file",
          lt,
          "the declaration at the start",
        );
      const declaration = buf.toString("latin1", lt + 5, close);
      const encoding = /\bencoding\s*=\s*(["'])([A-Za-z0-9._-]+)\1/.exec(declaration)?.[2];
      if (!/^\s+version\s*=\s*(["'])1\.\d+\1/.test(declaration)) {
        throw this.malformed("XML_BAD_DECLARATION", "the XML declaration has no version", lt, `<?xml version="1.0"?>`);
      }
      if (encoding !== undefined) {
        this.declaredEncoding = encoding;
        if (!this.encodingOverridden && !this.hadByteOrderMark) this.setEncoding(encoding, "declaration");
      }
    }
    return close + 2;
  }

  /** `<!-- … -->`, `<![CDATA[ … ]]>` or `<!DOCTYPE …>`. */
  private markupDeclaration(lt: number): number {
    const buf = this.buf;
    const comment = this.startsWith(lt, COMMENT_START);
    if (comment === INCOMPLETE) return INCOMPLETE;
    if (comment) {
      const close = buf.indexOf(COMMENT_END, lt + 4);
      if (close >= 0) return close + 3;
      this.section = Section.Comment;
      return this.continueSection(lt + 4);
    }
    const cdata = this.startsWith(lt, CDATA_START);
    if (cdata === INCOMPLETE) return INCOMPLETE;
    if (cdata) {
      if (this.stack.length === 0)
        throw this.malformed("XML_TEXT_OUTSIDE_ROOT", "CDATA section outside the root element", lt, "markup");
      const close = buf.indexOf(CDATA_END, lt + 9);
      if (close >= 0) {
        if (this.capturing) this.keep(lt + 9, close, false);
        return close + 3;
      }
      this.section = Section.Cdata;
      return this.continueSection(lt + 9);
    }
    const doctype = this.startsWith(lt, DOCTYPE_START);
    if (doctype === INCOMPLETE) return INCOMPLETE;
    if (doctype) {
      if (this.rootSeen)
        throw this.malformed("XML_BAD_DOCTYPE", "DOCTYPE after the root element started", lt, "element content");
      // Walk to the closing '>', respecting quoted external identifiers; an internal subset starts with '['.
      let quote = 0;
      for (let i = lt + 9; i < buf.length; i++) {
        const b = buf[i]!;
        if (quote !== 0) {
          if (b === quote) quote = 0;
        } else if (b === QUOTE || b === APOSTROPHE) quote = b;
        else if (b === 0x5b) {
          throw new UnsafeXmlError(
            "a DOCTYPE with an internal subset (where entities are declared) is refused: SAF-T files need no DTD",
            {
              fileName: this.fileName,
              location: this.here(i),
              expected: "no DOCTYPE, or <!DOCTYPE AuditFile> without [ … ]",
            },
          );
        } else if (b === GT) {
          this.checkTagLength(lt, i + 1);
          this.handler.doctype?.(this.location());
          return i + 1;
        }
      }
      return INCOMPLETE;
    }
    throw this.malformed("XML_BAD_MARKUP", "unknown markup after '<!'", lt, "<!-- or <![CDATA[");
  }

  /** 1 when `buf` has `prefix` at `at`, 0 when not, INCOMPLETE when the buffer ends before it can tell. */
  private startsWith(at: number, prefix: Uint8Array): number {
    const buf = this.buf;
    for (let k = 0; k < prefix.length; k++) {
      if (at + k >= buf.length) return INCOMPLETE;
      if (buf[at + k] !== prefix[k]) return 0;
    }
    return 1;
  }
}
