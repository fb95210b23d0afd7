import { readFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";
import { hasSharedFixtures, hasSharedSpecs, sharedFixturesDir } from "./fixtures.ts";

/**
 * Ends the test run with the counts in the plain form (`tests: N passed, N failed, N skipped`) and a line saying how
 * many tests were skipped for want of `../shared` (the shared fixtures are read at test time, never copied). A test
 * counts as such when it was skipped in a test file that gates on `hasSharedFixtures` while the folder is absent.
 */
export default class SharedFixturesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let skippedForShared = 0;
    for (const testModule of testModules) {
      const source = !hasSharedFixtures || !hasSharedSpecs ? readSource(testModule.moduleId) : "";
      const gatesOnShared =
        (!hasSharedFixtures && source.includes("hasSharedFixtures")) ||
        (!hasSharedSpecs && source.includes("hasSharedSpecs"));
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else if (state === "skipped") {
          skipped++;
          if (gatesOnShared) skippedForShared++;
        }
      }
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    process.stdout.write(
      hasSharedFixtures
        ? `skipped for want of ../shared: 0 tests (${sharedFixturesDir} is present)\n`
        : `skipped for want of ../shared: ${skippedForShared} tests (${sharedFixturesDir} not found; SALDO_SHARED_DIR points elsewhere)\n`,
    );
  }
}

function readSource(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
