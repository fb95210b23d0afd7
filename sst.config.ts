// Wires infra/ (one concern per file) and returns the outputs. Type-checked offline by `npm run typecheck:infra`.
export default $config({
  async app(input) {
    const { AWS_PROVIDER_VERSION, AWS_REGION, PROTECTED_STAGES } = await import("./infra/config.ts");
    const isProtectedStage = PROTECTED_STAGES.includes(input?.stage ?? "");
    return {
      name: "saldo",
      home: "aws",
      removal: isProtectedStage ? "retain" : "remove",
      protect: isProtectedStage,
      providers: { aws: { region: AWS_REGION, version: AWS_PROVIDER_VERSION } },
    };
  },
  async run() {
    // Imported here, not at the top: SST defines its globals (sst, aws, $app) only while running the app.
    const { uploadsBucket, table } = await import("./infra/storage.ts");
    const { ingestFunction, ingestDeadLetterQueue } = await import("./infra/ingest.ts");
    const { platformKeysSecret } = await import("./infra/secrets.ts");
    const { api } = await import("./infra/api.ts");
    const { importSweeper } = await import("./infra/sweeper.ts");
    const { web } = await import("./infra/web.ts");
    await import("./infra/webConfig.ts");
    const { refreshSchedule, syncQueues } = await import("./infra/schedule.ts");
    return {
      api: api.url,
      web: web.url,
      uploadsBucket: uploadsBucket.name,
      table: table.name,
      ingestFunction: ingestFunction.name,
      ingestDeadLetterQueue: ingestDeadLetterQueue.url,
      importSweeper: importSweeper.nodes.function.name,
      platformKeysSecret: platformKeysSecret.name,
      refreshFunction: refreshSchedule.nodes.function.name,
      syncQueuePowerOfficeGo: syncQueues["poweroffice-go"].queue.url,
      syncQueueTripletex: syncQueues.tripletex.queue.url,
      syncDeadLettersPowerOfficeGo: syncQueues["poweroffice-go"].deadLetters.url,
      syncDeadLettersTripletex: syncQueues.tripletex.deadLetters.url,
    };
  },
});
