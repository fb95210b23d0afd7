#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx saldo …` works right after `npm ci` with no build step.
import { register } from "tsx/esm/api";

// saldo supports Node 20+ (the Lambda runtime is nodejs22.x); the AWS SDK's notice about its own future Node 22
// requirement would otherwise precede every command's output. An explicit setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
