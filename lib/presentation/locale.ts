import { z } from "zod";

/**
 * The language and number style of text for people: `nb` Norwegian bokmål (the default: `1 234 567,89`,
 * `31.12.2025`), `en` English (`1,234,567.89`, `2025-12-31`). JSON output and the API's JSON never depend on it.
 */
export const LocaleSchema = z.enum(["nb", "en"]);
export type Locale = z.infer<typeof LocaleSchema>;

/** The locale when none is asked for. */
export const DEFAULT_LOCALE: Locale = "nb";
