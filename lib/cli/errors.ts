/** A command line that cannot be run as given (unknown command, missing argument). Exit code 2. */
export class UsageError extends Error {
  readonly code = "CLI_USAGE";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
