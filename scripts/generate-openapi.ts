// `npm run openapi`: writes openapi.json (the OpenAPI 3.1 document of the HTTP API, generated from lib/api's route
// table and zod schemas) at the repository root. `npm run openapi -- --check` only reports whether it is stale;
// test/unit/api/openApiDocument.test.ts fails the build when it is.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { buildOpenApiDocument, renderOpenApiDocument } from "../lib/api/openApiDocument.ts";

const target = fileURLToPath(new URL("../openapi.json", import.meta.url));
const generated = renderOpenApiDocument();
const committed = await readFile(target, "utf8").catch(() => "");
// Compared as data, not text: a formatter (prettier) may lay the committed file out differently.
const upToDate = isDeepStrictEqual(parseOrUndefined(committed), buildOpenApiDocument());

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

if (process.argv.includes("--check")) {
  if (!upToDate) {
    process.stderr.write("openapi.json is stale: run `npm run openapi`\n");
    process.exit(1);
  }
  process.stdout.write("openapi.json is up to date\n");
} else if (upToDate) {
  process.stdout.write("openapi.json is up to date\n");
} else {
  await writeFile(target, generated);
  process.stdout.write(`wrote ${target}\n`);
}
