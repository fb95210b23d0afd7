import { describe, expect, it } from "vitest";
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
// @ts-expect-error -- plain JavaScript module of the bin folder, without type declarations
import { sourceFingerprint } from "../../../bin/loadCli.js";
import { runSaldo } from "../../helpers/saldoCli.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");

const saldo = (args: string[], env: Record<string, string>) => runSaldo(args, { env });

describe("the CLI bundle (bin/loadCli.js)", () => {
  it("builds a bundle of lib/ on first use, reuses it, and gives exactly what the TypeScript sources give", async () => {
    // Inside the project, as the default is: the bundle leaves packages external, found through node_modules.
    await mkdir(join(root, "node_modules", ".cache"), { recursive: true });
    const cacheDir = await mkdtemp(join(root, "node_modules", ".cache", "saldo-test-"));
    const args = ["inspect", "samples/demo-saft-1.30.xml", "--json"];
    const bundled = await saldo(args, { SALDO_CLI_CACHE_DIR: cacheDir });
    const folders = await readdir(cacheDir);
    expect(folders).toEqual([`cli-${sourceFingerprint(join(root, "lib"))}`]);
    const main = join(cacheDir, folders[0]!, "main.js");
    const builtAt = (await stat(main)).mtimeMs;

    const again = await saldo(args, { SALDO_CLI_CACHE_DIR: cacheDir });
    expect((await stat(main)).mtimeMs).toBe(builtAt);
    const fromSources = await saldo(args, { SALDO_CLI_BUNDLE: "off" });

    expect(bundled.code).toBe(0);
    expect(JSON.parse(bundled.stdout).transactions.lines).toBe(14);
    expect(again.stdout).toBe(bundled.stdout);
    expect(fromSources.stdout).toBe(bundled.stdout);
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("still runs, from the sources, when no bundle can be written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "saldo-cli-cache-"));
    const aFile = join(dir, "file");
    await writeFile(aFile, "");
    const result = await saldo(["--help"], { SALDO_CLI_CACHE_DIR: join(aFile, "cache") });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("saldo inspect <fil>");
  });

  it("changes its fingerprint when a source file changes, is added or is touched", async () => {
    const dir = await mkdtemp(join(tmpdir(), "saldo-fingerprint-"));
    await mkdir(join(dir, "cli"));
    await writeFile(join(dir, "cli", "a.ts"), "export const a = 1;\n");
    const first = sourceFingerprint(dir);
    expect(sourceFingerprint(dir)).toBe(first);

    await writeFile(join(dir, "cli", "a.ts"), "export const a = 22;\n");
    const edited = sourceFingerprint(dir);
    expect(edited).not.toBe(first);

    await writeFile(join(dir, "b.ts"), "");
    const added = sourceFingerprint(dir);
    expect(added).not.toBe(edited);

    await utimes(join(dir, "b.ts"), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(sourceFingerprint(dir)).not.toBe(added);
  });
});
