import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The README's validation tables are the user's reference for every code a report or a refusal can carry. These
 * tests read the codes out of the modules that emit them (the parsers and readers under lib/formats, the summarizer
 * under lib/ledger, the activation rules, the field limits and the prior-engagement checks) and out of the README's
 * tables, and fail when one side has a code the other lacks, or when the README gives a code another severity
 * than the source does.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");

const SEVERITIES = ["error", "warning", "info"] as const;
type Severity = (typeof SEVERITIES)[number];

/** The modules whose string literals in UPPER_SNAKE case are issue codes or refusal (FormatError) codes. */
function emittingModules(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) files.push(path);
    }
  };
  walk(join(ROOT, "lib/formats"));
  walk(join(ROOT, "lib/ledger"));
  walk(join(ROOT, "lib/reconcile"));
  for (const name of ["activationRules.ts", "fieldLimits.ts", "trialBalanceView.ts"])
    files.push(join(ROOT, "lib/imports", name));
  return files;
}

const CODE = /"([A-Z][A-Z0-9]*_[A-Z0-9_]+)"/g;

interface SourceCodes {
  /** Every code literal, with the files it appears in. */
  all: Map<string, Set<string>>;
  /** The severities the source states literally for a code, where it does. */
  severities: Map<string, Set<Severity>>;
}

function readSourceCodes(): SourceCodes {
  const all = new Map<string, Set<string>>();
  const severities = new Map<string, Set<Severity>>();
  const note = (code: string, severity: string): void => {
    const set = severities.get(code) ?? new Set<Severity>();
    set.add(severity as Severity);
    severities.set(code, set);
  };
  // A code literal, or a ternary choosing between two: `"A"` or `cond ? "A" : "B"`.
  const codes = String.raw`((?:[^;,(){}]*\?\s*)?"[A-Z][A-Z0-9_]+"(?:\s*:\s*"[A-Z][A-Z0-9_]+")?)`;
  const patterns = [
    // issue("warning", "CODE", …) and the like
    new RegExp(String.raw`"(error|warning|info)"\s*,\s*${codes}`, "g"),
    // { severity: "error", code: "CODE", … }
    new RegExp(String.raw`severity:\s*"(error|warning|info)"\s*,\s*code:\s*${codes}`, "g"),
  ];
  for (const file of emittingModules()) {
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(CODE)) {
      const files = all.get(match[1]!) ?? new Set<string>();
      files.add(relative(ROOT, file));
      all.set(match[1]!, files);
    }
    for (const pattern of patterns) {
      for (const match of source.matchAll(pattern)) {
        for (const code of match[2]!.matchAll(CODE)) note(code[1]!, match[1]!);
      }
    }
    // The activation rules: { code: "CODE", effect: "hold", severity: "error", … }
    for (const match of source.matchAll(
      /code:\s*"([A-Z][A-Z0-9_]+)"\s*,\s*effect:\s*"\w+"\s*,\s*severity:\s*"(error|warning|info)"/g,
    )) {
      note(match[1]!, match[2]!);
    }
  }
  return { all, severities };
}

interface ReadmeRow {
  codes: string[];
  /** The row's severity cell, when its table has a `severity` column. */
  severity?: string;
  line: number;
}

/** Every row of every Markdown table in the README whose first cell names codes in backticks. */
function readReadmeTables(): ReadmeRow[] {
  const rows: ReadmeRow[] = [];
  const lines = README.split("\n");
  let header: string[] | undefined;
  for (const [index, line] of lines.entries()) {
    if (!line.startsWith("|")) {
      header = undefined;
      continue;
    }
    const cells = line
      .replace(/\\\|/g, "\u0000")
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
    if (header === undefined) {
      header = cells.map((cell) => cell.toLowerCase());
      continue;
    }
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    const codes = [...cells[0]!.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((match) => match[1]!);
    if (codes.length === 0) continue;
    const severityColumn = header.indexOf("severity");
    rows.push({ codes, line: index + 1, ...(severityColumn >= 0 ? { severity: cells[severityColumn] } : {}) });
  }
  return rows;
}

describe("README validation tables", () => {
  const source = readSourceCodes();
  const rows = readReadmeTables();
  const documented = new Map<string, ReadmeRow>();
  for (const row of rows) for (const code of row.codes) if (!documented.has(code)) documented.set(code, row);

  it("finds the codes on both sides (the extraction itself works)", () => {
    expect(source.all.size).toBeGreaterThan(100);
    expect(source.severities.get("VOUCHER_NOT_BALANCED")).toEqual(new Set(["error"]));
    expect(source.severities.get("SAFT_AMOUNT_TOO_PRECISE")).toEqual(new Set(["error"]));
    expect(source.severities.get("FIELD_TRUNCATED")).toEqual(new Set(["warning"]));
    expect(source.severities.get("ENGAGEMENT_PERIOD_NOT_STATED")).toEqual(new Set(["info"]));
    expect(documented.get("CLOSING_MISMATCH")?.severity).toBe("warning");
  });

  it("lists every code that the parsers, the summarizer, the activation rules and the field limits emit", () => {
    const missing = [...source.all]
      .filter(([code]) => !documented.has(code))
      .map(([code, files]) => `${code} (${[...files].join(", ")})`);
    expect(missing, "codes emitted in lib/ but missing from the README's tables").toEqual([]);
  });

  it("gives each code the severity the source gives it", () => {
    const wrong: string[] = [];
    for (const [code, severities] of source.severities) {
      const row = documented.get(code);
      if (row === undefined) continue; // reported by the test above
      if (row.severity === undefined) {
        wrong.push(
          `${code}: README line ${row.line} is in a table without a severity column, but it is an issue (${[...severities].join("/")})`,
        );
        continue;
      }
      const stated = new Set(
        row.severity.split(/[^a-z]+/).filter((word) => (SEVERITIES as readonly string[]).includes(word)),
      );
      for (const severity of severities) {
        if (!stated.has(severity))
          wrong.push(`${code}: the source says ${severity}, README line ${row.line} says "${row.severity}"`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("documents no issue code that nothing emits any more", () => {
    const stale = rows
      .filter((row) => row.severity !== undefined)
      .flatMap((row) =>
        row.codes.filter((code) => !source.all.has(code)).map((code) => `${code} (README line ${row.line})`),
      );
    expect(stale).toEqual([]);
  });
});
