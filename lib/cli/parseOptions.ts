import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.ts";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** `parseArgs` with saldo's conventions: unknown options are usage errors. */
export function parseOptions<const T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message, nbParseArgsMessage((error as { code?: unknown }).code, message));
  }
}

/** Node's parseArgs refusals in bokmål, naming the option (`Unknown option '--x'`, `Option '--x <value>' argument missing`). */
function nbParseArgsMessage(code: unknown, message: string): string | undefined {
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  const positional = /'([^']*)'/.exec(message)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Ukjent valg ${option ?? ""}`.trimEnd() + ". Se valgene kommandoen tar, nedenfor.";
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return message.includes("argument missing")
        ? `Valget ${option ?? ""} mangler verdi.`.replace("  ", " ")
        : `Valget ${option ?? ""} tar ingen verdi.`.replace("  ", " ");
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `Uventet argument ${positional === undefined ? "" : `«${positional}»`}`.trimEnd() + ".";
    default:
      return undefined;
  }
}
