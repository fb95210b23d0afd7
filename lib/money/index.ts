export * from "./ore.ts";
export * from "./errors.ts";
