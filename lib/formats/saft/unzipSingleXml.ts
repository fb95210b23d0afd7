import { Inflate } from "fflate";
import {
  MalformedInputError,
  TruncatedInputError,
  UnsupportedFormatError,
  ZipEncryptedError,
  ZipTooLargeError,
} from "../errors.ts";
import type { ByteSource } from "../shared/sources.ts";

/** Local file header signature of a ZIP archive ("PK\x03\x04"); an empty archive starts with "PK\x05\x06". */
export function looksLikeZip(head: Uint8Array): boolean {
  return (
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    (head[2] === 0x03 || head[2] === 0x05) &&
    (head[3] === 0x04 || head[3] === 0x06)
  );
}

/** Bounds on what a ZIP archive may inflate to (zip bombs). */
export interface UnzipLimits {
  /** Most bytes the XML entry may inflate to (default {@link DEFAULT_MAX_INFLATED_BYTES}). */
  maxInflatedBytes?: number;
  /**
   * Highest ratio of inflated to compressed bytes of the XML entry (default {@link DEFAULT_MAX_COMPRESSION_RATIO}),
   * checked once {@link RATIO_CHECK_FLOOR_BYTES} have been inflated.
   */
  maxCompressionRatio?: number;
}

/** 8 GiB: four times the largest SAF-T file the uploads API accepts (2 GiB), still far from what breaks a Lambda. */
export const DEFAULT_MAX_INFLATED_BYTES = 8 * 1024 ** 3;
/**
 * SAF-T XML deflates 8–30× (repeated tags, digits); DEFLATE itself cannot go beyond ≈ 1 032×, which only runs of one
 * byte reach. 200× leaves a wide margin for real files and stops a bomb after a few MiB of input.
 */
export const DEFAULT_MAX_COMPRESSION_RATIO = 200;
/** Below this many inflated bytes the ratio is not judged (a small file may well deflate 500×). */
export const RATIO_CHECK_FLOOR_BYTES = 16 * 1024 * 1024;

/** macOS resource forks (`__MACOSX/…`, `._name.xml`) are not the file the user meant. */
function isXmlEntry(name: string): boolean {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return /\.xml$/i.test(base) && !base.startsWith("._") && !name.startsWith("__MACOSX/");
}

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const DATA_DESCRIPTOR = 0x08074b50;
const STORED = 0;
const DEFLATED = 8;
/** WinZip AES: the real method is in an extra field, the data is encrypted. */
const AES_ENCRYPTED = 99;

/** Input handed to the inflater at once: small enough that even a 1 032× run inflates to a bounded buffer. */
const MAX_INFLATE_PIECE = 16 * 1024;
const MIN_INFLATE_PIECE = 1024;
/** The inflater's output per piece is steered towards this (the piece shrinks when output is larger). */
const TARGET_INFLATED_PIECE = 1024 * 1024;

interface Entry {
  name: string;
  flags: number;
  method: number;
  /** Compressed size, or -1 when it is only in the data descriptor after the data (flag bit 3). */
  size: number;
  zip64: boolean;
  xml: boolean;
}

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 2 ** 32;

/**
 * Streams the one XML file inside a ZIP archive (SAF-T files are often delivered zipped: Altinn takes zipped
 * attachments), reading the archive front to back as it arrives, never staged to disk or held whole
 * in memory (APPNOTE.TXT 6.3: local file headers, data, optional data descriptors, then the central directory, which
 * is not needed).
 *
 * Bounded whatever the archive holds (issue #8):
 * - the XML entry is inflated (fflate's `Inflate`) in small pieces, each piece's output handed on before the next, so
 *   memory stays flat even for a 1 000× bomb; its size and ratio are bounded by {@link UnzipLimits};
 * - an entry that is not XML is refused at its first inflated bytes; other entries are skipped without being
 *   inflated or held; any number of entries is read in a loop (no recursion);
 * - an encrypted XML entry ({@link ZipEncryptedError}) or an unknown compression method says so.
 *
 * Why not fflate's streaming `Unzip` (used before): it recurses once per entry within a chunk (3 000 small entries
 * overflow the stack), keeps the compressed data of entries nobody starts, inflates a whole pushed chunk at once, and
 * does not expose the encryption flag.
 *
 * Because entries are discovered in archive order, "several XML files" is only known when the second XML entry's
 * header arrives, i.e. after the first has been streamed; the error is thrown then (the caller aborts the import).
 * A ZIP without any XML entry fails at the end with the list of entries it does hold.
 */
export async function* unzipSingleXml(
  source: ByteSource,
  fileName?: string,
  limits: UnzipLimits = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const maxInflated = limits.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  const maxRatio = limits.maxCompressionRatio ?? DEFAULT_MAX_COMPRESSION_RATIO;
  // Positions in an archive are byte offsets (there are no lines); messages say "at byte N of the archive".
  const context = (expected?: string) => ({ fileName, ...(expected ? { expected } : {}) });

  let pending: Uint8Array = new Uint8Array(0);
  /** Absolute offset of `pending[0]`. */
  let base = 0;
  let state: "header" | "data" | "descriptor" | "done" = "header";
  let entry: Entry | undefined;
  /** Compressed bytes of the current entry still to come (known size) or seen so far (unknown size). */
  let remaining = 0;
  let consumed = 0;
  let xmlEntry: string | undefined;
  let xmlDone = false;
  const otherEntries: string[] = [];

  // The XML entry's inflater and its bounds.
  let inflater: Inflate | undefined;
  let out: Uint8Array[] = [];
  let inflated = 0;
  let compressed = 0;
  let piece = MIN_INFLATE_PIECE * 4;
  let firstBytesChecked = false;

  const deliver = (data: Uint8Array) => {
    if (data.length === 0) return;
    inflated += data.length;
    if (!firstBytesChecked) checkFirstBytes(data);
    if (inflated > maxInflated) {
      throw new ZipTooLargeError(
        "ZIP_TOO_LARGE",
        `${entry!.name} inflates to more than ${maxInflated} bytes (at byte ${base} of the archive); refused`,
        context("a smaller file, or a higher limit"),
      );
    }
    if (inflated > RATIO_CHECK_FLOOR_BYTES && inflated > maxRatio * compressed) {
      throw new ZipTooLargeError(
        "ZIP_RATIO_TOO_HIGH",
        `${entry!.name} inflates more than ${maxRatio}× its compressed size (${inflated} bytes from ${compressed}, at byte ${base} of the archive); refused as a zip bomb`,
        context(),
      );
    }
    out.push(data);
  };

  const checkFirstBytes = (data: Uint8Array) => {
    // An XML document starts with '<', maybe after a byte-order mark and white space (XML 1.0 §2.1, §4.3.3).
    let i = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
    while (i < data.length && (data[i] === 0x20 || data[i] === 0x0a || data[i] === 0x0d || data[i] === 0x09)) i++;
    if (i >= data.length) return; // only white space so far
    firstBytesChecked = true;
    const utf16 = (data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff);
    if (data[i] !== 0x3c && !utf16) {
      throw new UnsupportedFormatError(
        `${entry!.name} in the ZIP archive is not XML (it starts with byte 0x${data[i]!.toString(16).padStart(2, "0")})`,
        {
          fileName,
          expected: "a SAF-T XML file in the archive",
        },
      );
    }
  };

  /** Feeds compressed bytes of the XML entry to its consumer. */
  const feed = (data: Uint8Array, final: boolean) => {
    if (!inflater) {
      compressed += data.length;
      deliver(data); // stored: the bytes are the file
      return;
    }
    for (let at = 0; at < data.length || (final && at === data.length);) {
      const end = Math.min(data.length, at + piece);
      const last = final && end === data.length;
      const before = inflated;
      compressed += end - at;
      try {
        inflater.push(data.subarray(at, end), last);
      } catch (error) {
        if (error instanceof MalformedInputError || error instanceof UnsupportedFormatError) throw error;
        throw new MalformedInputError(
          "ZIP_CORRUPT",
          `cannot inflate ${entry!.name} (at byte ${base} of the archive): ${(error as Error).message}`,
          { ...context(), cause: error },
        );
      }
      const produced = inflated - before;
      piece = Math.max(
        MIN_INFLATE_PIECE,
        Math.min(
          MAX_INFLATE_PIECE,
          produced > 0 ? Math.floor(((end - at) * TARGET_INFLATED_PIECE) / produced) : MAX_INFLATE_PIECE,
        ),
      );
      at = end;
      if (last) break;
    }
  };

  const startEntry = (e: Entry) => {
    if (!e.xml) {
      otherEntries.push(e.name);
      return;
    }
    if (xmlEntry !== undefined) {
      throw new UnsupportedFormatError(
        `the ZIP archive holds several XML files (${xmlEntry}, ${e.name}, …); zip one SAF-T file per archive`,
        {
          fileName,
          expected: "exactly one .xml file in the archive",
        },
      );
    }
    xmlEntry = e.name;
    if ((e.flags & 1) !== 0 || e.method === AES_ENCRYPTED) {
      throw new ZipEncryptedError(
        `${e.name} in the ZIP archive is encrypted (password-protected); unzip it and upload the XML file, or zip it without a password`,
        {
          fileName,
          expected: "an unencrypted archive",
        },
      );
    }
    if (e.method !== STORED && e.method !== DEFLATED) {
      throw new UnsupportedFormatError(
        `${e.name} in the ZIP archive is compressed with method ${e.method}, which saldo does not read`,
        {
          fileName,
          expected: "a ZIP archive with stored or deflated entries (the default of every zip tool)",
        },
      );
    }
    if (e.method === DEFLATED) {
      inflater = new Inflate((data, final) => {
        deliver(data);
        if (final) xmlDone = true;
      });
    }
  };

  const finishEntry = () => {
    if (entry!.xml) {
      if (inflater) {
        feed(new Uint8Array(0), true);
        if (!xmlDone)
          throw new MalformedInputError(
            "ZIP_CORRUPT",
            `${entry!.name} ends before its compressed data is complete (at byte ${base} of the archive)`,
            context(),
          );
        inflater = undefined;
      } else xmlDone = true;
    }
    // With flag bit 3 a data descriptor follows; when the size was unknown it has been read already to find the end.
    state = (entry!.flags & 8) !== 0 && entry!.size >= 0 ? "descriptor" : "header";
  };

  /** Processes `pending` as far as it goes; returns whether another step may make progress. */
  const step = (): boolean => {
    const b = pending;
    switch (state) {
      case "done":
        pending = new Uint8Array(0);
        return false;
      case "header": {
        if (b.length < 4) return false;
        const signature = u32(b, 0);
        if (signature === CENTRAL_DIRECTORY_HEADER || signature === END_OF_CENTRAL_DIRECTORY) {
          state = "done";
          return true;
        }
        if (signature !== LOCAL_FILE_HEADER) {
          throw new MalformedInputError(
            "ZIP_CORRUPT",
            `the ZIP archive has no entry header where one should start (at byte ${base} of the archive)`,
            context("a local file header (PK\\x03\\x04)"),
          );
        }
        if (b.length < 30) return false;
        const nameLength = u16(b, 26);
        const extraLength = u16(b, 28);
        if (b.length < 30 + nameLength + extraLength) return false;
        const flags = u16(b, 6);
        const nameBytes = b.subarray(30, 30 + nameLength);
        const name =
          (flags & 0x800) !== 0 ? Buffer.from(nameBytes).toString("utf8") : Buffer.from(nameBytes).toString("latin1");
        let size = u32(b, 18);
        let zip64 = false;
        // ZIP64 extended information (APPNOTE 4.5.3): 8-byte sizes when the 4-byte fields are 0xFFFFFFFF.
        for (let at = 30 + nameLength; at + 4 <= 30 + nameLength + extraLength;) {
          const id = u16(b, at);
          const length = u16(b, at + 2);
          if (id === 0x0001 && length >= 16) {
            zip64 = true;
            if (size === 0xffffffff) size = u64(b, at + 12);
          }
          at += 4 + length;
        }
        const method = u16(b, 8);
        if ((flags & 8) !== 0 && size === 0) size = -1; // sizes follow the data
        entry = { name, flags, method, size, zip64, xml: isXmlEntry(name) };
        advance(30 + nameLength + extraLength);
        startEntry(entry);
        remaining = entry.size;
        consumed = 0;
        state = "data";
        return true;
      }
      case "data": {
        const e = entry!;
        // The XML entry is inflated one piece per step, so its output is handed on before the next piece.
        const most = e.xml && inflater ? piece : Number.MAX_SAFE_INTEGER;
        if (e.size >= 0) {
          const take = Math.min(remaining, b.length, most);
          if (e.xml) feed(b.subarray(0, take), false);
          remaining -= take;
          advance(take);
          if (remaining === 0) {
            finishEntry();
            return true;
          }
          return take > 0 && pending.length > 0;
        }
        // Size unknown: the data ends at a data descriptor whose compressed size matches the bytes before it.
        let end = -1;
        let wait = b.length;
        for (let at = b.indexOf(0x50); at >= 0 && at + 4 <= b.length; at = b.indexOf(0x50, at + 1)) {
          if (u32(b, at) !== DATA_DESCRIPTOR) continue;
          const descriptorLength = e.zip64 ? 24 : 16;
          if (at + descriptorLength > b.length) {
            wait = at;
            break;
          }
          const size = e.zip64 ? u64(b, at + 8) : u32(b, at + 8);
          if (size === (consumed + at) % (e.zip64 ? Number.MAX_SAFE_INTEGER : 2 ** 32)) {
            end = at;
            break;
          }
        }
        // Hold back what may be the start of a descriptor signature.
        const usable = end >= 0 ? end : Math.min(wait, Math.max(0, b.length - 3));
        if (end < 0 || usable > most) {
          const take = Math.min(usable, most);
          if (e.xml) feed(b.subarray(0, take), false);
          consumed += take;
          advance(take);
          return take > 0 && take < usable;
        }
        if (e.xml) feed(b.subarray(0, end), false);
        consumed += end;
        advance(end + (e.zip64 ? 24 : 16));
        finishEntry();
        return true;
      }
      case "descriptor": {
        // Optional signature, CRC-32, sizes (APPNOTE 4.3.9).
        const signed = b.length >= 4 && u32(b, 0) === DATA_DESCRIPTOR;
        const length = (signed ? 4 : 0) + (entry!.zip64 ? 20 : 12);
        if (b.length < length) return false;
        advance(length);
        state = "header";
        return true;
      }
    }
  };

  const advance = (count: number) => {
    pending = pending.subarray(count);
    base += count;
  };

  for await (const chunk of source) {
    if (chunk.length === 0) continue;
    if (pending.length === 0) pending = chunk;
    else {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      pending = joined;
    }
    while (step()) {
      if (out.length > 0) {
        const ready = out;
        out = [];
        yield* ready;
      }
    }
    if (out.length > 0) {
      const ready = out;
      out = [];
      yield* ready;
    }
    // Keep only the unfinished part (a header, a possible descriptor signature), copied so the chunk is not retained.
    if (pending.length > 0 && pending.buffer === chunk.buffer) pending = Uint8Array.from(pending);
  }
  if (xmlEntry === undefined) {
    throw new UnsupportedFormatError(
      `the ZIP archive holds no XML file${otherEntries.length ? ` (entries: ${otherEntries.slice(0, 10).join(", ")}${otherEntries.length > 10 ? ", …" : ""})` : " (it is empty)"}`,
      { fileName, expected: "one SAF-T .xml file in the archive" },
    );
  }
  if (!xmlDone || (state !== "header" && state !== "done")) {
    throw new TruncatedInputError(
      `the ZIP archive ends inside ${entry?.name ?? xmlEntry} (at byte ${base} of the archive)`,
      context("the rest of the archive"),
    );
  }
}
