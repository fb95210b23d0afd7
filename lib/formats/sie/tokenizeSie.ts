import type { ParseOptions } from "../records.ts";
import { decodeStream } from "../shared/decoding.ts";
import { SieLineTokenizer, type SieLine } from "./SieLineTokenizer.ts";

/**
 * The raw pass of the SIE reader: decoding and tokenizing only, no record mapping. Yields the lines of each
 * decoded chunk as one batch. The benchmark compares it with {@link parseSie} to show what the mapping costs;
 * it is also handy for tools that want SIE records the reader does not map (#PSALDO, #OBJEKT …).
 */
export async function* tokenizeSie(
  source: AsyncIterable<Uint8Array>,
  options: Pick<ParseOptions, "fileName" | "encoding"> = {},
): AsyncGenerator<SieLine[], void, undefined> {
  const tokenizer = new SieLineTokenizer({ fileName: options.fileName });
  for await (const chunk of decodeStream(source, { override: options.encoding })) {
    const lines = tokenizer.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const last = tokenizer.end();
  if (last.length > 0) yield last;
}
