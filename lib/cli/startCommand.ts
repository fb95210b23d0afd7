import { relative } from "node:path";
import { toLedgerJson } from "../ledger/ledgerJson.ts";
import { demoKeyDescriptions } from "../local/stack/localFakes.ts";
import { readLocalStackSettings } from "../local/stack/localStackSettings.ts";
import { localDynamoDbClientConfig, startLocalStack, type RunningLocalStack } from "../local/stack/startLocalStack.ts";
import { createDynamoStores } from "../store/createDynamoStores.ts";
import { UsageError } from "./errors.ts";
import { parseOptions } from "./parseOptions.ts";
import { readActiveLedger } from "../imports/readActiveLedger.ts";
import { renderSummary } from "./renderSummary.ts";

/**
 * `saldo start` (`npm start`): runs the local stack in the foreground until Ctrl-C (SIGINT) or SIGTERM — DynamoDB
 * Local, the S3 emulator, the ingest handler on the bucket's events and the HTTP server — configured from the
 * environment (lib/local/stack/localStackSettings.ts), and shows the demo engagement's trial balance.
 */
export async function startCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { positionals } = parseOptions(args, {});
  if (positionals.length > 0)
    throw new UsageError(
      "start takes no arguments (configure it with environment variables)",
      "«saldo start» tar ingen argumenter: still den inn med miljøvariabler.",
    );
  let settings;
  try {
    settings = readLocalStackSettings(env);
  } catch (error) {
    const issue = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
    throw new UsageError(
      issue ? `${issue.path.join(".")}: ${issue.message}` : String(error),
      issue ? `Miljøvariabelen ${issue.path.join(".")} kan ikke brukes: ${issue.message}.` : undefined,
    );
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say("saldo local stack: starting DynamoDB Local and the S3 emulator…");
  const stack = await startLocalStack({ ...settings, log: (line) => say(`  ${line}`) });

  const stopped = new Promise<void>((resolveStopped) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      say(`\n${signal}: stopping the local stack…`);
      void stack.stop().then(() => {
        say("stopped.");
        resolveStopped();
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });

  const where = relative(process.cwd(), stack.dataDir) || ".";
  say("");
  say(`  S3         ${stack.s3Endpoint}  bucket ${stack.bucketName}  (path-style; access key S3RVER / secret S3RVER)`);
  say(`  DynamoDB   ${stack.dynamoDbEndpoint}  table ${stack.tableName}`);
  say(`  HTTP API   ${stack.httpUrl}  (GET /health, GET /openapi.json; the rest needs a bearer token)`);
  if (stack.webUrl)
    say(
      settings.oidc
        ? `  web        ${stack.webUrl}  (the console: sign-in at ${settings.oidc.issuer} as client ${settings.oidc.clientId}; redirect URI ${stack.webUrl}/auth/callback)`
        : `  web        ${stack.webUrl}  (the console: open it in a browser; local sign-in, tenant picker)`,
    );
  say(
    `  data       ${where}/  (kept across restarts; dead letters in ${relative(process.cwd(), stack.deadLetterDir)}/)`,
  );
  say(
    `  Upload with \`npx saldo upload <file> --tenant T --client C --engagement E\`, or any S3 client to uploads/T/C/E/<file>.`,
  );
  say(
    settings.oidc
      ? `  API token: the API trusts only ${settings.oidc.issuer} (audience ${settings.oidc.audience}, tenant claim ${settings.oidc.tenantClaim}); \`saldo token\` tokens are refused`
      : `  API token: \`npx saldo token --tenant demo\`, then curl -H "Authorization: Bearer $TOKEN" ${stack.httpUrl}/clients`,
  );
  say(
    `  fakes      Tripletex ${stack.fakes.urls.tripletex}, PowerOffice Go ${stack.fakes.urls["poweroffice-go"]}  (the demo books; keys below)`,
  );
  say(
    stack.refreshIntervalMs > 0
      ? `  refresh    every ${stack.refreshIntervalMs / 1000} s the schedule's round syncs the due engagements of connected clients (SALDO_REFRESH_INTERVAL_SECONDS; \`npx saldo refresh --now\` runs one now)`
      : "  refresh    the schedule's timer is off (SALDO_REFRESH_INTERVAL_SECONDS=0); `npx saldo refresh --now` runs a round",
  );
  showDemoKeys(say);
  await showDemo(stack, say);
  say("");
  say("Ready. Ctrl-C stops.");
  await stopped;
  return 0;
}

/** The demo keys the fakes accept, what each reaches, and the commands that connect and sync one. */
function showDemoKeys(say: (line: string) => void): void {
  const keys = demoKeyDescriptions();
  const width = Math.max(...keys.map((entry) => entry.key.length));
  say("");
  say("Demo keys of the fake accounting APIs:");
  for (const entry of keys) say(`  ${entry.key.padEnd(width)}  ${entry.description}`);
  say("  Connect one, create an engagement and sync it:");
  say("    npx saldo connect tripletex --tenant demo --client nordvik --key demo-tripletex-ok");
  say("    npx saldo engagement create --tenant demo --client nordvik --year 2025");
  say("    npx saldo sync --tenant demo --client nordvik --engagement 2025");
}

async function showDemo(stack: RunningLocalStack, say: (line: string) => void): Promise<void> {
  const demo = stack.demo;
  if (!demo) return;
  const { tenantId, clientId, engagementId } = demo.ref;
  const flags = `--tenant ${tenantId} --client ${clientId} --engagement ${engagementId}`;
  say("");
  say(
    demo.uploaded
      ? `Demo: uploaded ${demo.key}; the S3 event ran the ingest handler, which imported it into DynamoDB:`
      : `Demo (seeded on first start): engagement ${tenantId}/${clientId}/${engagementId}`,
  );
  const stores = createDynamoStores({
    tableName: stack.tableName,
    clientConfig: localDynamoDbClientConfig(stack.dynamoDbEndpoint),
  });
  const ledger = await readActiveLedger(stores, demo.ref).finally(() => stores.close());
  if (ledger.state !== "active") {
    const latest = demo.latestImport;
    say(
      `  no active version${latest ? `: the latest import is ${latest.status}${latest.failure ? ` (${latest.failure.message})` : ""}` : ""}`,
    );
    return;
  }
  if (demo.uploaded) {
    say("");
    for (const line of renderSummary(ledger.summary, `${demo.key} (active import ${ledger.run.importId})`)
      .trimEnd()
      .split("\n")) {
      say(`  ${line}`);
    }
  } else {
    const json = toLedgerJson(ledger.summary);
    say(
      `  active import ${ledger.run.importId}: ${json.accounts.length} accounts, ${json.transactions.count} transactions, ` +
        `closing total ${json.totals.closing}; issues ${formatIssueCounts(ledger.run.counts?.issues)}`,
    );
  }
  say("");
  say(`  Try: npx saldo trial-balance ${flags}`);
  say(`       npx saldo imports ${flags}`);
}

/** Issue counts for the start-up log: `0 error(s), 2 warning(s), 1 info`. */
function formatIssueCounts(issues: { error: number; warning: number; info: number } | undefined): string {
  if (!issues) return "no report";
  return `${issues.error} error(s), ${issues.warning} warning(s), ${issues.info} info`;
}
