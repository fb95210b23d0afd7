import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../../lib/cli/main.ts";
import { USAGE } from "../../../lib/cli/usage.ts";

/** The synopsis block: from the line after `Bruk:` / `Usage:` to the first blank line. */
function synopsis(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line === "Bruk:" || line === "Usage:");
  expect(start).toBeGreaterThan(0);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end);
}

/** What a usage text lists, read from the text itself (never from a list kept beside it). */
function listed(text: string) {
  const lines = synopsis(text);
  const invocations = lines.flatMap((line) => /^ {2}saldo ([a-z][a-z|-]*(?: [a-z][a-z|-]*)*)/.exec(line)?.[1] ?? []);
  return {
    /** Each `saldo …` line's command words, in order (`engagement show|close|reopen`). */
    invocations,
    /** The commands, each once. */
    commands: [...new Set(invocations.map((words) => words.split(" ")[0]))].sort(),
    /** The options of the synopsis, in order, line by line. */
    optionsInOrder: lines.flatMap((line) => line.match(/--[a-z][a-z-]*/g) ?? []),
    /** The fixed values of options and arguments (`text|json|csv|xlsx`, `<poweroffice-go|tripletex>`). */
    values: lines.flatMap((line) => line.match(/(?<![\w-])[a-z][a-z-]*(?:\|[a-z][a-z-]*)+/g) ?? []),
    /** Every option the whole text names, each once. */
    options: [...new Set(text.match(/--[a-z][a-z-]*/g))].sort(),
    /** Every environment variable the whole text names, each once. */
    variables: [...new Set(text.match(/\b(?:SALDO|AWS)_[A-Z_]+\b|\$PORT\b/g))].sort(),
    /** The exit codes explained. */
    exitCodes: (/^(?:Exit codes|Avslutningskoder): (.*)$/ms.exec(text)?.[1] ?? "").match(/(?<=^|[,;:] )\d(?= )/g),
  };
}

describe("saldo --help and the usage text", () => {
  const nb = listed(USAGE.nb);
  const en = listed(USAGE.en);

  it("lists every command the CLI has, in bokmål and in English", () => {
    const commands = [...Object.keys(COMMANDS), "help"].sort();
    expect(nb.commands).toEqual(commands);
    expect(en.commands).toEqual(commands);
  });

  it("has the same commands, options, option values, variables and exit codes in both languages, in the same order", () => {
    expect(nb.invocations).toEqual(en.invocations);
    expect(nb.invocations).toContain("engagement show|close|reopen");
    expect(nb.optionsInOrder).toEqual(en.optionsInOrder);
    expect(nb.optionsInOrder).toContain("--header-row");
    expect(nb.values).toEqual(en.values);
    expect(nb.values).toContain("prior|file|api|none|default");
    expect(nb.options).toEqual(en.options);
    expect(nb.variables).toEqual(en.variables);
    expect(nb.variables).toContain("SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL");
    expect(nb.exitCodes).toEqual(["0", "1", "2", "3"]);
    expect(en.exitCodes).toEqual(nb.exitCodes);
  });

  it("is bokmål by default and English for en", () => {
    expect(USAGE.nb.split("\n")[0]).toBe(
      "saldo — regnskapstall inn i årsavslutnings- og periodeavslutningsoppdrag, nøyaktig til øret",
    );
    expect(USAGE.en.split("\n")[0]).toBe(
      "saldo — accounting figures into year-end and period-end engagements, exact to the øre",
    );
    expect(USAGE.nb).not.toMatch(/\b(?:Usage|Exit codes|the local stack)\b/);
  });
});
