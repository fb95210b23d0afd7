import type { Account, ControlTotals, FileHeader, Issue, Party, Transaction } from "../ledger/types.ts";

/**
 * What every parser yields, in file order. The header comes first (exactly once); the other records follow in
 * the order the file has them. Per-record problems are `issue` records; structural problems throw a
 * {@link FormatError} (see errors.ts).
 */
export type ImportRecord =
  | { type: "header"; header: FileHeader }
  /**
   * A correction to the header that could only be known later in the stream (the SAF-T version decided by
   * structure seen after the first records; a CSV encoding decided by bytes after the detection sample; the period
   * of a SAF-T file without SelectionCriteria, taken from its transactions' dates).
   */
  | { type: "headerUpdate"; changes: Partial<Pick<FileHeader, "formatVersion" | "encoding" | "period">> }
  | { type: "account"; account: Account }
  | { type: "party"; party: Party }
  | { type: "controlTotals"; controlTotals: ControlTotals }
  | { type: "transaction"; transaction: Transaction }
  | { type: "issue"; issue: Issue };

/** Options every parser takes. */
export interface ParseOptions {
  /** Name of the file being read, used in error messages and issues. */
  fileName?: string;
  /** Explicit character encoding; overrides detection (e.g. `cp865`, `windows-1252`, `utf-8`). */
  encoding?: string;
}

/** A streaming parser: bytes in, records out. */
export type Parser<O extends ParseOptions = ParseOptions> = (
  source: AsyncIterable<Uint8Array>,
  options?: O,
) => AsyncGenerator<ImportRecord, void, undefined>;
