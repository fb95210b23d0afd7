import type { Issue, Severity, SourceLocation } from "../../ledger/types.ts";
import type { SieLine } from "./SieLine.ts";

/**
 * How the parts of the record mapping stage (header, chart, vouchers, dates) report a finding: the mapper holds
 * findings back until the header is out and passes them on in order (see `SieRecordMapper`).
 */
export type SieFindings = (
  severity: Severity,
  code: string,
  message: string,
  location: SourceLocation | undefined,
  extra?: Partial<Pick<Issue, "account" | "amount" | "transactionId">>,
) => void;

/** Where a line starts. */
export function at(line: SieLine): SourceLocation {
  return { line: line.line, column: line.column };
}

/** Where field `index` of a line starts. */
export function fieldLocation(line: SieLine, index: number): SourceLocation {
  return { line: line.line, column: line.fieldColumn(index) };
}

/** `#LABEL without …: record skipped` (a record that lacks a field it cannot do without). */
export function reportIncomplete(findings: SieFindings, line: SieLine, what: string): void {
  findings("warning", "SIE_INCOMPLETE_RECORD", `${line.label} without ${what}: record skipped`, at(line));
}
