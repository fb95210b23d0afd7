import type { ParseOptions } from "../records.ts";
import { decodeStream } from "../shared/decoding.ts";
import { SieLineTokenizer } from "./SieLineTokenizer.ts";

/**
 * The benchmark's baseline: decodes and tokenizes a SIE stream (lines and fields, SIE 4B §5) without mapping any
 * record, and returns the number of non-blank lines. The gap between this and {@link parseSie} is the cost of
 * the record mapping.
 */
export async function rawTokenizeSie(
  source: AsyncIterable<Uint8Array>,
  options: Pick<ParseOptions, "fileName" | "encoding"> = {},
): Promise<number> {
  const tokenizer = new SieLineTokenizer({ fileName: options.fileName });
  let count = 0;
  for await (const chunk of decodeStream(source, { override: options.encoding })) {
    tokenizer.feed(chunk);
    while (tokenizer.next() !== undefined) count++;
  }
  tokenizer.finish();
  while (tokenizer.next() !== undefined) count++;
  return count;
}
