/**
 * Options every parser takes. A parser is an async generator from bytes to the records of lib/ledger/records.ts
 * (`parseSaft`, `parseSie`, `parseCsvTrialBalance`, dispatched by `parseFile`).
 */
export interface ParseOptions {
  /** Name of the file being read, used in error messages and issues. */
  fileName?: string;
  /** Explicit character encoding; overrides detection (e.g. `cp865`, `windows-1252`, `utf-8`). */
  encoding?: string;
}
