import Negotiator from "negotiator";
import { NotAcceptableError } from "../../../lib/api/errors.ts";
import { EXPORT_MEDIA_TYPES, type ExportFormat } from "../../../lib/export/exportFormats.ts";
import { DEFAULT_LOCALE, type Locale } from "../../../lib/presentation/locale.ts";

/** How an answer can be represented: the route's JSON, or an export. */
export type Representation = "json" | ExportFormat;

const MEDIA_TYPES: Record<Representation, string> = { json: "application/json", ...EXPORT_MEDIA_TYPES };

/**
 * Content negotiation (RFC 9110 §12.5.1) over the representations a route offers, honouring q-values and wildcards.
 * No `Accept`, or `*∕*`, gives JSON (the first offered); an `Accept` none of them satisfies is a 406 listing them.
 */
export function negotiateRepresentation(
  headers: Record<string, string | undefined>,
  offered: readonly Representation[],
): Representation {
  const types = offered.map((representation) => MEDIA_TYPES[representation]);
  const chosen = new Negotiator({ headers: { accept: headers.accept } }).mediaType(types);
  const representation = offered.find((candidate) => MEDIA_TYPES[candidate] === chosen);
  if (representation === undefined) throw new NotAcceptableError(types);
  return representation;
}

/**
 * The language of an export's header row from `Accept-Language`: Norwegian (`nb`, and `no`/`nn`, which read bokmål
 * titles) unless English is preferred; Norwegian when neither is acceptable or the header is absent.
 */
export function negotiateLocale(headers: Record<string, string | undefined>): Locale {
  const chosen = new Negotiator({ headers: { "accept-language": headers["accept-language"] } }).language([
    "nb",
    "en",
    "no",
    "nn",
  ]);
  return chosen === "en" ? "en" : DEFAULT_LOCALE;
}
