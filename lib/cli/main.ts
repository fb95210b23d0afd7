import { errorLine, errorLocale } from "./errorLine.ts";
import { UsageError } from "./errors.ts";
import { USAGE } from "./usage.ts";

/** A command: its arguments in, the exit code out. */
type Command = (args: string[]) => Promise<number>;

/**
 * Each command's module is loaded only when that command runs, so `saldo --help` or `saldo inspect` does not load
 * the AWS SDK and the local stack.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
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

/** The ways to ask for the help text. */
const HELP: ReadonlySet<string> = new Set(["help", "--help", "-h"]);

/** The arguments without `--locale X` / `--locale=X`. */
function withoutLocaleOption(args: readonly string[]): string[] {
  return args.filter(
    (arg, index) => arg !== "--locale" && !arg.startsWith("--locale=") && args[index - 1] !== "--locale",
  );
}

/** The saldo command line. Returns the process exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // The help, the error line and the usage after it share one language: bokmål unless --locale en, SALDO_LOCALE=en
  // or --json asks for English (read from every argument: `saldo --locale en` names no command, yet asks English).
  const locale = errorLocale(argv, process.env);
  try {
    // `saldo --locale en --help` asks for help as `saldo --help --locale en` does.
    const [asked, ...more] = withoutLocaleOption(argv);
    if (command === undefined || HELP.has(command) || (more.length === 0 && (asked === undefined || HELP.has(asked)))) {
      process.stdout.write(USAGE[locale] + "\n");
      return asked === undefined ? 2 : 0;
    }
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!load) throw new UsageError(`unknown command "${command}"`, `Ukjent kommando «${command}».`);
    return await (
      await load()
    )(rest);
  } catch (error) {
    const line = errorLine(error, locale);
    if (error instanceof UsageError) {
      process.stderr.write(`saldo: ${line}\n\n${USAGE[locale]}\n`);
      return 2;
    }
    process.stderr.write(`saldo: ${line}\n`);
    return 1;
  }
}
