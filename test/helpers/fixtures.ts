import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFile } from "node:fs/promises";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The shared fixtures (official SAF-T examples, SIE files from several vendors, CSV samples) live in `../shared`
 * beside the checkout and are read at test time, never copied. `SALDO_SHARED_DIR` points elsewhere if needed.
 */
export const sharedDir = resolve(process.env.SALDO_SHARED_DIR ?? join(projectRoot, "..", "shared"));
export const sharedFixturesDir = join(sharedDir, "fixtures");
export const hasSharedFixtures = existsSync(sharedFixturesDir);

/** The vendor OpenAPI documents of the accounting APIs (`../shared/specs`), for the fake servers' contract tests. */
export const sharedSpecsDir = join(sharedDir, "specs");
export const hasSharedSpecs =
  existsSync(join(sharedSpecsDir, "tripletex-v2.openapi.json")) &&
  existsSync(join(sharedSpecsDir, "poweroffice-go-v2.openapi.yaml"));

if (!hasSharedFixtures) {
  console.warn(
    `[saldo tests] ${sharedFixturesDir} not found: tests on the shared fixtures are skipped; the project's own fixtures in test/fixtures still run.`,
  );
}

/** Absolute path of a file under ../shared/fixtures. */
export function sharedFixture(relativePath: string): string {
  return join(sharedFixturesDir, relativePath);
}

/** Absolute path of a file under the project's own test/fixtures. */
export function ownFixture(relativePath: string): string {
  return join(projectRoot, "test", "fixtures", relativePath);
}

/** Reads a file fully (test helper only; the code under test must stream). */
export async function readBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
