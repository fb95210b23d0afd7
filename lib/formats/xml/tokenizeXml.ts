import { XmlTokenizer, type XmlTokenizerOptions } from "./XmlTokenizer.ts";
import type { ByteSource } from "../shared/sources.ts";

/** What a raw tokenizer pass saw. */
export interface XmlTokenizeSummary {
  /** Bytes read from the source. */
  bytes: number;
  /** Elements seen (start tags, self-closing ones included). */
  elements: number;
  /** Encoding the tokenizer decided on. */
  encoding: string;
}

/**
 * Tokenizes a whole XML stream without building anything: every tag is scanned, names are interned, nesting and
 * references are checked, but no text is decoded. The SAF-T benchmark uses it as the floor that `parseSaft` is
 * compared with (the cost of reading the XML at all).
 */
export async function tokenizeXml(source: ByteSource, options: XmlTokenizerOptions = {}): Promise<XmlTokenizeSummary> {
  let elements = 0;
  let bytes = 0;
  const tokenizer = new XmlTokenizer(
    {
      startElement() {
        elements++;
        return false;
      },
      endElement() {},
    },
    options,
  );
  for await (const chunk of source) {
    bytes += chunk.length;
    tokenizer.write(chunk);
  }
  tokenizer.end();
  return { bytes, elements, encoding: tokenizer.encoding };
}

/** {@link tokenizeXml} returning only the number of elements (the benchmark's "raw tokenizer pass"). */
export async function rawTokenizeXml(source: ByteSource, options: XmlTokenizerOptions = {}): Promise<number> {
  return (await tokenizeXml(source, options)).elements;
}
