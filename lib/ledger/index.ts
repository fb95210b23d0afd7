export * from "./types.ts";
export * from "./summarizeLedger.ts";
export * from "./ledgerJson.ts";
