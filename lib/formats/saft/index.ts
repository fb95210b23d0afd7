export { parseSaft, type SaftParseOptions } from "./parseSaft.ts";
export { SaftRecordBuilder, SAFT_FINANCIAL_NAMESPACE } from "./SaftRecordBuilder.ts";
export { SaftVersionEvidence, SaftClue, normalizeSaftVersionHint, type SaftClueName } from "./SaftVersionEvidence.ts";
export { SaftElement, classifySaftElement } from "./saftElements.ts";
export {
  unzipSingleXml,
  looksLikeZip,
  ZipEncryptedError,
  ZipTooLargeError,
  DEFAULT_MAX_COMPRESSION_RATIO,
  DEFAULT_MAX_INFLATED_BYTES,
  type UnzipLimits,
} from "./unzipSingleXml.ts";
