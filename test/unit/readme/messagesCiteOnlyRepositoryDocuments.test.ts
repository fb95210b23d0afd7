import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Issue and error messages reach people who have only the repository (and the public specs it names, SAF-T's XSDs
 * and SIE 4B): a message never cites a document that is not in it — no `formats.md §1.2`, no "formats brief", no
 * the briefs and specs beside it. The test reads every string and template literal of lib/ and functions/ with the TypeScript parser
 * (comments are not messages) and checks each document reference in them.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** The text of every string and template literal in a file, with its line. */
function literals(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    const moduleSpecifier =
      node.parent !== undefined &&
      (ts.isImportDeclaration(node.parent) ||
        ts.isExportDeclaration(node.parent) ||
        ts.isCallExpression(node.parent)) &&
      ts.isStringLiteral(node) &&
      /^\.{1,2}\//.test(node.text);
    if (moduleSpecifier) return;
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      found.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A document named in a message: a Markdown, PDF or Word file, or the briefs and specs folders outside the repository. */
const DOCUMENT = /[\w./-]*\.(?:md|pdf|docx?)\b/gi;
const OUTSIDE = /formats brief|shared\/specs\//i;

describe("messages cite only documents in the repository", () => {
  const files = [...sourceFiles(join(ROOT, "lib")), ...sourceFiles(join(ROOT, "functions"))];
  const literalsOf = new Map(files.map((file) => [file, literals(file)]));

  it("reads the literals (the parser finds messages)", () => {
    const all = [...literalsOf.values()].flat();
    expect(all.length).toBeGreaterThan(1000);
    expect(all.some(({ text }) => text.includes("SIE 4B"))).toBe(true);
  });

  it("names no document that the repository does not hold", () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const { text, line } of literalsOf.get(file)!) {
        const where = `${relative(ROOT, file)}:${line}`;
        if (OUTSIDE.test(text)) wrong.push(`${where}: ${JSON.stringify(text.slice(0, 120))}`);
        for (const [document] of text.matchAll(DOCUMENT)) {
          if (
            /^[\w-]*\.(?:md|pdf|docx?)$/i.test(document) &&
            !document.includes("/") &&
            existsSync(join(ROOT, document))
          )
            continue;
          if (document.includes("/") && existsSync(join(ROOT, document))) continue;
          wrong.push(`${where}: cites ${document}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
