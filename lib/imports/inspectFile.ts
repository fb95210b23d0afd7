import { summarizeLedger, type LedgerSummary } from "../ledger/summarizeLedger.ts";
import { parseFile, type ParseFileOptions } from "../formats/parseFile.ts";

/**
 * Reads one file (SAF-T, SIE or CSV) as a stream and returns its trial balance, transaction statistics and
 * validation report, without storing anything. Structural problems throw a FormatError.
 */
export async function inspectFile(
  source: AsyncIterable<Uint8Array>,
  options: ParseFileOptions = {},
): Promise<LedgerSummary> {
  const { records } = await parseFile(source, options);
  return summarizeLedger(records);
}
