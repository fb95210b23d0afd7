import type { ImportRecord } from "../../ledger/records.ts";
import type { ParseOptions } from "../records.ts";
import { UnsupportedFormatError } from "../errors.ts";
import { ChunkRecordStream } from "../shared/ChunkRecordStream.ts";
import { peekSource, type ByteSource } from "../shared/sources.ts";
import { XmlTokenizer } from "../xml/XmlTokenizer.ts";
import { classifySaftElement } from "./saftElements.ts";
import { SaftRecordBuilder } from "./SaftRecordBuilder.ts";
import { looksLikeZip, unzipSingleXml, type UnzipLimits } from "./unzipSingleXml.ts";

/** {@link parseSaft}'s options: the common ones plus the bounds on hostile input (defaults suit every real file). */
export interface SaftParseOptions extends ParseOptions {
  /** Bounds on a zipped file's inflation (size and ratio); see {@link UnzipLimits}. */
  zip?: UnzipLimits;
  /** Longest text value kept, in characters (default 65 536); longer ones are cut with a `SAFT_VALUE_TOO_LONG` issue. */
  maxValueLength?: number;
}

/**
 * Reads a SAF-T Financial (Norway) file, schema versions 1.00–1.40, as a stream of records (Skatteetaten's
 * Norwegian_SAF-T_Financial_Schema XSDs).
 *
 * - Input: the XML bytes, or a ZIP archive holding exactly one XML file (detected by its "PK" signature and
 *   inflated as it streams, see {@link unzipSingleXml}).
 * - Elements are matched by local name, so default-namespace, `n1:`-prefixed and no-namespace files all read; a
 *   missing or odd namespace is reported as a warning issue. SAF-T Cash Register files, other XML and non-XML bytes
 *   are refused with {@link UnsupportedFormatError}.
 * - Encoding: UTF-8 (with or without BOM), or what the XML declaration names (ISO-8859-1, windows-1252, …);
 *   `options.encoding` overrides both.
 * - Records: the header first (held back until the first account/party/controlTotals/transaction so that its
 *   `formatVersion` reflects the structure, see {@link SaftRecordBuilder}), then accounts, parties, the control totals
 *   and one record per Transaction, in file order. Memory holds one transaction at a time.
 * - Structural problems throw MalformedInputError / TruncatedInputError / UnsafeXmlError with line:column;
 *   records yielded before the error are the same whatever the chunking.
 * - The stream is a {@link ChunkRecordStream}: an async generator in behaviour, without a generator's cost per record.
 */
export function parseSaft(
  source: ByteSource,
  options: SaftParseOptions = {},
): AsyncGenerator<ImportRecord, void, undefined> {
  return new ChunkRecordStream(async () => {
    const { fileName } = options;
    const peeked = await peekSource(source, 4);
    if (peeked.head.length === 0) {
      throw new UnsupportedFormatError("the input is empty", {
        fileName,
        location: { line: 1, column: 1, offset: 0 },
        expected: "a SAF-T Financial XML file",
      });
    }
    const xml = looksLikeZip(peeked.head) ? unzipSingleXml(peeked.source, fileName, options.zip) : peeked.source;
    const builder = new SaftRecordBuilder({ fileName, encodingOverride: options.encoding });
    const tokenizer = new XmlTokenizer(builder, {
      fileName,
      encoding: options.encoding,
      classify: classifySaftElement,
      ...(options.maxValueLength !== undefined ? { maxValueLength: options.maxValueLength } : {}),
    });
    builder.attach(tokenizer);
    return {
      chunks: xml,
      consumer: { out: builder.out, write: (chunk) => tokenizer.write(chunk), end: () => tokenizer.end() },
    };
  });
}
