import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A secret value that does not leak by accident: `JSON.stringify`, `String(…)`, template literals and
 * `util.inspect` (hence console.log and most loggers) all show `[redacted]`. Only {@link Secret.reveal} gives the
 * value, so every place that really needs it is greppable.
 *
 * The value lives in an ECMAScript private field, which neither `Object.keys`, spreading, structured logging nor
 * `util.inspect` can see.
 */
export class Secret<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The value itself: only for the one call that needs it (an HTTP header to the accounting system, an encryption). */
  reveal(): T {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}
