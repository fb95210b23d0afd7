/** SIE (Swedish standard, SIE 4B: types 1–4, 4E/4I) reader. See README.md for the decisions it takes. */
export { parseSie } from "./parseSie.ts";
export { tokenizeSie } from "./tokenizeSie.ts";
export { rawTokenizeSie } from "./rawTokenizeSie.ts";
export { SieLineTokenizer, MAX_SIE_LINE_LENGTH } from "./SieLineTokenizer.ts";
export { SieLine } from "./SieLine.ts";
export { SieChecksum } from "./SieChecksum.ts";
export { parseSieAmount, parseSieDate, normalizeOrgNumber, isNumericAccount } from "./sieFieldValues.ts";
