import type { ParseOptions } from "../records.ts";
import { sieByteStream } from "./sieByteStream.ts";
import { SieLineTokenizer, type SieLine } from "./SieLineTokenizer.ts";
import type { ByteSource } from "../shared/sources.ts";

/**
 * The raw pass of the SIE reader: encoding decision and tokenizing only, no record mapping. Yields the lines of
 * each chunk as one batch (snapshots, safe to keep). The benchmark compares it with {@link parseSie} to show what the mapping costs;
 * it is also handy for tools that want SIE records the reader does not map (#PSALDO, #OBJEKT …).
 */
export async function* tokenizeSie(
  source: ByteSource,
  options: Pick<ParseOptions, "fileName" | "encoding"> = {},
): AsyncGenerator<SieLine[], void, undefined> {
  const tokenizer = new SieLineTokenizer({ fileName: options.fileName });
  const bytes = sieByteStream(source, {
    override: options.encoding,
    onDecision: (_, bytesEncoding) => tokenizer.setEncoding(bytesEncoding),
  });
  for await (const chunk of bytes) {
    tokenizer.feedBytes(chunk);
    const lines: SieLine[] = [];
    for (let line = tokenizer.next(); line !== undefined; line = tokenizer.next()) lines.push(line.snapshot());
    if (lines.length > 0) yield lines;
  }
  const last = tokenizer.end();
  if (last.length > 0) yield last;
}
