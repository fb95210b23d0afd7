import { z } from "zod";
import type { LocalHttpRoute } from "./localHttpServer.ts";

/** The answer of `GET /health` on the local stack: which emulators it serves and the names in them. */
export const LocalStackHealthSchema = z.object({
  status: z.literal("ok"),
  s3: z.object({ endpoint: z.url(), bucket: z.string().min(1) }),
  dynamodb: z.object({ endpoint: z.url(), table: z.string().min(1) }),
});
export type LocalStackHealth = z.infer<typeof LocalStackHealthSchema>;

/** `GET /health`: answers once the stack is up (the server only listens then). */
export function healthRoute(health: LocalStackHealth): LocalHttpRoute {
  const body = LocalStackHealthSchema.parse(health);
  return {
    method: "GET",
    path: "/health",
    handle: () => ({ status: 200, headers: { "cache-control": "no-store" }, body }),
  };
}
