import { readFileSync } from "node:fs";
import type { Account, FileHeader, Issue } from "../../../../lib/ledger/types.ts";
import { formatOre } from "../../../../lib/money/ore.ts";
import { parseCsvTrialBalance } from "../../../../lib/formats/csv/parseCsvTrialBalance.ts";
import type { CsvParseOptions } from "../../../../lib/formats/csv/CsvLayoutSchema.ts";
import type { ImportRecord } from "../../../../lib/ledger/records.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { collect } from "../../../helpers/fixtures.ts";

/** The sibling `*.expected.json` of a fixture (figures computed independently, by the fixture's generator). */
export interface ExpectedTrialBalance {
  row_count: number;
  accounts: { account: string; name: string; opening?: string; movement?: string; closing: string }[];
  totals: { opening?: string; movement?: string; closing: string };
}

export function readExpected(path: string): ExpectedTrialBalance {
  return JSON.parse(readFileSync(`${path}.expected.json`, "utf8")) as ExpectedTrialBalance;
}

export interface ParsedTrialBalance {
  records: ImportRecord[];
  header: FileHeader;
  accounts: Account[];
  issues: Issue[];
}

export async function parseBytes(
  bytes: Uint8Array,
  options: CsvParseOptions = {},
  sizes?: number[],
): Promise<ParsedTrialBalance> {
  const records = await collect(parseCsvTrialBalance(poisonedSource(bytes, sizes ?? [bytes.length || 1]), options));
  return split(records);
}

export async function parseText(text: string, options: CsvParseOptions = {}): Promise<ParsedTrialBalance> {
  return parseBytes(new TextEncoder().encode(text), options);
}

function split(records: ImportRecord[]): ParsedTrialBalance {
  const first = records[0];
  if (first?.type !== "header") throw new Error("the first record is not the header");
  return {
    records,
    header: first.header,
    accounts: records.flatMap((record) => (record.type === "account" ? [record.account] : [])),
    issues: records.flatMap((record) => (record.type === "issue" ? [record.issue] : [])),
  };
}

/** Accounts as the expected JSON spells them (decimal strings), with only the figures the JSON has. */
export function asExpected(accounts: Account[], figures: ("opening" | "movement" | "closing")[]) {
  return accounts.map((account) => {
    const entry: Record<string, string> = { account: account.id, name: account.name };
    for (const figure of figures) {
      const value = account[figure];
      if (value !== undefined) entry[figure] = formatOre(value);
    }
    return entry;
  });
}

export function total(accounts: Account[], figure: "opening" | "movement" | "closing"): string {
  return formatOre(accounts.reduce((sum, account) => sum + (account[figure] ?? 0n), 0n));
}
