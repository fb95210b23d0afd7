export { parseSaft } from "./parseSaft.ts";
export { SaftRecordBuilder, SAFT_FINANCIAL_NAMESPACE } from "./SaftRecordBuilder.ts";
export { SaftVersionEvidence, SaftClue, normalizeSaftVersionHint, type SaftClueName } from "./SaftVersionEvidence.ts";
export { SaftElement, classifySaftElement } from "./saftElements.ts";
export { unzipSingleXml, looksLikeZip } from "./unzipSingleXml.ts";
