import { SaldoError } from "../errors/SaldoError.ts";
import { errorLineForPeople, type ErrorForPeople } from "../presentation/errorTexts.ts";
import { DEFAULT_LOCALE, LocaleSchema, type Locale } from "../presentation/locale.ts";
import { UsageError } from "./errors.ts";

/**
 * The language of the CLI's error line and its help and usage text: `--locale` on the command line, else `SALDO_LOCALE`, else bokmål; English for
 * `--json` (`--format json`), whose output stays machine-plain. Read from the raw arguments, because the error may
 * be that they could not be parsed; a locale that is not nb or en counts as the default.
 */
export function errorLocale(args: readonly string[], env: Record<string, string | undefined>): Locale {
  let asked: string | undefined;
  let json = false;
  args.forEach((arg, index) => {
    if (arg === "--json") json = true;
    const format = arg === "--format" ? args[index + 1] : arg.startsWith("--format=") ? arg.slice(9) : undefined;
    if (format === "json") json = true;
    if (arg === "--locale") asked = args[index + 1];
    else if (arg.startsWith("--locale=")) asked = arg.slice(9);
  });
  if (json) return "en";
  return LocaleSchema.safeParse(asked ?? env.SALDO_LOCALE).data ?? DEFAULT_LOCALE;
}

/** Node's reasons a file named on the command line cannot be opened, in English and bokmål. */
const FILE_SYSTEM_REASONS: Record<string, { en: string; nb: string }> = {
  ENOENT: { en: "no such file", nb: "filen finnes ikke. Kontroller navnet og mappen" },
  EACCES: { en: "permission denied", nb: "du har ikke tilgang til den. Kontroller rettighetene" },
  EPERM: { en: "permission denied", nb: "du har ikke tilgang til den. Kontroller rettighetene" },
  EISDIR: { en: "it is a folder, not a file", nb: "det er en mappe, ikke en fil. Oppgi en fil" },
  ENOTDIR: { en: "a part of the path is not a folder", nb: "en del av stien er ikke en mappe. Kontroller stien" },
};

/** Node's network failures (a target that does not answer), in English and bokmål. */
const NETWORK_REASONS: Record<string, { en: string; nb: string }> = {
  ECONNREFUSED: { en: "the connection was refused", nb: "tilkoblingen ble avvist" },
  ECONNRESET: { en: "the connection was reset", nb: "tilkoblingen ble brutt" },
  ETIMEDOUT: { en: "the connection timed out", nb: "tilkoblingen ble tidsavbrutt" },
  ENOTFOUND: { en: "the host name is unknown", nb: "vertsnavnet er ukjent" },
  EAI_AGAIN: { en: "the host name could not be looked up", nb: "vertsnavnet kunne ikke slås opp" },
};

/**
 * What the CLI prints for `error` (after `saldo: `), in `locale`, ending with its stable code: a saldo error by its
 * code and context (the context of the errors it wraps included), a file that cannot be opened, a target that does
 * not answer, or anything else as an unexpected error.
 */
export function errorLine(error: unknown, locale: Locale): string {
  if (error instanceof SaldoError) return errorLineForPeople(forPeople(error), locale, nbOf(error));
  const { code, path, address, port } = (error instanceof Error ? error : {}) as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
  };
  const file = code === undefined ? undefined : FILE_SYSTEM_REASONS[code];
  if (file !== undefined) {
    const name = typeof path === "string" ? path : undefined;
    return locale === "nb"
      ? `Kan ikke lese ${name === undefined ? "filen" : `«${name}»`}: ${file.nb}. (${code})`
      : `cannot read ${name ?? "the file"}: ${file.en} (${code})`;
  }
  const network = code === undefined ? undefined : NETWORK_REASONS[code];
  if (network !== undefined) {
    const target = address === undefined ? undefined : port === undefined ? address : `${address}:${port}`;
    return locale === "nb"
      ? `Får ikke kontakt med ${target ?? "tjenesten"}: ${network.nb}. Kjører den lokale stakken («npm start»), og er nettverket oppe? (${code})`
      : `cannot reach ${target ?? "the service"}: ${network.en} (${code})`;
  }
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  return locale === "nb"
    ? `Noe uventet gikk galt: ${message}. Prøv igjen; skjer det igjen, kontakt den som drifter saldo. (INTERNAL_ERROR)`
    : `${message} (INTERNAL_ERROR)`;
}

/** The error's code, message and context, with the context of the saldo errors it wraps (its own wins). */
function forPeople(error: SaldoError): ErrorForPeople {
  const contexts: Array<Readonly<Record<string, unknown>>> = [];
  for (let current: unknown = error; current instanceof SaldoError; current = current.cause) {
    contexts.unshift(current.context);
  }
  return { code: error.code, message: error.message, context: Object.assign({}, ...contexts) };
}

/** A usage error's own bokmål text. */
function nbOf(error: SaldoError): string | undefined {
  return error instanceof UsageError ? error.nb : undefined;
}
