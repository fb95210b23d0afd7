import { poisonedSource } from "./poisonedSource.ts";
import { SourceFileMissingError } from "../../lib/imports/errors.ts";
import type { FileSource, OpenedFile } from "../../lib/imports/ports.ts";

/**
 * A FileSource over objects kept in memory by key, for use-case tests on the in-memory store. Bytes are served in
 * 1 000-byte chunks (the parsers must not care); `failNext` makes the next open throw that error; `kept` records
 * what keepRejected copied, with the reason; `metadata` holds an object's user metadata.
 */
export class MemoryFileSource implements FileSource {
  readonly objects = new Map<string, Uint8Array>();
  /** User metadata per key (as S3 gives it: lower-case keys without `x-amz-meta-`). */
  readonly metadata = new Map<string, Record<string, string>>();
  readonly kept = new Map<string, string>();
  failNext: Error | undefined;

  async open(location: { bucket: string; key: string }): Promise<OpenedFile> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const bytes = this.objects.get(location.key);
    if (!bytes) throw new SourceFileMissingError(location);
    const metadata = this.metadata.get(location.key);
    return { body: poisonedSource(bytes, [1000]), size: bytes.length, ...(metadata ? { metadata } : {}) };
  }

  async keepRejected(location: { key: string }, reason: string): Promise<string> {
    const target = location.key.replace(/^uploads\//, "rejected/");
    this.kept.set(target, reason);
    return target;
  }
}
