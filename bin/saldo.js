#!/usr/bin/env node
// The saldo CLI. Runs a bundle of lib/ that is rebuilt whenever the sources change (bin/loadCli.js), so
// `npx saldo …` works right after `npm ci` with no build step and starts fast.

// saldo supports Node 20+ (the Lambda runtime is nodejs22.x); the AWS SDK's notice about its own future Node 22
// requirement would otherwise precede every command's output. An explicit setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// A reader that stops early (`saldo sync … | head -1`) closes the pipe: what is left to print has nobody to read it,
// so saldo stops quietly, as other command-line tools do, instead of crashing on the write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const { loadCliMain } = await import("./loadCli.js");
const argv = process.argv.slice(2);
// `start` loads the Lambda handlers (TypeScript) by path, as Lambda loads its handler: it needs tsx's loader.
const main = await loadCliMain({ typeScriptLoader: argv[0] === "start" });
process.exitCode = await main(argv);
