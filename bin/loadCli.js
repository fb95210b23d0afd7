// Loads the saldo CLI fast: from a bundle that esbuild builds from lib/ into node_modules/.cache/saldo on first use
// and again whenever a source under lib/ changes (the bundle's file name is a fingerprint of the sources' paths,
// sizes and modification times, so a stale bundle is never run). Loading one pre-built file skips tsx's loader
// and the resolution of a few hundred TypeScript modules, which is most of a command's start-up.
// Falls back to running the sources through tsx when the bundle cannot be built (no esbuild, read-only folder)
// or when SALDO_CLI_BUNDLE=off. SALDO_CLI_CACHE_DIR moves the bundle; it must stay inside the project, since the
// bundle leaves packages external and finds them through node_modules.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const projectRoot = fileURLToPath(new URL("../", import.meta.url));
const sourceDir = join(projectRoot, "lib");
const entry = join(sourceDir, "cli", "main.ts");

/**
 * The CLI's `main`. `typeScriptLoader` registers tsx as well, for commands that load TypeScript modules by path at
 * run time (the local stack loads the Lambda handlers from functions/ as Lambda does).
 * @param {{ typeScriptLoader?: boolean, cacheDir?: string }} [options]
 * @returns {Promise<(argv: string[]) => Promise<number>>}
 */
export async function loadCliMain(options = {}) {
  if (options.typeScriptLoader || process.env.SALDO_CLI_BUNDLE === "off") return viaTsx();
  const cacheDir =
    options.cacheDir ?? process.env.SALDO_CLI_CACHE_DIR ?? join(projectRoot, "node_modules", ".cache", "saldo");
  let bundle;
  try {
    bundle = await ensureBundle(cacheDir);
  } catch (error) {
    if (process.env.SALDO_DEBUG) process.stderr.write(`saldo: CLI bundle unavailable, using tsx: ${String(error)}\n`);
    return viaTsx();
  }
  return (await import(pathToFileURL(bundle).href)).main;
}

async function viaTsx() {
  const { register } = await import("tsx/esm/api");
  register();
  return (await import(pathToFileURL(entry).href)).main;
}

/**
 * The bundle for the current sources, built when missing: a folder `cli-<fingerprint>` holding `main.js` and the
 * chunks of each command (code splitting keeps `saldo --help` from loading what other commands need). Returns the
 * path of its `main.js`.
 */
export async function ensureBundle(cacheDir) {
  const fingerprint = sourceFingerprint();
  const folder = join(cacheDir, `cli-${fingerprint}`);
  const bundle = join(folder, "main.js");
  try {
    statSync(bundle);
    return bundle;
  } catch {
    // not built yet for these sources
  }
  const { build } = await import("esbuild");
  // Built into a folder of its own, then renamed: two commands building at once each leave a complete bundle.
  const temporary = `${folder}.${process.pid}.tmp`;
  await build({
    entryPoints: { main: entry },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outdir: temporary,
    logLevel: "silent",
    plugins: [keepModuleUrls],
  });
  try {
    renameSync(temporary, folder);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    statSync(bundle); // another command finished the same bundle first: use it; otherwise rethrow
    void error;
  }
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (name.startsWith("cli-") && path !== folder && !name.endsWith(".tmp"))
      rmSync(path, { recursive: true, force: true });
  }
  return bundle;
}

/** Hash of every file's path, size and modification time under `dir` (lib/; a few milliseconds of stat calls). */
export function sourceFingerprint(dir = sourceDir) {
  const hash = createHash("sha256");
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((dirent) => dirent.isFile())
    .map((dirent) => join(dirent.parentPath ?? dirent.path, dirent.name))
    .sort();
  for (const file of entries) {
    const stats = statSync(file);
    hash.update(`${relative(dir, file)}\0${stats.size}\0${stats.mtimeMs}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Each bundled module keeps its own `import.meta.url` (the source file's URL), so code that finds files next to
 * itself (the DynamoDB Local launcher, the project root) works the same bundled or not.
 */
const keepModuleUrls = {
  name: "keep-module-urls",
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll("import.meta.url", url), loader: "ts", resolveDir: dirname(args.path) };
    });
  },
};
