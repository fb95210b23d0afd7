export * from "./ConnectorHttpClient.ts";
export * from "./KeyedRateLimiter.ts";
export * from "./RequestRecorder.ts";
export * from "./rateLimitHeaders.ts";
export * from "./retryPolicy.ts";
