import type { ParseOptions } from "../records.ts";
import { sieByteStream } from "./sieByteStream.ts";
import { SieLineTokenizer } from "./SieLineTokenizer.ts";
import type { ByteSource } from "../shared/sources.ts";

/**
 * The benchmark's baseline: decides the encoding and tokenizes a SIE stream (lines and fields, SIE 4B §5) without mapping any
 * record, and returns the number of non-blank lines. The gap between this and {@link parseSie} is the cost of
 * the record mapping.
 */
export async function rawTokenizeSie(
  source: ByteSource,
  options: Pick<ParseOptions, "fileName" | "encoding"> = {},
): Promise<number> {
  const tokenizer = new SieLineTokenizer({ fileName: options.fileName });
  let count = 0;
  const bytes = sieByteStream(source, {
    override: options.encoding,
    onDecision: (_, bytesEncoding) => tokenizer.setEncoding(bytesEncoding),
  });
  for await (const chunk of bytes) {
    tokenizer.feedBytes(chunk);
    while (tokenizer.next() !== undefined) count++;
  }
  tokenizer.finish();
  while (tokenizer.next() !== undefined) count++;
  return count;
}
