import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..", "..");

it("the web console's API types are generated from the committed openapi.json (npm run web:types)", async () => {
  const document = JSON.parse(await readFile(join(root, "openapi.json"), "utf8")) as Parameters<typeof openapiTS>[0];
  const generated = astToString(await openapiTS(document));
  const committed = await readFile(join(root, "web", "src", "api", "schema.d.ts"), "utf8");
  expect(committed.slice(committed.indexOf("export interface paths"))).toBe(
    generated.slice(generated.indexOf("export interface paths")),
  );
});
