import { parseSie } from "../../../../lib/formats/sie/index.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import type { ImportRecord } from "../../../../lib/ledger/records.ts";
import type { ParseOptions } from "../../../../lib/formats/records.ts";
import type { Account, FileHeader, Issue, Transaction } from "../../../../lib/ledger/types.ts";
import { collect, ownFixture, readBytes, sharedFixture } from "../../../helpers/fixtures.ts";

/** The records of one parse, split by kind. */
export interface ParsedSie {
  records: ImportRecord[];
  header: FileHeader;
  accounts: Map<string, Account>;
  transactions: Transaction[];
  issues: Issue[];
}

export function split(records: ImportRecord[]): ParsedSie {
  const first = records[0];
  if (first?.type !== "header") throw new Error("the first record is not the header");
  return {
    records,
    header: first.header,
    accounts: new Map(records.flatMap((r) => (r.type === "account" ? [[r.account.id, r.account] as const] : []))),
    transactions: records.flatMap((r) => (r.type === "transaction" ? [r.transaction] : [])),
    issues: records.flatMap((r) => (r.type === "issue" ? [r.issue] : [])),
  };
}

/** Parses bytes (or text, encoded as UTF-8) split into chunks of the given sizes. */
export async function parseBytes(
  input: Uint8Array | string,
  options: ParseOptions = {},
  chunkSizes: number[] = [64 * 1024],
): Promise<ParsedSie> {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  return split(await collect(parseSie(poisonedSource(bytes, chunkSizes), options)));
}

/** Parses a file of ../shared/fixtures/sie. */
export async function parseSharedSie(relativePath: string, chunkSizes?: number[]): Promise<ParsedSie> {
  const bytes = await readBytes(sharedFixture(`sie/${relativePath}`));
  return parseBytes(bytes, { fileName: relativePath.split("/").pop()! }, chunkSizes);
}

/** Parses a file of the project's own test/fixtures/sie. */
export async function parseOwnSie(name: string, chunkSizes?: number[]): Promise<ParsedSie> {
  return parseBytes(await readBytes(ownFixture(`sie/${name}`)), { fileName: name }, chunkSizes);
}

/** Sum of øre amounts. */
export function sum(amounts: Iterable<bigint | undefined>): bigint {
  let total = 0n;
  for (const amount of amounts) total += amount ?? 0n;
  return total;
}

/** Issues with the given code. */
export function issuesWith(parsed: ParsedSie, code: string): Issue[] {
  return parsed.issues.filter((issue) => issue.code === code);
}
