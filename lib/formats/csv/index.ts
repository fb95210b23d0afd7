/**
 * CSV trial balance (saldobalanse) import: a streaming parser with layout detection, the explicit-layout schema the
 * CLI/API pass through, and the amount parser for Norwegian and international number dialects.
 */
export { parseCsvTrialBalance } from "./parseCsvTrialBalance.ts";
export {
  CsvColumnReferenceSchema,
  CsvColumnsSchema,
  CsvLayoutSchema,
  parseCsvColumnsSpec,
  parseCsvDelimiterSpec,
  csvLayoutFromCliOptions,
  describeLayout,
  hasLayout,
  type RememberedCsvLayoutOption,
  type CsvCliLayoutFlags,
  type CsvColumnReference,
  type CsvColumns,
  type CsvLayout,
  type CsvParseOptions,
} from "./CsvLayoutSchema.ts";
export { parseCsvAmount, decimalEvidence, isBlankAmount, trimCell, type DecimalSeparator } from "./parseCsvAmount.ts";
export { classifyHeaderCell, normalizeHeaderText, COLUMN_ROLES, type ColumnRole } from "./classifyHeaderCell.ts";
export { parseAccountCell } from "./parseAccountCell.ts";
export {
  detectCsvLayout,
  describeDialect,
  EXPLICIT_LAYOUT_HELP,
  LAYOUT_SAMPLE_CHARS,
  type ResolvedCsvLayout,
  type CsvDelimiter,
} from "./detectCsvLayout.ts";
export { readCsvRecords, type CsvRecord } from "./readCsvRecords.ts";
export { CsvLayoutOptionError } from "./errors.ts";
