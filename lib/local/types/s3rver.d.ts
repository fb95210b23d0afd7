// The parts of s3rver 3.7 (which ships no types) that lib/local/s3rverEmulator.ts uses.
declare module "s3rver" {
  import type { EventEmitter } from "node:events";
  import type { Server } from "node:http";
  import type { AddressInfo } from "node:net";

  export interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** The event s3rver emits as `"event"` after it stored, copied or deleted an object (its own, loose shape). */
  export interface S3rverEvent {
    Records: {
      eventName: string;
      eventTime: string;
      requestParameters: { sourceIPAddress: string };
      s3: {
        bucket: { name: string };
        object: { key: string; size?: number; eTag?: string; sequencer: string };
      };
    }[];
  }

  /** Koa middleware, as far as the emulator needs it. */
  export type S3rverMiddleware = (
    context: { method: string; path: string; query: Record<string, unknown>; ip: string; get(header: string): string },
    next: () => Promise<void>,
  ) => Promise<void>;

  class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    httpServer?: Server;
    /** Koa's middleware stack; composed when the server starts listening. */
    middleware: S3rverMiddleware[];
    store: { getMetadata(bucket: string, key: string): Promise<Record<string, string | number>> };
  }

  export default S3rver;
}
