import { chunkedSource } from "../../lib/formats/shared/sources.ts";

/**
 * Holds a byte source to the contract of lib/formats/shared/sources.ts as harshly as it can be held: "a chunk is
 * valid only until the next pull". Every chunk is handed out as a fresh copy, and on the next pull (`next()` or
 * `return()`, the one that ends the stream included) that copy is overwritten with garbage: every byte flipped, so
 * no byte keeps its value by chance. A stage that keeps a chunk, or a view of one, across a pull reads the garbage,
 * and its output differs from a parse of a plain source.
 */
export async function* poisoned(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of source) {
    const copy = Buffer.allocUnsafeSlow(chunk.length);
    copy.set(chunk);
    try {
      yield copy;
    } finally {
      poison(copy);
    }
  }
}

/** {@link chunkedSource} (the bytes split into chunks of the given sizes, cycled) through {@link poisoned}. */
export function poisonedSource(
  bytes: Uint8Array,
  sizes: readonly number[] = [64 * 1024],
): AsyncGenerator<Buffer, void, undefined> {
  return poisoned(chunkedSource(bytes, sizes));
}

/** Every byte flipped (XOR 0xA5): NUL bytes, high bytes and markup characters where the text was. */
export function poison(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0xa5;
}
