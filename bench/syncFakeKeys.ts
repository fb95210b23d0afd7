/** The keys bench/syncFake.ts's fakes accept and bench/sync.ts's connectors send (bench-only values, no secrets). */
export const BENCH_FAKE_KEYS = {
  tripletexConsumerToken: "bench-tripletex-consumer",
  tripletexEmployeeToken: "bench-tripletex-employee",
  powerOfficeApplicationKey: "bench-poweroffice-application",
  powerOfficeSubscriptionKey: "bench-poweroffice-subscription",
  powerOfficeClientKey: "bench-poweroffice-client",
} as const;
