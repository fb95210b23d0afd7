/**
 * CSV trial balance (saldobalanse) import: a streaming parser with layout detection, the explicit-layout schema the
 * CLI/API pass through, and the amount parser for Norwegian and international number dialects.
 */
export { parseCsvTrialBalance } from "./parseCsvTrialBalance.ts";
export {
  CsvLayoutSchema,
  csvLayoutFromCliOptions,
  describeLayout,
  hasLayout,
  type CsvLayout,
  type CsvParseOptions,
} from "./CsvLayoutSchema.ts";
export { CsvLayoutOptionError } from "./errors.ts";
