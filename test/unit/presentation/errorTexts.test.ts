import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  errorLineForPeople,
  nbErrorText,
  NB_ERROR_TEXTS,
  storedFailureForPeople,
} from "../../../lib/presentation/errorTexts.ts";

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

describe("saved failures for people", () => {
  const truncated = {
    code: "FORMAT_TRUNCATED",
    message: "cut.xml:40:7: the input ends inside <Account> (expected </Account>)",
  };

  it("says where a parser's failure is in bokmål, from the file's name and the position its message starts with", () => {
    expect(storedFailureForPeople(truncated, "nb", { fileName: "cut.xml" })).toBe(
      "Filen «cut.xml», linje 40, posisjon 7: filen slutter før den er komplett (the input ends inside <Account>; ventet: </Account>). Eksporter filen på nytt fra regnskapssystemet og prøv igjen. (FORMAT_TRUNCATED)",
    );
    expect(
      storedFailureForPeople({ code: "SIE_BAD_LINE", message: "a b.se:3: not a label" }, "nb", { fileName: "a b.se" }),
    ).toBe(
      "Filen «a b.se», linje 3: filen er ikke en gyldig SIE-fil (not a label). Eksporter filen på nytt fra regnskapssystemet og prøv igjen. (SIE_BAD_LINE)",
    );
    expect(
      storedFailureForPeople({ code: "FORMAT_UNSUPPORTED", message: "x.txt: not SAF-T, SIE or CSV" }, "nb", {
        fileName: "x.txt",
      }),
    ).toMatch(
      /^Filen «x\.txt»: filen er ikke i et format saldo leser \(not SAF-T, SIE or CSV\)\. .* \(FORMAT_UNSUPPORTED\)$/,
    );
  });

  it("keeps the saved English, code first, with en", () => {
    expect(storedFailureForPeople(truncated, "en", { fileName: "cut.xml" })).toBe(
      "FORMAT_TRUNCATED: cut.xml:40:7: the input ends inside <Account> (expected </Account>)",
    );
    expect(storedFailureForPeople({ code: "CONNECTOR_INVALID_KEY", message: "401 from the API" }, "en")).toBe(
      "CONNECTOR_INVALID_KEY: 401 from the API",
    );
  });

  it("renders a code whose text needs no context in bokmål", () => {
    expect(storedFailureForPeople({ code: "CONNECTOR_INVALID_KEY", message: "401 from the API" }, "nb")).toBe(
      "Regnskapssystemet avviste nøkkelen. Lag en ny nøkkel i regnskapssystemet og lagre den med «saldo connect». (CONNECTOR_INVALID_KEY)",
    );
    expect(
      storedFailureForPeople({ code: "IMPORT_RETRIES_EXHAUSTED", message: "the last failed with X: y" }, "nb"),
    ).toBe(
      "Ingen av de nye forsøkene lyktes (the last failed with X: y). Last opp filen (eller synkroniser) på nytt; skjer det igjen, kontakt den som drifter saldo. (IMPORT_RETRIES_EXHAUSTED)",
    );
  });

  it("falls back to the English with its code when the text needs context the saved failure lacks", () => {
    // Without the file's name (or with a message that does not start with it) the position is unknown.
    expect(storedFailureForPeople(truncated, "nb")).toBe(truncated.message.replace(/^/, "FORMAT_TRUNCATED: "));
    expect(storedFailureForPeople(truncated, "nb", { fileName: "other.xml" })).toBe(
      `FORMAT_TRUNCATED: ${truncated.message}`,
    );
    // The text names the client and the system, and how it is not connected: none of it is saved.
    const notConnected = { code: "SYNC_NOT_CONNECTED", message: 'client "acme" has no key to tripletex' };
    expect(storedFailureForPeople(notConnected, "nb")).toBe(`SYNC_NOT_CONNECTED: ${notConnected.message}`);
    const held = { code: "IMPORT_HELD", message: "held for CURRENCY_MISMATCH: a person must accept it" };
    expect(storedFailureForPeople(held, "nb")).toBe(`IMPORT_HELD: ${held.message}`);
    // A code without a text, and a message's first line only.
    expect(storedFailureForPeople({ code: "SOMETHING_NEW", message: "first\nsecond" }, "nb")).toBe(
      "SOMETHING_NEW: first",
    );
  });
});
