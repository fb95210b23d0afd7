import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The default report, then the plain totals and the count of tests skipped for want of ../shared.
    reporters: ["default", "./test/helpers/SharedFixturesReporter.ts"],
    // saldo runs on Node 20+ (Lambda: nodejs22.x); keep the AWS SDK's notice about its own future Node 22 requirement
    // out of the test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
