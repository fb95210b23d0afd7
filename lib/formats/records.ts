import type { ImportRecord } from "../ledger/records.ts";

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
