export { parseSaft } from "./parseSaft.ts";
export { unzipSingleXml, ZipEncryptedError, ZipTooLargeError } from "./unzipSingleXml.ts";
