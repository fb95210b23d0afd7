import { MalformedInputError } from "../errors.ts";
import { FORM_ESCAPED, FORM_HIGH, FORM_LIST, FORM_PLAIN, FORM_QUOTED, SieLine } from "./SieLine.ts";
import { SieTextDecoder, type FastSliceBuffer } from "./SieTextDecoder.ts";

const NUL = 0;
const SPACE = 32;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const HASH = 35;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const TAB = 9;
const FORM_FEED = 12;
const SUBSTITUTE = 26; // Ctrl-Z, the DOS end-of-file marker some old exporters still append

const EMPTY = Buffer.alloc(0) as FastSliceBuffer;
/** Ends the last line of the input when it has no line break of its own. */
const FINAL_LINE_FEED = Buffer.from([LF]);

/**
 * Longest line carried over between chunks. SIE lines are short; a longer run without a line break is not SIE
 * text, and refusing it keeps memory flat and rescanning linear.
 */
export const MAX_SIE_LINE_LENGTH = 1024 * 1024;

function asBuffer(bytes: Uint8Array): FastSliceBuffer {
  return (
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  ) as FastSliceBuffer;
}

/**
 * The pure tokenizing core of the SIE reader: bytes in (in chunks of any size), {@link SieLine}s out. It knows the
 * syntax of SIE 4B §5 only, not what the labels mean.
 *
 * - Fields are separated by one or more spaces or TABs (§5.7). Any field may be quoted; `\"` inside a quoted field
 *   is a quote (§5.7). A quote that is followed by neither a blank, the line end nor `}` does not close the field:
 *   some exporters (SoftOne XE) write a bare `"` where a letter failed to convert, and this keeps the name whole.
 * - `{dim obj …}` inside a record is an object list; `{}` is an empty one (§8, #TRANS).
 * - LF, CR LF and a lone CR end a line (§5.5; mixed endings occur in real files). Blank lines are skipped (§5.6).
 * - Control characters are not allowed in SIE text (§5.7): a NUL anywhere means binary content and throws a
 *   {@link MalformedInputError}; others outside quoted values are reported as a problem of the line (Ctrl-Z and
 *   form feed, which old DOS programs write, silently) and read as blanks. Inside quoted values they are kept.
 *
 * It works on bytes, not decoded text: every character of the syntax is ASCII, and in the encodings it is given
 * ({@link setEncoding}: UTF-8 and ASCII-compatible single-byte code pages) no byte ≥ 0x80 stands for an ASCII
 * character. So no chunk is decoded as a whole; a {@link SieLine} decodes only the values the reader asks for.
 * Columns still count UTF-16 code units of the decoded line. Text given as a string ({@link feed}, {@link push})
 * is read as its UTF-8 bytes.
 *
 * A line cut by a chunk boundary is carried over and tokenized when its end arrives, so the output (including
 * line and column numbers) is the same however the input is split.
 *
 * Speed: each chunk is scanned once, byte by byte, in one loop per line that finds the fields and the line end
 * together (only complete lines are scanned: the chunk's last line break is found first); fields are kept as byte
 * positions (see {@link SieLine}); one {@link SieLine} is reused for every line.
 */
export class SieLineTokenizer {
  /** Bytes being tokenized, and the position in them. */
  private buf: FastSliceBuffer = EMPTY;
  private pos = 0;
  /** Lines starting before `limit` end in {@link buf} (just past its last CR or LF). */
  private limit = 0;
  /** Start of a line whose end has not arrived yet (a copy). */
  private carry: Buffer = EMPTY;
  /** The chunk to go on with after the line that straddled the chunk boundary, and where. */
  private queued: FastSliceBuffer | undefined;
  private queuedPos = 0;
  private final = false;
  private lineNumber = 1;
  /** The previous chunk ended in CR: a LF at the start of the next chunk belongs to the same line end. */
  private skipLineFeed = false;
  private decoder = new SieTextDecoder("utf-8");
  private readonly fileName: string | undefined;
  private readonly current = new SieLine();
  /** Whether the last {@link scanLine} produced a line (blank lines produce none). */
  private produced = false;
  /** Outputs of {@link readQuoted}: end of the value, where scanning resumes, and the value's form. */
  private valueEnd = 0;
  private resume = 0;
  private form = FORM_QUOTED;

  constructor(options: { fileName?: string; encoding?: string } = {}) {
    this.fileName = options.fileName;
    if (options.encoding !== undefined) this.setEncoding(options.encoding);
  }

  /**
   * Sets the encoding of the bytes fed from now on (iconv-lite name; UTF-8 until set). It must be one the
   * tokenizer can read byte-wise (see {@link isByteCompatible}); text read so far must have been ASCII.
   */
  setEncoding(encoding: string): void {
    if (encoding !== this.decoder.encoding) {
      const onInvalid = this.decoder.onInvalid;
      this.decoder = new SieTextDecoder(encoding);
      this.decoder.onInvalid = onInvalid;
    }
  }

  /**
   * Tells `listener` where a kept value had bytes that are not UTF-8 (each became U+FFFD): the line and its
   * 1-based column. Only values that are read are looked at (amounts and dates are ASCII or unreadable anyway).
   */
  onInvalidBytes(listener: (location: { line: number; column: number }) => void): void {
    this.decoder.onInvalid = (at, context) => {
      const line = context as SieLine | undefined;
      listener(line ? { line: line.line, column: line.columnAt(at) } : this.position());
    };
  }

  /** Adds text (read as its UTF-8 bytes); see {@link feedBytes}. */
  feed(text: string): void {
    this.setEncoding("utf-8");
    this.feedBytes(Buffer.from(text, "utf8"));
  }

  /**
   * Adds bytes. Then call {@link next} until it returns `undefined` to take the complete lines; a line cut off at
   * the end of `chunk` is kept (copied) until its end arrives. The chunk itself is not copied: lines refer to it,
   * so it must not change until {@link next} has returned `undefined`.
   *
   * The chunk is not appended to what was carried over: only the one line that straddles the chunk boundary is
   * put together, and the rest is scanned in the chunk itself.
   */
  feedBytes(chunk: Uint8Array): void {
    const bytes = asBuffer(chunk);
    let from = 0;
    if (this.skipLineFeed && bytes.length > 0) {
      this.skipLineFeed = false;
      if (bytes[0] === LF) from = 1;
    }
    if (this.pos < this.buf.length || this.queued !== undefined) {
      // The caller did not take all lines before feeding more: keep it correct, if slower.
      const parts: Buffer[] = [this.buf.subarray(this.pos)];
      if (this.queued !== undefined) parts.push(this.queued.subarray(this.queuedPos));
      parts.push(this.carry, bytes.subarray(from));
      this.queued = undefined;
      this.carry = EMPTY;
      this.load(Buffer.concat(parts) as FastSliceBuffer, 0);
      return;
    }
    if (this.carry.length === 0) {
      this.load(bytes, from);
      return;
    }
    const lf = bytes.indexOf(LF, from);
    const cr = bytes.indexOf(CR, from);
    const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    if (end < 0) {
      this.carry = Buffer.concat([this.carry, bytes.subarray(from)]);
      this.checkCarryLength();
      this.load(EMPTY, 0);
      return;
    }
    const after = bytes[end] === CR && bytes[end + 1] === LF ? end + 2 : end + 1;
    this.load(Buffer.concat([this.carry, bytes.subarray(from, after)]) as FastSliceBuffer, 0);
    this.carry = EMPTY;
    if (after < bytes.length) {
      this.queued = bytes;
      this.queuedPos = after;
    }
  }

  /** Marks the end of the input: {@link next} then also returns a last line that has no line break. */
  finish(): void {
    this.final = true;
  }

  private checkCarryLength(): void {
    if (this.carry.length > MAX_SIE_LINE_LENGTH && this.carryColumns() > MAX_SIE_LINE_LENGTH) {
      throw new MalformedInputError(
        "SIE_LINE_TOO_LONG",
        `no line break within ${MAX_SIE_LINE_LENGTH} characters: not SIE text`,
        {
          fileName: this.fileName,
          location: { line: this.lineNumber, column: 1 },
          expected: "one record per line (SIE 4B §5.5)",
        },
      );
    }
  }

  /**
   * Characters (UTF-16 code units) in the carried-over start of a line. A UTF-8 character cut off at its end is not
   * counted yet: its bytes are not a character until the rest arrives.
   */
  private carryColumns(): number {
    const carry = this.carry as FastSliceBuffer;
    let end = carry.length;
    if (this.decoder.utf8 && end > 0 && carry[end - 1]! >= 0x80) {
      let lead = end - 1;
      while (lead > 0 && end - lead < 4 && (carry[lead]! & 0xc0) === 0x80) lead--;
      const b = carry[lead]!;
      const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (end - lead < needed) end = lead;
    }
    return this.decoder.units(carry, 0, end);
  }

  /** Scans `bytes` from `from`: the lines that end in it are complete (see {@link next}). */
  private load(bytes: FastSliceBuffer, from: number): void {
    this.buf = bytes;
    this.pos = from;
    const last = Math.max(bytes.lastIndexOf(LF), bytes.lastIndexOf(CR));
    this.limit = last < from ? from : last + 1;
  }

  /**
   * The next complete line of the input fed so far, or `undefined` when more input is needed (or, after
   * {@link finish}, when all is read). The same {@link SieLine} instance is returned each time, valid until the
   * next call: lines die young that way, and garbage collection stays cheap.
   */
  next(): SieLine | undefined {
    for (;;) {
      while (this.pos < this.limit) {
        this.pos = this.scanLine(this.buf, this.pos);
        if (this.produced) return this.current;
      }
      if (this.queued !== undefined) {
        const queued = this.queued;
        this.queued = undefined;
        this.load(queued, this.queuedPos);
        continue;
      }
      const rest = this.pos < this.buf.length ? this.buf.subarray(this.pos) : EMPTY;
      if (this.final) {
        const last = this.carry.length > 0 ? Buffer.concat([this.carry, rest]) : rest;
        this.carry = EMPTY;
        if (last.length === 0) {
          this.load(EMPTY, 0);
          return undefined;
        }
        // The last line has no line break: give it one, which ends it exactly where the input ends.
        this.load(Buffer.concat([last, FINAL_LINE_FEED]) as FastSliceBuffer, 0);
        continue;
      }
      if (rest.length > 0) {
        this.carry = this.carry.length > 0 ? Buffer.concat([this.carry, rest]) : Buffer.from(rest);
        this.checkCarryLength();
      }
      this.load(EMPTY, 0);
      return undefined;
    }
  }

  /** Feeds `text` and returns copies of the complete lines (convenience over {@link feed} and {@link next}). */
  push(text: string, out: SieLine[] = []): SieLine[] {
    this.feed(text);
    for (let line = this.next(); line !== undefined; line = this.next()) out.push(line.snapshot());
    return out;
  }

  /** Ends the input and returns copies of the last lines (convenience over {@link finish} and {@link next}). */
  end(out: SieLine[] = []): SieLine[] {
    this.finish();
    for (let line = this.next(); line !== undefined; line = this.next()) out.push(line.snapshot());
    return out;
  }

  /**
   * Where the next character fed will stand: the line and column after everything read so far. Places findings
   * that arise between chunks (the decoding stage deciding on an encoding) and at the end of the input.
   */
  position(): { line: number; column: number } {
    return { line: this.lineNumber, column: this.carryColumns() + 1 };
  }

  /**
   * Tokenizes the line starting at `start` into {@link current} (a CR or LF follows in `b`). Returns the index
   * after its line break.
   */
  private scanLine(b: FastSliceBuffer, start: number): number {
    const line = this.current;
    line.reset(b, this.decoder, start, this.lineNumber);
    this.produced = false;
    const lineEnd = this.tokenize(b, start);
    line.lineEnd = lineEnd;
    if (line.problems !== undefined && !this.produced) {
      // A line of nothing but control characters: still report them.
      line.kind = "text";
      line.text = "";
      line.firstByte = start;
      line.endByte = start;
      this.produced = true;
    }

    this.lineNumber++;
    if (b[lineEnd] === LF) return lineEnd + 1;
    // CR: a following LF belongs to the same line end; if the bytes end here, look at the next chunk.
    if (lineEnd + 1 < b.length) return b[lineEnd + 1] === LF ? lineEnd + 2 : lineEnd + 1;
    // (A line put together across a chunk boundary already took its LF; the queued chunk follows it.)
    if (!this.final && this.queued === undefined) this.skipLineFeed = true;
    return lineEnd + 1;
  }

  /** Tokenizes one line; returns the index of its line break. */
  private tokenize(b: FastSliceBuffer, start: number): number {
    const line = this.current;
    let p = this.skipBlanks(b, start);
    let c = b[p]!;
    if (c === LF || c === CR) return p; // blank line (SIE 4B §5.6)
    this.produced = true;
    line.firstByte = p;
    if (c !== HASH) {
      // Not a record: find the line end and the last non-blank character.
      let last = p;
      let q = p + 1;
      for (; ; q++) {
        c = b[q]!;
        if (c > SPACE) last = q;
        else if (c === LF || c === CR) break;
        else if (c === NUL) this.binaryContent(q);
      }
      line.endByte = last + 1;
      if (last === p && (b[p] === OPEN_BRACE || b[p] === CLOSE_BRACE)) {
        line.kind = b[p] === OPEN_BRACE ? "open" : "close";
      } else {
        line.kind = "text";
        line.text = line.decode(p, last + 1, FORM_PLAIN | FORM_HIGH);
      }
      return q;
    }
    line.kind = "record";
    const labelStart = p;
    for (p++; b[p]! > SPACE; p++);
    // The two labels of the voucher section are by far the most frequent: reuse constant strings for them.
    const labelLength = p - labelStart;
    const first = b[labelStart + 1];
    if (
      labelLength === 6 &&
      first === 84 /* T */ &&
      b[labelStart + 2] === 82 /* R */ &&
      b[labelStart + 3] === 65 /* A */ &&
      b[labelStart + 4] === 78 /* N */ &&
      b[labelStart + 5] === 83 /* S */
    ) {
      line.label = "#TRANS";
    } else if (
      labelLength === 4 &&
      first === 86 /* V */ &&
      b[labelStart + 2] === 69 /* E */ &&
      b[labelStart + 3] === 82 /* R */
    ) {
      line.label = "#VER";
    } else {
      line.label = line.decode(labelStart, p, FORM_PLAIN | FORM_HIGH);
    }
    let lastEnd = p;
    for (;;) {
      p = this.skipBlanks(b, p);
      c = b[p]!;
      if (c <= SPACE) break; // the line end
      if (c === QUOTE) {
        this.readQuoted(b, p, false);
        line.addField(p + 1, this.valueEnd, this.form, p);
        p = this.resume;
      } else if (c === OPEN_BRACE) {
        p = this.readObjectList(b, p);
      } else {
        const valueStart = p;
        let bits = c;
        for (p++; (c = b[p]!) > SPACE; p++) bits |= c;
        line.addField(valueStart, p, bits & 0x80 ? FORM_PLAIN | FORM_HIGH : FORM_PLAIN, valueStart);
      }
      lastEnd = p;
    }
    line.endByte = lastEnd;
    return p;
  }

  /**
   * Finds the end of the quoted value whose opening quote is at `quoteAt`; sets valueEnd, resume and form. A quote
   * closes the value when a blank, the line end or (in an object list) `}` follows.
   */
  private readQuoted(b: FastSliceBuffer, quoteAt: number, inObjectList: boolean): void {
    let form = FORM_QUOTED;
    let bits = 0;
    let q = quoteAt + 1;
    for (; ; q++) {
      const c = b[q]!;
      if (c > QUOTE) {
        bits |= c;
        continue;
      }
      if (c === QUOTE) {
        if (b[q - 1] === BACKSLASH && q - 1 > quoteAt) {
          form = FORM_ESCAPED;
          continue;
        }
        const after = b[q + 1]!;
        if (after <= SPACE || (inObjectList && after === CLOSE_BRACE)) {
          this.valueEnd = q;
          this.resume = q + 1;
          this.form = bits & 0x80 ? form | FORM_HIGH : form;
          return;
        }
      } else if (c === LF || c === CR) {
        break;
      } else if (c === NUL) {
        this.binaryContent(q);
      }
    }
    // q is the line end.
    const line = this.current;
    line.addProblem({
      code: "SIE_UNTERMINATED_QUOTE",
      message: "quoted field is not closed before the end of the line; read up to the line end",
      line: this.lineNumber,
      column: line.columnAt(quoteAt),
    });
    let end = q;
    while (end > quoteAt + 1 && b[end - 1]! <= SPACE) end--;
    this.valueEnd = end;
    this.resume = q;
    this.form = bits & 0x80 ? form | FORM_HIGH : form;
  }

  /** Reads `{dim obj …}` from `braceAt` as one field; returns where scanning resumes. */
  private readObjectList(b: FastSliceBuffer, braceAt: number): number {
    const line = this.current;
    const field = line.fieldCount;
    const firstItem = line.itemCount;
    line.addField(firstItem, 0, FORM_LIST, braceAt);
    let p = braceAt + 1;
    let closed = false;
    for (;;) {
      let c = b[p]!;
      if (c <= SPACE) {
        p = this.skipBlanks(b, p);
        c = b[p]!;
        if (c <= SPACE) break; // the line end
      }
      if (c === CLOSE_BRACE) {
        p++;
        closed = true;
        break;
      }
      if (c === QUOTE) {
        this.readQuoted(b, p, true);
        line.addItem(p + 1, this.valueEnd, this.form);
        p = this.resume;
      } else {
        const valueStart = p;
        let bits = c;
        for (p++; ; p++) {
          c = b[p]!;
          if (c <= SPACE || c === CLOSE_BRACE) break;
          bits |= c;
        }
        line.addItem(valueStart, p, bits & 0x80 ? FORM_PLAIN | FORM_HIGH : FORM_PLAIN);
      }
    }
    line.ends[field] = line.itemCount - firstItem;
    if (!closed) {
      line.addProblem({
        code: "SIE_UNCLOSED_OBJECT_LIST",
        message: "object list '{' is not closed with '}' on the same line",
        line: this.lineNumber,
        column: line.columnAt(braceAt),
      });
    }
    return p;
  }

  /**
   * Skips spaces and TABs from `p`; other control characters are blanks too, but reported. Stops at a character
   * that is not blank or at the line end (CR or LF).
   */
  private skipBlanks(b: FastSliceBuffer, p: number): number {
    for (; ; p++) {
      const c = b[p]!;
      if (c > SPACE) return p;
      if (c === SPACE || c === TAB) continue;
      if (c === LF || c === CR) return p;
      if (c === NUL) this.binaryContent(p);
      this.controlCharacter(c, p);
    }
  }

  /** A NUL in the line: binary data, not SIE text (SIE 4B §5.7). */
  private binaryContent(at: number): never {
    throw new MalformedInputError("SIE_BINARY_CONTENT", "NUL byte: the file holds binary data, not SIE text", {
      fileName: this.fileName,
      location: { line: this.lineNumber, column: this.current.columnAt(at) },
      expected: "text records as in SIE 4B §5 (control characters are not allowed, §5.7)",
    });
  }

  /** A control character other than TAB between or in unquoted fields: reported, and read as a blank. */
  private controlCharacter(c: number, at: number): void {
    if (c === SUBSTITUTE || c === FORM_FEED) return;
    this.current.addProblem({
      code: "SIE_CONTROL_CHARACTER",
      message: `control character U+${c.toString(16).toUpperCase().padStart(4, "0")} is not allowed in SIE text (SIE 4B §5.7); read as a blank`,
      line: this.lineNumber,
      column: this.current.columnAt(at),
    });
  }
}

export { SieLine };
