export { parseSaft } from "./parseSaft.ts";
export { unzipSingleXml } from "./unzipSingleXml.ts";
export { ZipEncryptedError, ZipTooLargeError } from "../errors.ts";
