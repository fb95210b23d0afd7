import { parseArgs, type ParseArgsConfig } from "node:util";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;
import { UsageError } from "./errors.ts";
import { importsCommand } from "./importsCommand.ts";
import { inspectCommand } from "./inspectCommand.ts";
import { startCommand } from "./startCommand.ts";
import { tokenCommand } from "./tokenCommand.ts";
import { trialBalanceCommand } from "./trialBalanceCommand.ts";
import { uploadCommand } from "./uploadCommand.ts";

const USAGE = `saldo — accounting figures into year-end and period-end engagements, exact to the øre

Usage:
  saldo inspect <file> [--format auto|saft|sie|csv] [--encoding <name>] [--json]
                [--delimiter ";"|","|tab] [--decimal ","|"."] [--header-row <n>|none] [--columns account=0,name=1,closing=2]
  saldo start                 the local stack (npm start): DynamoDB Local, S3 emulator, ingest handler, HTTP on $PORT
  saldo upload <file> --tenant T --client C --engagement E [--no-wait] [--timeout <s>] [--fiscal-year <y>] [--json]
  saldo imports --tenant T --client C --engagement E [--json]
  saldo trial-balance --tenant T --client C --engagement E [--json]
  saldo token --tenant T [--subject S] [--expires <seconds>]   a bearer token the local API accepts
  saldo help

upload, imports and trial-balance talk to the local stack (${"$"}{SALDO_DATA_DIR:-./.saldo}/stack.json), or to AWS when
SALDO_TABLE_NAME and SALDO_BUCKET_NAME are set (credentials and region from the standard AWS environment).

Exit codes: 0 done (warnings allowed), 1 it could not be done (file unreadable, import failed, stack not running),
2 wrong usage.`;

/** The saldo command line. Returns the process exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "inspect":
        return await inspectCommand(rest);
      case "start":
        return await startCommand(rest);
      case "upload":
        return await uploadCommand(rest);
      case "imports":
        return await importsCommand(rest);
      case "trial-balance":
        return await trialBalanceCommand(rest);
      case "token":
        return await tokenCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE + "\n");
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`saldo: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`saldo: ${message.split("\n")[0]}\n`);
    return 1;
  }
}

/** `parseArgs` with saldo's conventions: unknown options are usage errors. */
export function parseOptions<const T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
