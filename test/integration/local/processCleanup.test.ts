import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** Running = the process exists and is not a zombie (an exited child nobody has reaped yet). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== "linux")("DynamoDB Local's JVM", () => {
  it("exits when the Node.js process that started it is killed with SIGKILL", { timeout: 180_000 }, async () => {
    const fixture = fileURLToPath(new URL("./fixtures/holdDynamoDbLocal.ts", import.meta.url));
    const parent = spawn(process.execPath, ["--import", "tsx", fixture], { stdio: ["ignore", "pipe", "inherit"] });
    const jvmPid = await new Promise<number>((resolve, reject) => {
      parent.once("exit", (code) => reject(new Error(`fixture exited early (${code})`)));
      createInterface({ input: parent.stdout }).on("line", (line) => {
        if (line.startsWith("JVM_PID ")) resolve(Number(line.slice("JVM_PID ".length)));
      });
    });
    expect(isRunning(jvmPid)).toBe(true);

    parent.kill("SIGKILL");
    // The JVM sees its standard input close and exits; the deadline (10 s before, on a machine where the whole test
    // took 21 s at load 15) only bounds a hang.
    const deadline = Date.now() + 120_000;
    while (isRunning(jvmPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

    expect(isRunning(jvmPid)).toBe(false);
  });
});
