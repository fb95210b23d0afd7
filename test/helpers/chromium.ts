import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Debian's Chromium, which the browser tests drive with playwright-core (no browser download of Playwright's own). */
export const CHROMIUM_PATH = process.env.SALDO_CHROMIUM ?? "/usr/bin/chromium";

function run(command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, maxBuffer: 16 << 20, timeout: 1_200_000 },
      (error, stdout, stderr) => done({ ok: !error, output: `${stdout}${stderr}`.slice(-2000) }),
    );
  });
}

/**
 * The Chromium binary for the browser tests: Debian's `chromium` package, installed here with apt-get when it is
 * missing and apt-get is usable (as root); otherwise `{ skip: reason }`, which the tests print and skip on.
 */
export async function ensureChromium(): Promise<{ path: string } | { skip: string }> {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  if (process.env.SALDO_CHROMIUM) return { skip: `SALDO_CHROMIUM=${CHROMIUM_PATH} does not exist` };
  if (!existsSync("/usr/bin/apt-get"))
    return { skip: "no /usr/bin/chromium and no apt-get to install Debian's chromium" };
  if (process.getuid?.() !== 0) return { skip: "no /usr/bin/chromium, and installing it with apt-get needs root" };
  // The browser test files run in parallel workers: unserialised, the second apt-get met the first one's lock and its
  // file skipped. One install at a time (flock on a lock file shared on purpose), and none once one has succeeded.
  const script = `test -x ${CHROMIUM_PATH} || { apt-get update && apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 chromium; }`;
  const install = existsSync("/usr/bin/flock")
    ? await run("/usr/bin/flock", ["-w", "900", join(tmpdir(), "saldo-chromium-apt.lock"), "sh", "-c", script])
    : await run("sh", ["-c", script]);
  if (install.ok && existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  return { skip: `apt-get could not install chromium: ${install.output.split("\n").slice(-3).join(" ")}` };
}
