import { errorLine, errorLocale } from "./errorLine.ts";
import { UsageError } from "./errors.ts";

/** A command: its arguments in, the exit code out. */
type Command = (args: string[]) => Promise<number>;

/**
 * Each command's module is loaded only when that command runs, so `saldo --help` or `saldo inspect` does not load
 * the AWS SDK and the local stack.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  inspect: async () => (await import("./inspectCommand.ts")).inspectCommand,
  start: async () => (await import("./startCommand.ts")).startCommand,
  upload: async () => (await import("./uploadCommand.ts")).uploadCommand,
  imports: async () => (await import("./importsCommand.ts")).importsCommand,
  activate: async () => (await import("./activateCommand.ts")).activateCommand,
  "source-plan": async () => (await import("./sourcePlanCommand.ts")).sourcePlanCommand,
  "trial-balance": async () => (await import("./trialBalanceCommand.ts")).trialBalanceCommand,
  transactions: async () => (await import("./transactionsCommand.ts")).transactionsCommand,
  token: async () => (await import("./tokenCommand.ts")).tokenCommand,
  engagement: async () => (await import("./engagementCommand.ts")).engagementCommand,
  connect: async () => (await import("./connectCommand.ts")).connectCommand,
  sync: async () => (await import("./syncCommand.ts")).syncCommand,
  reconcile: async () => (await import("./reconcileCommand.ts")).reconcileCommand,
  refresh: async () => (await import("./refreshCommand.ts")).refreshCommand,
};

const USAGE = `saldo — accounting figures into year-end and period-end engagements, exact to the øre

Usage:
  saldo inspect <file> [--format auto|saft|sie|csv] [--encoding <name>] [--json] [--locale nb|en]
                [--delimiter ";"|","|tab] [--decimal ","|"."] [--header-row <n>|none] [--columns account=0,name=1,closing=2]
  saldo start                 the local stack (npm start): DynamoDB Local, S3 emulator, ingest handler, HTTP on $PORT
  saldo upload <file> --tenant T --client C --engagement E [--no-wait] [--timeout <s>] [--fiscal-year <y>]
               [--org-number <n>] [--part-size <MiB>] [--json] [--locale nb|en]
               [--encoding <name>] [--delimiter ";"|","|tab] [--decimal ","|"."] [--header-row <n>|none] [--columns …]
               [--role figures|opening]   (opening: the file gives the engagement's opening balances)
               (the layout is remembered for the client: its next CSV files need none)
  saldo imports --tenant T --client C --engagement E [--json] [--locale nb|en]
  saldo activate --tenant T --client C --engagement E --import ID [--accept CODE[,CODE]] [--json] [--locale nb|en]
                              make an import the active version: an earlier one, or a held one accepting its reasons
  saldo source-plan --tenant T --client C --engagement E [--opening prior|file|api|none|default]
                    [--movement file|api|default] [--replace yes|no|default] [--json] [--locale nb|en]
                              where the opening balances and the movement come from (prints it when given no change)
  saldo trial-balance --tenant T --client C --engagement E [--format text|json|csv|xlsx] [--output FILE] [--locale nb|en]
  saldo transactions --tenant T --client C --engagement E [--account A] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                     [--voucher V] [--format text|json|csv|xlsx] [--output FILE] [--locale nb|en]
  saldo engagement create --tenant T --client C --year 2025 [--id ID] [--from YYYY-MM-DD --to YYYY-MM-DD] [--json]
                              a year-end engagement (id: the year), or with --from/--to a period-end one
  saldo engagement show|close|reopen --tenant T --client C --engagement E [--json]
                              the engagement and its refresh record; close/reopen it for the scheduled refresh
  saldo connect <poweroffice-go|tripletex> --tenant T --client C --key KEY [--company ID] [--json] [--locale nb|en]
                              store and check the client's key (creates the client, named after its company)
  saldo sync --tenant T --client C --engagement E [--timeout <s>] [--json] [--locale nb|en]
                              sync the engagement from the client's accounting system, wait, print the trial balance
  saldo reconcile --tenant T --client C --engagement E [--json] [--locale nb|en]
                              the reconciliation across years and sources: status and each difference with a hint
  saldo refresh --now [--tenant T] [--all] [--no-wait] [--timeout <s>] [--json]
                              run one round of the scheduled refresh now, follow the syncs it queued
  saldo refresh --tenant T --client C --interval hourly|nightly|weekly|off
                              how often the schedule refreshes the client's engagements
  saldo token --tenant T [--subject S] [--expires <seconds>] [--locale nb|en]   a bearer token the local API accepts
  saldo help

Text is Norwegian by default (1 234 567,89, dd.mm.yyyy); --locale en (or SALDO_LOCALE=en) for English style.
--json is --format json. CSV (semicolon, decimal comma, UTF-8 with BOM) and XLSX open right in Excel.

upload, imports, activate, engagement, connect, sync, trial-balance, transactions, reconcile and token talk to the local stack of
SALDO_DATA_DIR, else of the nearest .saldo folder up from here (its stack.json); all but token talk to AWS instead
when SALDO_TABLE_NAME and SALDO_BUCKET_NAME are set (credentials and region from the standard AWS environment;
connect and sync also need SALDO_SECRET_PREFIX, SALDO_PLATFORM_KEYS_SECRET and, for sync, SALDO_SYNC_QUEUE_TRIPLETEX_URL / SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL).

Exit codes: 0 done (warnings allowed), 1 it could not be done (file unreadable, activation refused, stack not
running), 2 wrong usage, 3 upload, sync: the import did not become the active version (held, failed or superseded);
connect: the key was checked but the client is not connected (invalid key, no access, a company to pick);
reconcile: the engagement is not reconciled (differences, or a source is missing).`;

/** The saldo command line. Returns the process exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      process.stdout.write(USAGE + "\n");
      return command === undefined ? 2 : 0;
    }
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!load) throw new UsageError(`unknown command "${command}"`, `Ukjent kommando «${command}».`);
    return await (
      await load()
    )(rest);
  } catch (error) {
    const line = errorLine(error, errorLocale(rest, process.env));
    if (error instanceof UsageError) {
      process.stderr.write(`saldo: ${line}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`saldo: ${line}\n`);
    return 1;
  }
}
