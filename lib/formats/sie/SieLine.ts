import { tryParseOre, type Ore } from "../../money/ore.ts";
import { SieTextDecoder, type FastSliceBuffer } from "./SieTextDecoder.ts";

/**
 * An object list as it stands in a record, `{1 "456" 7 "47"}` → `["1", "456", "7", "47"]` (SIE 4B §8, #TRANS
 * objektlista). `{}` and `{ }` are empty lists.
 */
export type SieObjectList = readonly string[];

/** One field of a record: a plain or quoted value (quotes removed, `\"` unescaped) or an object list. */
export type SieField = string | SieObjectList;

/** A problem the tokenizer met on a line that it could still read (the reader turns it into an issue). */
export interface SieTokenProblem {
  code: "SIE_UNTERMINATED_QUOTE" | "SIE_UNCLOSED_OBJECT_LIST" | "SIE_CONTROL_CHARACTER";
  message: string;
  line: number;
  column: number;
}

export type SieLineKind = "record" | "open" | "close" | "text";

/** How a stored value is written: plain, quoted, quoted holding `\"` (to unescape), or an object list. */
export const FORM_PLAIN = 0;
export const FORM_QUOTED = 1;
export const FORM_ESCAPED = 2;
export const FORM_LIST = 3;
/** Added to a form when the value holds bytes ≥ 0x80 (only those need the encoding to be decoded). */
export const FORM_HIGH = 4;

/** Fields a line can hold before the storage grows. */
const INITIAL_CAPACITY = 16;

/** Digits an amount may have before the fast path hands over to bigint parsing of the string. */
const FAST_PATH_DIGITS = 15;

function grow<T extends Int32Array | Uint8Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

/** Lines tokenized from text given as a string (UTF-8 bytes underneath) share this decoder. */
const UTF8 = new SieTextDecoder("utf-8");

const EMPTY = Buffer.alloc(0) as FastSliceBuffer;

/** Bytes read at a time into the Latin-1 view ASCII values are cut from (see {@link SieLine.decode}). */
const VIEW_BYTES = 64 * 1024;

/** Values up to this many bytes are interned by {@link SieLine.cachedString}. */
const CACHED_VALUE_BYTES = 32;
/** Slots of the value cache (a power of two). */
const CACHE_SLOTS = 4096;

/**
 * Strings of short values that recur (account numbers, voucher series, object ids, row texts), by their bytes: a
 * direct-mapped table (a new value takes the slot of its hash), so its size is fixed (≈ 200 KiB) whatever the
 * file. Each hit saves cutting out (and later collecting) a string, and the same string coming back each time has
 * its hash already computed when a consumer uses it as a map key. Keyed by bytes and form; valid for one decoder.
 */
class SieValueCache {
  readonly strings: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);
  /** Per slot: the first and the last four bytes of the value (all of it when it has at most eight). */
  readonly heads = new Int32Array(CACHE_SLOTS);
  readonly tails = new Int32Array(CACHE_SLOTS);
  /** Per slot: length, and form shifted left by 8 (0 = empty slot: a cached value has at least one byte). */
  readonly shapes = new Int32Array(CACHE_SLOTS);
  /** The value bytes of each slot, CACHED_VALUE_BYTES apart (only compared for values of more than eight bytes). */
  readonly keys = new Uint8Array(CACHE_SLOTS * CACHED_VALUE_BYTES);

  constructor(readonly decoder: SieTextDecoder) {}
}

/**
 * One non-blank line of a SIE file, as the tokenizer found it:
 * - `record`: a `#LABEL` with its fields (SIE 4B §5.3, §5.7);
 * - `open` / `close`: a `{` or `}` alone on its line, around sub-records such as the #TRANS rows of a #VER (§5.4);
 * - `text`: anything else (not SIE syntax); {@link text} holds the trimmed line.
 *
 * The fields are kept as byte positions in the input and read on demand ({@link string}, {@link amount},
 * {@link objectList} …): amounts and dates are read straight from the bytes, and only the values the reader
 * keeps are decoded to strings (with the encoding the decoding stage decided), which is what makes the reader
 * fast. {@link SieLineTokenizer.next} reuses one instance; take a {@link snapshot} to keep a line.
 */
export class SieLine {
  kind: SieLineKind = "text";
  /** The label as written (`#TRANS`), or `""` for other kinds. */
  label = "";
  /** 1-based line number. CR LF, LF and a lone CR each end one line. */
  line = 0;
  /** The trimmed line, for `text` lines. */
  text: string | undefined;
  problems: SieTokenProblem[] | undefined;
  /** Number of fields after the label. */
  fieldCount = 0;

  /** @internal The bytes the positions refer to, the decoder for their text, and where the line starts in them. */
  bytes: FastSliceBuffer = EMPTY;
  /** @internal */
  decoder: SieTextDecoder = UTF8;
  /**
   * A stretch of the bytes read as Latin-1 (from `viewStart` to `viewEnd`), made when a value outside the last one
   * is asked for: ASCII values are cut out of it.
   */
  private view: string | undefined;
  private viewStart = 0;
  private viewEnd = 0;
  /** See {@link cachedString}; replaced when the decoder changes (the same bytes may then read differently). */
  private cache: SieValueCache | undefined;
  /** @internal */
  lineStart = 0;
  /** @internal Where the line's break (or the end of the input) is. */
  lineEnd = 0;
  /** @internal Byte position of the first non-blank character, and just past the last non-blank one. */
  firstByte = 0;
  /** @internal */
  endByte = 0;
  /** @internal Per field: value start and end (for object lists: first item index and item count), form. */
  starts = new Int32Array(INITIAL_CAPACITY);
  /** @internal */
  ends = new Int32Array(INITIAL_CAPACITY);
  /** @internal */
  forms = new Uint8Array(INITIAL_CAPACITY);
  /** @internal Per field: byte position of its first character (the quote or brace when there is one). */
  positions = new Int32Array(INITIAL_CAPACITY);
  /** @internal Object-list items: value start, end, form. */
  itemCount = 0;
  /** @internal */
  itemStarts = new Int32Array(INITIAL_CAPACITY);
  /** @internal */
  itemEnds = new Int32Array(INITIAL_CAPACITY);
  /** @internal */
  itemForms = new Uint8Array(INITIAL_CAPACITY);

  /**
   * 1-based column of the line's first non-blank character. Columns count UTF-16 code units of the decoded
   * line (a character of a UTF-8 file may take several bytes), as editors and the other readers do.
   */
  get column(): number {
    return this.columnAt(this.firstByte);
  }

  /** 1-based column just past the last non-blank character (where a missing field would be). */
  get endColumn(): number {
    return this.columnAt(this.endByte);
  }

  /** @internal The 1-based column of byte position `at` of this line. */
  columnAt(at: number): number {
    return this.decoder.units(this.bytes, this.lineStart, at) + 1;
  }

  /** @internal Starts a new line at `lineStart` of `bytes`. */
  reset(bytes: FastSliceBuffer, decoder: SieTextDecoder, lineStart: number, line: number): void {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = undefined;
    }
    this.decoder = decoder;
    this.lineStart = lineStart;
    this.line = line;
    this.kind = "text";
    this.label = "";
    this.text = undefined;
    this.problems = undefined;
    this.fieldCount = 0;
    this.itemCount = 0;
  }

  /** @internal Appends a field. */
  addField(start: number, end: number, form: number, position: number): void {
    const index = this.fieldCount++;
    if (index >= this.starts.length) {
      this.starts = grow(this.starts, index + 1);
      this.ends = grow(this.ends, index + 1);
      this.forms = grow(this.forms, index + 1);
      this.positions = grow(this.positions, index + 1);
    }
    this.starts[index] = start;
    this.ends[index] = end;
    this.forms[index] = form;
    this.positions[index] = position;
  }

  /** @internal Appends an object-list item. */
  addItem(start: number, end: number, form: number): void {
    const index = this.itemCount++;
    if (index >= this.itemStarts.length) {
      this.itemStarts = grow(this.itemStarts, index + 1);
      this.itemEnds = grow(this.itemEnds, index + 1);
      this.itemForms = grow(this.itemForms, index + 1);
    }
    this.itemStarts[index] = start;
    this.itemEnds[index] = end;
    this.itemForms[index] = form;
  }

  /** @internal Adds a problem. */
  addProblem(problem: SieTokenProblem): void {
    (this.problems ??= []).push(problem);
  }

  /**
   * @internal The text of `bytes[start…end)`, `\"` unescaped when the form says so. ASCII is the same in every
   * encoding the tokenizer reads, so a value without high bytes is cut out of a Latin-1 view of a stretch of
   * {@link VIEW_BYTES} (one native call per stretch instead of one per value); only values with high bytes are
   * decoded on their own.
   */
  decode(start: number, end: number, form: number): string {
    if (start === end) return "";
    let raw: string;
    if ((form & FORM_HIGH) === 0) {
      if (this.view === undefined || start < this.viewStart || end > this.viewEnd) this.cutView(start, end);
      raw = this.view!.slice(start - this.viewStart, end - this.viewStart);
    } else {
      raw = this.decoder.decode(this.bytes, start, end, this);
    }
    return (form & ~FORM_HIGH) === FORM_ESCAPED ? raw.replaceAll('\\"', '"') : raw;
  }

  /**
   * Reads the bytes from `start` (at least up to `end`) as Latin-1 for {@link decode}. A stretch rather than the
   * whole chunk: Node makes a string of more than about 1 MB an external string, which is three times slower to
   * cut values out of, and a value cut out of a view keeps it alive.
   */
  private cutView(start: number, end: number): void {
    const viewEnd = Math.min(this.bytes.length, Math.max(end, start + VIEW_BYTES));
    this.view = this.bytes.latin1Slice(start, viewEnd);
    this.viewStart = start;
    this.viewEnd = viewEnd;
  }

  /**
   * @internal Like {@link decode}, for values that tend to recur: a value of at most {@link CACHED_VALUE_BYTES}
   * bytes is looked up by its bytes (and form) in a fixed-size cache and its string reused. A cached string is
   * cut from the bytes on its own, never out of the chunk's Latin-1 view, so the cache does not keep chunks alive.
   */
  intern(start: number, end: number, form: number): string {
    const length = end - start;
    if (length === 0) return "";
    if (length > CACHED_VALUE_BYTES) return this.decode(start, end, form);
    let cache = this.cache;
    if (cache === undefined || cache.decoder !== this.decoder) cache = this.cache = new SieValueCache(this.decoder);
    const b = this.bytes;
    // The first and last four bytes (overlapping when the value is shorter than eight; a value of at most eight
    // bytes is wholly in them, with its length) hash it and, for such values, identify it without a byte loop.
    let head: number;
    let tail: number;
    if (length >= 4) {
      head = b[start]! | (b[start + 1]! << 8) | (b[start + 2]! << 16) | (b[start + 3]! << 24);
      tail = b[end - 4]! | (b[end - 3]! << 8) | (b[end - 2]! << 16) | (b[end - 1]! << 24);
    } else {
      head = b[start]! | (length > 1 ? b[start + 1]! << 8 : 0) | (length > 2 ? b[start + 2]! << 16 : 0);
      tail = 0;
    }
    const shape = length | (form << 8);
    let hash = Math.imul(head ^ shape, 0x9e3779b1);
    hash = Math.imul(hash ^ (hash >>> 15) ^ tail, 0x85ebca6b);
    const slot = (hash ^ (hash >>> 13)) & (CACHE_SLOTS - 1);
    const keys = cache.keys;
    const base = slot * CACHED_VALUE_BYTES;
    if (cache.shapes[slot] === shape && cache.heads[slot] === head && cache.tails[slot] === tail) {
      if (length <= 8) return cache.strings[slot]!;
      let i = 4;
      while (i < length - 4 && keys[base + i] === b[start + i]) i++;
      if (i >= length - 4) return cache.strings[slot]!;
    }
    const raw = (form & FORM_HIGH) === 0 ? b.latin1Slice(start, end) : this.decoder.decode(b, start, end, this);
    const value = (form & ~FORM_HIGH) === FORM_ESCAPED ? raw.replaceAll('\\"', '"') : raw;
    if (length > 8) for (let i = 4; i < length - 4; i++) keys[base + i] = b[start + i]!;
    cache.strings[slot] = value;
    cache.shapes[slot] = shape;
    cache.heads[slot] = head;
    cache.tails[slot] = tail;
    return value;
  }

  /** Whether field `index` is an object list. */
  isObjectList(index: number): boolean {
    return index < this.fieldCount && this.forms[index] === FORM_LIST;
  }

  /** Field `index` as a string; `undefined` when the field is missing or an object list. */
  string(index: number): string | undefined {
    if (index >= this.fieldCount) return undefined;
    const form = this.forms[index]!;
    if (form === FORM_LIST) return undefined;
    return this.decode(this.starts[index]!, this.ends[index]!, form);
  }

  /**
   * Field `index` as a string, like {@link string}, for values that tend to recur (account numbers, series, row
   * texts): short ones come from a cache of the values seen (see {@link intern}), so a repeated value costs no
   * new string. The text is the same as {@link string} gives.
   */
  cachedString(index: number): string | undefined {
    if (index >= this.fieldCount) return undefined;
    const form = this.forms[index]!;
    if (form === FORM_LIST) return undefined;
    return this.intern(this.starts[index]!, this.ends[index]!, form);
  }

  /** Number of items in the object list at `index` (0 when it is not one). */
  objectListLength(index: number): number {
    return this.isObjectList(index) ? this.ends[index]! : 0;
  }

  /** The object list at `index`, or `undefined` when the field is missing or not an object list. */
  objectList(index: number): SieObjectList | undefined {
    if (!this.isObjectList(index)) return undefined;
    const first = this.starts[index]!;
    const items: string[] = [];
    for (let i = first; i < first + this.ends[index]!; i++) {
      items.push(this.decode(this.itemStarts[i]!, this.itemEnds[i]!, this.itemForms[i]!));
    }
    return items;
  }

  /**
   * Item `item` (0-based) of the object list at field `index`, through the value cache like {@link cachedString}.
   * The caller checks `item < objectListLength(index)`.
   */
  cachedItem(index: number, item: number): string {
    const i = this.starts[index]! + item;
    return this.intern(this.itemStarts[i]!, this.itemEnds[i]!, this.itemForms[i]!);
  }

  /** Field `index` in whichever form it has. */
  field(index: number): SieField | undefined {
    return this.isObjectList(index) ? this.objectList(index) : this.string(index);
  }

  /** All fields (allocates; the reader's hot path reads single fields instead). */
  get fields(): SieField[] {
    const fields: SieField[] = [];
    for (let i = 0; i < this.fieldCount; i++) fields.push(this.field(i)!);
    return fields;
  }

  /** 1-based columns of the fields. */
  get fieldColumns(): number[] {
    const columns: number[] = [];
    for (let i = 0; i < this.fieldCount; i++) columns.push(this.columnAt(this.positions[i]!));
    return columns;
  }

  /** 1-based column of field `index`, or the end of the line when there is no such field. */
  fieldColumn(index: number): number {
    return index < this.fieldCount ? this.columnAt(this.positions[index]!) : this.endColumn;
  }

  /** Whether field `index` is a string with no characters (`""`), or missing. */
  isEmpty(index: number): boolean {
    return index >= this.fieldCount || (this.forms[index] !== FORM_LIST && this.starts[index] === this.ends[index]);
  }

  /**
   * Field `index` read as a SIE amount (SIE 4B §5.9: `.` decimal point, at most two decimals, decimals optional,
   * leading `-` only) in øre, or `undefined` when it is missing, an object list or not an amount. Forms the spec
   * forbids but {@link tryParseOre} still reads exactly (`+5`, `.5`, `1.500`) are accepted too.
   *
   * The usual shape is read straight from the bytes: digits are accumulated as an integer count of øre, exact
   * because at most {@link FAST_PATH_DIGITS} digits (< 2^53) go this way; no floating-point parsing is involved.
   */
  amount(index: number): Ore | undefined {
    if (index >= this.fieldCount) return undefined;
    const form = this.forms[index]!;
    if (form === FORM_LIST) return undefined;
    const b = this.bytes;
    const end = this.ends[index]!;
    let i = this.starts[index]!;
    if (i === end) return undefined;
    let negative = false;
    if (b[i] === 45 /* - */) {
      negative = true;
      i++;
    }
    const digitsStart = i;
    let ore = 0;
    for (; i < end; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      ore = ore * 10 + d;
    }
    const wholeDigits = i - digitsStart;
    let fractionDigits = 0;
    if (i < end && b[i] === 46 /* . */) {
      for (i++; i < end && fractionDigits < 3; i++) {
        const d = b[i]! - 48;
        if (d < 0 || d > 9) break;
        ore = ore * 10 + d;
        fractionDigits++;
      }
    }
    if (i !== end || wholeDigits === 0 || fractionDigits > 2 || wholeDigits + fractionDigits > FAST_PATH_DIGITS) {
      return tryParseOre(this.decode(this.starts[index]!, end, form));
    }
    if (fractionDigits === 0) ore *= 100;
    else if (fractionDigits === 1) ore *= 10;
    return BigInt(negative ? -ore : ore);
  }

  /**
   * Field `index` as the number YYYYMMDD when it is exactly eight digits (not checked as a calendar date), else -1.
   * Lets the reader compare a #TRANS transdat with its voucher's date without cutting out a string.
   */
  eightDigits(index: number): number {
    if (index >= this.fieldCount || this.forms[index] === FORM_LIST) return -1;
    const start = this.starts[index]!;
    if (this.ends[index]! - start !== 8) return -1;
    const b = this.bytes;
    let n = 0;
    for (let i = start; i < start + 8; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  }

  /** An independent copy (with its own copy of the line's bytes), safe to keep after the tokenizer moves on. */
  snapshot(): SieLine {
    const copy = new SieLine();
    const offset = this.lineStart;
    copy.kind = this.kind;
    copy.label = this.label;
    copy.line = this.line;
    copy.text = this.text;
    copy.problems = this.problems?.slice();
    copy.fieldCount = this.fieldCount;
    copy.bytes = Buffer.from(this.bytes.subarray(offset, this.lineEnd)) as FastSliceBuffer;
    copy.decoder = this.decoder;
    copy.cache = this.cache;
    copy.lineStart = 0;
    copy.lineEnd = this.lineEnd - offset;
    copy.firstByte = this.firstByte - offset;
    copy.endByte = this.endByte - offset;
    copy.starts = this.starts.slice();
    copy.ends = this.ends.slice();
    copy.forms = this.forms.slice();
    copy.positions = this.positions.slice();
    for (let i = 0; i < this.fieldCount; i++) {
      copy.positions[i]! -= offset;
      if (copy.forms[i] !== FORM_LIST) {
        copy.starts[i]! -= offset;
        copy.ends[i]! -= offset;
      }
    }
    copy.itemCount = this.itemCount;
    copy.itemStarts = this.itemStarts.slice();
    copy.itemEnds = this.itemEnds.slice();
    copy.itemForms = this.itemForms.slice();
    for (let i = 0; i < this.itemCount; i++) {
      copy.itemStarts[i]! -= offset;
      copy.itemEnds[i]! -= offset;
    }
    return copy;
  }
}
