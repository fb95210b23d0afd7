import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { errorLineForPeople, nbErrorText, NB_ERROR_TEXTS } from "../../../lib/presentation/errorTexts.ts";

/**
 * Every stable code saldo can emit has a bokmål text: the codes of every error class (each module's errors.ts), of
 * lib/api/problem.ts and of the README's API error list. A new code without a text fails here.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");

function errorModules(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === "errors.ts")
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** String literals shaped as codes (`"CLIENT_NOT_FOUND"`, `"CONFLICT"`) in a source file. */
const codesIn = (source: string): string[] =>
  [...source.matchAll(/"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)"/g)]
    .map((match) => match[1]!)
    .filter((code) => code.length > 3);

const readme = read("README.md");
const apiErrors = readme.slice(readme.indexOf("**Errors** are RFC 9457"));
const readmeApiCodes = [
  ...apiErrors.slice(0, apiErrors.indexOf("\n\n")).matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g),
].map((match) => match[1]!);

const emitted = new Set([
  ...errorModules("lib").flatMap((path) => codesIn(read(path))),
  ...codesIn(read("lib/api/problem.ts")),
  ...readmeApiCodes,
]);

describe("bokmål error texts", () => {
  it("finds the codes of the error classes and of the README", () => {
    for (const code of ["CLIENT_NOT_FOUND", "ENGAGEMENT_NOT_FOUND", "CONFLICT", "CLI_USAGE", "FORMAT_TRUNCATED"]) {
      expect(emitted).toContain(code);
    }
    expect(readmeApiCodes).toContain("ROUTE_NOT_FOUND");
  });

  it("has a text for every code saldo emits", () => {
    const missing = [...emitted].filter((code) => nbErrorText(code) === undefined);
    expect(missing).toEqual([]);
  });

  it("writes every text as a sentence ending in the code, with or without context", () => {
    const context = {
      clientId: "acme",
      engagementId: "2031",
      importId: "01JX",
      fileName: "tb.csv",
      location: { line: 3, column: 14 },
      system: "tripletex",
      heldFor: ["ORG_NUMBER_MISMATCH"],
    };
    for (const code of Object.keys(NB_ERROR_TEXTS)) {
      for (const given of [{}, context]) {
        const line = errorLineForPeople({ code, message: "the English detail", context: given }, "nb");
        expect(line, code).toMatch(new RegExp(`^[«\\-A-ZÆØÅ].*[.»)] \\(${code}\\)$`));
        expect(line, code).not.toMatch(/undefined|null|\[object/);
      }
    }
  });

  it("names the client and the engagement, and keeps the code; English keeps the message", () => {
    const error = {
      code: "ENGAGEMENT_NOT_FOUND",
      message: 'engagement "2031" of client "acme" does not exist',
      context: { clientId: "acme", engagementId: "2031" },
    };
    expect(errorLineForPeople(error, "nb")).toBe(
      "Oppdraget «2031» finnes ikke for klienten «acme». Kontroller --engagement, eller opprett oppdraget med «saldo engagement create». (ENGAGEMENT_NOT_FOUND)",
    );
    expect(errorLineForPeople(error, "en")).toBe(
      'engagement "2031" of client "acme" does not exist (ENGAGEMENT_NOT_FOUND)',
    );
  });

  it("says where in the file a format error is and what was expected", () => {
    const line = errorLineForPeople(
      {
        code: "FORMAT_TRUNCATED",
        message: "cut.xml:1:93: the input ends inside <Header> (expected </Header>)",
        context: { fileName: "cut.xml", location: { line: 1, column: 93 }, expected: "</Header>" },
      },
      "nb",
    );
    expect(line).toBe(
      "Filen «cut.xml», linje 1, posisjon 93: filen slutter før den er komplett (the input ends inside <Header>; ventet: </Header>). Eksporter filen på nytt fra regnskapssystemet og prøv igjen. (FORMAT_TRUNCATED)",
    );
  });

  it("reads a parser's own code by its family", () => {
    expect(
      errorLineForPeople(
        { code: "XML_NOT_WELL_FORMED", message: "a.xml:2:1: bad", context: { fileName: "a.xml" } },
        "nb",
      ),
    ).toBe(
      "Filen «a.xml»: filen er ikke gyldig XML (bad). Eksporter filen på nytt fra regnskapssystemet og prøv igjen. (XML_NOT_WELL_FORMED)",
    );
  });
});
