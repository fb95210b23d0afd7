/** SIE (Swedish standard, SIE 4B: types 1–4, 4E/4I) reader. See README.md for the decisions it takes. */
export { parseSie } from "./parseSie.ts";
export { tokenizeSie } from "./tokenizeSie.ts";
export { rawTokenizeSie } from "./rawTokenizeSie.ts";
export { sieByteStream, type SieByteStreamOptions } from "./sieByteStream.ts";
export { SieTextDecoder, isByteCompatible } from "./SieTextDecoder.ts";
export { SieLineTokenizer, MAX_SIE_LINE_LENGTH } from "./SieLineTokenizer.ts";
export { SieLine, type SieField, type SieObjectList, type SieTokenProblem, type SieLineKind } from "./SieLine.ts";
export { SieRecordMapper, SIE_LABELS, type SieRecordMapperOptions } from "./SieRecordMapper.ts";
export { SieChecksum } from "./SieChecksum.ts";
export { parseSieAmount, parseSieDate, normalizeOrgNumber, isNumericAccount, type SieDate, type SieOrgNumber } from "./sieFieldValues.ts";
