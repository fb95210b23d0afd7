import { LedgerSummarizer, type LedgerSummary } from "../ledger/summarizeLedger.ts";
import { parseFile, type ParseFileOptions } from "../formats/parseFile.ts";
import { recordBatches } from "../formats/shared/recordBatches.ts";
import type { ByteSource } from "../formats/shared/sources.ts";

/**
 * Reads one file (SAF-T, SIE or CSV) as a stream and returns its trial balance, transaction statistics and
 * validation report, without storing anything. Structural problems throw a FormatError.
 */
export async function inspectFile(source: ByteSource, options: ParseFileOptions = {}): Promise<LedgerSummary> {
  const { records } = await parseFile(source, options);
  const summarizer = new LedgerSummarizer();
  // A chunk's records at a time, as the import reads them (lib/imports/importAttempt.ts).
  for await (const batch of recordBatches(records)) for (const record of batch) summarizer.add(record);
  return summarizer.finish();
}
