/** Options every saldo error takes: the original error, and what it concerned (never a secret value). */
export interface SaldoErrorOptions {
  cause?: unknown;
  context?: Record<string, unknown>;
}

/**
 * The one error model (STYLE.md §7): every module's base error (StoreError, KeyVaultError, AuthError,
 * LocalStackError, ImportError, …) extends this, so a caller — the HTTP layer's single onError above all — can rely
 * on a stable `code`, a `context` naming what was concerned, and `cause` keeping the original error for logs.
 */
export class SaldoError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, options: SaldoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
  }
}
