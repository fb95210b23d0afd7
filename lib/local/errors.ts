import { SaldoError } from "../errors/SaldoError.ts";
/** Stable codes of the local stack's errors. */
export type LocalStackErrorCode =
  | "JAVA_NOT_FOUND"
  | "EMULATOR_NOT_FOUND"
  | "EMULATOR_START_FAILED"
  | "EMULATOR_START_TIMEOUT"
  | "BUCKET_SETUP_FAILED"
  | "TABLE_SETUP_FAILED"
  | "TABLE_SCHEMA_MISMATCH";

/** Base error of lib/local: the local emulators and the resources created in them. */
export class LocalStackError extends SaldoError<LocalStackErrorCode> {}

/** An emulator could not be found, started, or did not answer in time. */
export class EmulatorStartError extends LocalStackError {}

/** A bucket or table could not be created or does not match what saldo expects. */
export class LocalResourceError extends LocalStackError {}
