import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ownFixture } from "../../helpers/fixtures.ts";
import { projectRoot, userEnvironment } from "../../helpers/saldoCli.ts";

/** Runs the CLI with its output going to a reader that has already gone (`saldo … | head -0`). */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, "bin", "saldo.js"), ...args], {
      cwd: projectRoot,
      env: userEnvironment(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    // The reading end closes before the CLI prints anything: its first write meets EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolveRun({ code, stderr }));
  });
}

describe("saldo writing to a pipe its reader closed", () => {
  it("stops quietly (exit 0, nothing on stderr) instead of crashing with EPIPE", async () => {
    const result = await runIntoClosedPipe(["inspect", ownFixture("saft/tiny-v130.xml")]);
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  }, 120_000);
});
