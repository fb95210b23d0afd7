import { MalformedInputError } from "../errors.ts";
import { FORM_ESCAPED, FORM_LIST, FORM_PLAIN, FORM_QUOTED, SieLine } from "./SieLine.ts";

const SPACE = 32;
const LF = 10;
const QUOTE = 34;
const HASH = 35;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const TAB = 9;
const FORM_FEED = 12;
const SUBSTITUTE = 26; // Ctrl-Z, the DOS end-of-file marker some old exporters still append


/** Returned by the line scanner when the line does not end within the text seen so far. */
const INCOMPLETE = -1;

/**
 * Longest line carried over between chunks. SIE lines are short; a longer run without a line break is not SIE
 * text, and refusing it keeps memory flat and rescanning linear.
 */
export const MAX_SIE_LINE_LENGTH = 1024 * 1024;

/**
 * The pure tokenizing core of the SIE reader: decoded text in (in chunks of any size), {@link SieLine}s out.
 * It knows the syntax of SIE 4B §5 only, not what the labels mean.
 *
 * - Fields are separated by one or more spaces or TABs (§5.7). Any field may be quoted; `\"` inside a quoted field
 *   is a quote (§5.7). A quote that is followed by neither a blank, the line end nor `}` does not close the field:
 *   some exporters (SoftOne XE) write a bare `"` where a letter failed to convert, and this keeps the name whole.
 * - `{dim obj …}` inside a record is an object list; `{}` is an empty one (§8, #TRANS).
 * - LF, CR LF and a lone CR end a line (§5.5; mixed endings occur in real files). Blank lines are skipped (§5.6).
 * - Control characters are not allowed in SIE text (§5.7): a NUL anywhere means binary content and throws a
 *   {@link MalformedInputError}; others outside quoted values are reported as a problem of the line (Ctrl-Z and
 *   form feed, which old DOS programs write, silently) and read as blanks. Inside quoted values they are kept
 *   as they are: looking for them there would cost a pass over every description.
 *
 * A line cut by a chunk boundary is carried over and tokenized when its end arrives, so the output (including
 * line and column numbers) is the same however the text is split.
 *
 * Speed: line ends, quotes and control characters are found with native string searches, and fields are kept as
 * positions (see {@link SieLine}); one {@link SieLine} is reused for every line.
 */
export class SieLineTokenizer {
  /** Text being tokenized, and the position in it. */
  private buffer = "";
  private pos = 0;
  /** Start of a line whose end has not arrived yet. */
  private carry = "";
  /** The chunk to go on with after the line that straddled the chunk boundary, and where. */
  private queued: string | undefined;
  private queuedPos = 0;
  private final = false;
  private lineNumber = 1;
  /** The previous chunk ended in CR: a LF at the start of the next chunk belongs to the same line end. */
  private skipLineFeed = false;
  /** Next LF, CR and NUL at or after the current line in {@link buffer} (its length when none). */
  private nextLineFeed = -1;
  private nextCarriageReturn = -1;
  private nextNul = -1;
  private readonly fileName: string | undefined;
  private readonly current = new SieLine();
  /** Whether the last {@link scanLine} produced a line (blank lines produce none). */
  private produced = false;
  /** Outputs of {@link readQuoted}: end of the value, where scanning resumes, and the value's form. */
  private valueEnd = 0;
  private resume = 0;
  private form = FORM_QUOTED;

  constructor(options: { fileName?: string } = {}) {
    this.fileName = options.fileName;
  }

  /**
   * Adds decoded text. Then call {@link next} until it returns `undefined` to take the complete lines; a line
   * cut off at the end of `text` is kept until its end arrives.
   *
   * The text is not appended to what was carried over: only the one line that straddles the chunk boundary is
   * put together, and the rest is scanned in `text` itself. Scanning a concatenated (cons) string is about a
   * third slower in V8.
   */
  feed(text: string): void {
    let from = 0;
    if (this.skipLineFeed && text.length > 0) {
      this.skipLineFeed = false;
      if (text.charCodeAt(0) === LF) from = 1;
    }
    if (this.pos < this.buffer.length || this.queued !== undefined) {
      // The caller did not take all lines before feeding more: keep it correct, if slower.
      const rest = this.buffer.slice(this.pos) + (this.queued?.slice(this.queuedPos) ?? "");
      this.queued = undefined;
      this.setBuffer(rest + this.carry + text.slice(from));
      this.carry = "";
      return;
    }
    if (this.carry.length === 0) {
      this.setBuffer(text);
      this.pos = from;
      return;
    }
    const lf = text.indexOf("\n", from);
    const cr = text.indexOf("\r", from);
    const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    if (end < 0) {
      this.carry += from > 0 ? text.slice(from) : text;
      this.checkCarryLength();
      this.setBuffer("");
      return;
    }
    const after = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
    this.setBuffer(this.carry + text.slice(from, after));
    this.carry = "";
    if (after < text.length) {
      this.queued = text;
      this.queuedPos = after;
    }
  }

  /** Marks the end of the input: {@link next} then also returns a last line that has no line break. */
  finish(): void {
    this.final = true;
    if (this.pos >= this.buffer.length && this.queued === undefined) {
      this.setBuffer(this.carry);
      this.carry = "";
    }
  }

  private checkCarryLength(): void {
    if (this.carry.length > MAX_SIE_LINE_LENGTH) {
      throw new MalformedInputError("SIE_LINE_TOO_LONG", `no line break within ${MAX_SIE_LINE_LENGTH} characters: not SIE text`, {
        fileName: this.fileName,
        location: { line: this.lineNumber, column: 1 },
        expected: "one record per line (SIE 4B §5.5)",
      });
    }
  }

  private setBuffer(s: string): void {
    this.buffer = s;
    this.pos = 0;
    this.nextLineFeed = -1;
    this.nextCarriageReturn = -1;
    this.nextNul = -1;
  }

  /**
   * The next complete line of the text fed so far, or `undefined` when more text is needed (or, after
   * {@link finish}, when all is read). The same {@link SieLine} instance is returned each time, valid until the
   * next call: lines die young that way, and garbage collection stays cheap.
   */
  next(): SieLine | undefined {
    for (;;) {
      const s = this.buffer;
      const length = s.length;
      while (this.pos < length) {
        const start = this.pos;
        const next = this.scanLine(s, start);
        if (next === INCOMPLETE) {
          this.carry = s.slice(start);
          this.checkCarryLength();
          this.pos = length;
          break;
        }
        this.pos = next;
        if (this.produced) return this.current;
      }
      if (this.queued === undefined) break;
      this.setBuffer(this.queued);
      this.pos = this.queuedPos;
      this.queued = undefined;
    }
    return undefined;
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
    return { line: this.lineNumber, column: this.carry.length + 1 };
  }

  /**
   * Tokenizes the line starting at `start` into {@link current}. Returns the index after its line break, or
   * {@link INCOMPLETE} when the text ends first and more may come.
   */
  private scanLine(s: string, start: number): number {
    const length = s.length;
    if (this.nextLineFeed < start) {
      const found = s.indexOf("\n", start);
      this.nextLineFeed = found < 0 ? length : found;
    }
    if (this.nextCarriageReturn < start) {
      const found = s.indexOf("\r", start);
      this.nextCarriageReturn = found < 0 ? length : found;
    }
    const lineEnd = this.nextLineFeed < this.nextCarriageReturn ? this.nextLineFeed : this.nextCarriageReturn;
    if (lineEnd === length && !this.final) return INCOMPLETE;

    const line = this.current;
    line.reset(s, start, this.lineNumber);
    this.produced = false;
    if (this.nextNul < start) {
      const found = s.indexOf("\0", start);
      this.nextNul = found < 0 ? length : found;
    }
    if (this.nextNul < lineEnd) this.binaryContent(start);
    this.tokenize(s, start, lineEnd);
    if (line.problems !== undefined && !this.produced) {
      // A line of nothing but control characters: still report them.
      line.kind = "text";
      line.text = "";
      line.column = 1;
      line.endColumn = 1;
      this.produced = true;
    }

    this.lineNumber++;
    if (lineEnd === length) return length;
    if (s.charCodeAt(lineEnd) === LF) return lineEnd + 1;
    // CR: a following LF belongs to the same line end; if the text ends here, look at the next chunk.
    if (lineEnd + 1 < length) return s.charCodeAt(lineEnd + 1) === LF ? lineEnd + 2 : lineEnd + 1;
    // (A line put together across a chunk boundary already took its LF; the queued chunk follows it.)
    if (!this.final && this.queued === undefined) this.skipLineFeed = true;
    return lineEnd + 1;
  }

  private tokenize(s: string, start: number, lineEnd: number): void {
    const line = this.current;
    let p = this.skipBlanks(s, start, start, lineEnd);
    if (p === lineEnd) return; // blank line (SIE 4B §5.6)
    this.produced = true;
    line.column = p - start + 1;
    let c = s.charCodeAt(p);
    if (c !== HASH) {
      let last = lineEnd - 1;
      while (s.charCodeAt(last) <= SPACE) last--;
      line.endColumn = last - start + 2;
      if (last === p && (c === OPEN_BRACE || c === CLOSE_BRACE)) {
        line.kind = c === OPEN_BRACE ? "open" : "close";
      } else {
        line.kind = "text";
        line.text = s.slice(p, last + 1);
      }
      return;
    }
    line.kind = "record";
    const labelStart = p;
    for (p++; p < lineEnd && s.charCodeAt(p) > SPACE; p++);
    // The two labels of the voucher section are by far the most frequent: reuse constant strings for them.
    const labelLength = p - labelStart;
    const first = s.charCodeAt(labelStart + 1);
    if (labelLength === 6 && first === 84 /* T */ && s.charCodeAt(labelStart + 2) === 82 /* R */ && s.startsWith("ANS", labelStart + 3)) {
      line.label = "#TRANS";
    } else if (labelLength === 4 && first === 86 /* V */ && s.charCodeAt(labelStart + 2) === 69 /* E */ && s.charCodeAt(labelStart + 3) === 82) {
      line.label = "#VER";
    } else {
      line.label = s.slice(labelStart, p);
    }
    let lastEnd = p;
    for (;;) {
      p = this.skipBlanks(s, p, start, lineEnd);
      if (p >= lineEnd) break;
      const column = p - start + 1;
      c = s.charCodeAt(p);
      if (c === QUOTE) {
        this.readQuoted(s, p, start, lineEnd, false);
        line.addField(p + 1, this.valueEnd, this.form, column);
        p = this.resume;
      } else if (c === OPEN_BRACE) {
        p = this.readObjectList(s, p, start, lineEnd, column);
      } else {
        const valueStart = p;
        for (p++; p < lineEnd && s.charCodeAt(p) > SPACE; p++);
        line.addField(valueStart, p, FORM_PLAIN, column);
      }
      lastEnd = p;
    }
    line.endColumn = lastEnd - start + 1;
  }

  /** Finds the end of the quoted value whose opening quote is at `quoteAt`; sets valueEnd, resume and form. */
  private readQuoted(s: string, quoteAt: number, lineStart: number, lineEnd: number, inObjectList: boolean): void {
    let form = FORM_QUOTED;
    let from = quoteAt + 1;
    for (;;) {
      const q = s.indexOf('"', from);
      if (q < 0 || q >= lineEnd) break;
      if (s.charCodeAt(q - 1) === BACKSLASH && q - 1 > quoteAt) {
        form = FORM_ESCAPED;
        from = q + 1;
        continue;
      }
      // A closing quote is followed by a blank, the line end, or `}` in an object list (see class comment).
      const after = q + 1 < lineEnd ? s.charCodeAt(q + 1) : SPACE;
      if (after <= SPACE || (inObjectList && after === CLOSE_BRACE)) {
        this.valueEnd = q;
        this.resume = q + 1;
        this.form = form;
        return;
      }
      from = q + 1;
    }
    this.current.addProblem({
      code: "SIE_UNTERMINATED_QUOTE",
      message: "quoted field is not closed before the end of the line; read up to the line end",
      line: this.lineNumber,
      column: quoteAt - lineStart + 1,
    });
    let end = lineEnd;
    while (end > quoteAt + 1 && s.charCodeAt(end - 1) <= SPACE) end--;
    this.valueEnd = end;
    this.resume = lineEnd;
    this.form = form;
  }

  /** Reads `{dim obj …}` from `braceAt` as one field; returns where scanning resumes. */
  private readObjectList(s: string, braceAt: number, lineStart: number, lineEnd: number, column: number): number {
    const line = this.current;
    const field = line.fieldCount;
    const firstItem = line.itemCount;
    line.addField(firstItem, 0, FORM_LIST, column);
    let p = braceAt + 1;
    let closed = false;
    while (p < lineEnd) {
      let c = s.charCodeAt(p);
      if (c <= SPACE) {
        p = this.skipBlanks(s, p, lineStart, lineEnd);
        continue;
      }
      if (c === CLOSE_BRACE) {
        p++;
        closed = true;
        break;
      }
      if (c === QUOTE) {
        this.readQuoted(s, p, lineStart, lineEnd, true);
        line.addItem(p + 1, this.valueEnd, this.form);
        p = this.resume;
      } else {
        const valueStart = p;
        for (p++; p < lineEnd; p++) {
          c = s.charCodeAt(p);
          if (c <= SPACE || c === CLOSE_BRACE) break;
        }
        line.addItem(valueStart, p, FORM_PLAIN);
      }
    }
    line.ends[field] = line.itemCount - firstItem;
    if (!closed) {
      line.addProblem({
        code: "SIE_UNCLOSED_OBJECT_LIST",
        message: "object list '{' is not closed with '}' on the same line",
        line: this.lineNumber,
        column: braceAt - lineStart + 1,
      });
    }
    return p;
  }

  /** Skips spaces and TABs from `p`; other control characters are blanks too, but reported. */
  private skipBlanks(s: string, p: number, lineStart: number, lineEnd: number): number {
    for (; p < lineEnd; p++) {
      const c = s.charCodeAt(p);
      if (c > SPACE) break;
      if (c !== SPACE && c !== TAB) this.controlCharacter(c, p - lineStart + 1);
    }
    return p;
  }

  /** A NUL in the line: binary data, not SIE text (SIE 4B §5.7). */
  private binaryContent(lineStart: number): never {
    throw new MalformedInputError("SIE_BINARY_CONTENT", "NUL byte: the file holds binary data, not SIE text", {
      fileName: this.fileName,
      location: { line: this.lineNumber, column: this.nextNul - lineStart + 1 },
      expected: "text records as in SIE 4B §5 (control characters are not allowed, §5.7)",
    });
  }

  /** A control character other than TAB between or in unquoted fields: reported, and read as a blank. */
  private controlCharacter(c: number, column: number): void {
    if (c === SUBSTITUTE || c === FORM_FEED) return;
    this.current.addProblem({
      code: "SIE_CONTROL_CHARACTER",
      message: `control character U+${c.toString(16).toUpperCase().padStart(4, "0")} is not allowed in SIE text (SIE 4B §5.7); read as a blank`,
      line: this.lineNumber,
      column,
    });
  }
}

export { SieLine };
export type { SieField, SieObjectList, SieTokenProblem, SieLineKind } from "./SieLine.ts";
