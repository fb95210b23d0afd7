import { SaldoError } from "../errors/SaldoError.ts";

/** Base error of the money module: a decimal string that is not an exact amount in øre. */
export class MoneyError extends SaldoError {
  readonly input: string;
  constructor(code: string, message: string, input: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, context: { input } });
    this.input = input;
  }
}

/** The text is not a plain decimal amount (`-1234.5`, `0.00`, `12`). */
export class InvalidAmountError extends MoneyError {
  constructor(input: string, reason: string) {
    super("MONEY_INVALID_AMOUNT", `not an amount: ${JSON.stringify(input)} (${reason})`, input);
  }
}

/** The text is an amount beyond what any ledger holds (too many digits); refused before any arithmetic. */
export class AmountOutOfRangeError extends MoneyError {
  constructor(input: string, reason: string) {
    // The message quotes only the start of a long input: the input may be megabytes.
    super(
      "MONEY_AMOUNT_OUT_OF_RANGE",
      `amount out of range: ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)} (${reason})`,
      input.length > 64 ? `${input.slice(0, 64)}…` : input,
    );
  }
}
