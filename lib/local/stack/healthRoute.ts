import { z } from "zod";
import type { LocalHttpRoute } from "./localHttpServer.ts";

/** A fake accounting API of the local stack: its base URL and the requests it has answered since the stack started. */
const LocalFakeHealthSchema = z.object({ url: z.url(), requests: z.number().int().nonnegative() });

/**
 * The answer of `GET /health` on the local stack: which emulators it serves and the names in them, and the fake
 * accounting APIs its connectors talk to.
 */
export const LocalStackHealthSchema = z.object({
  status: z.literal("ok"),
  s3: z.object({ endpoint: z.url(), bucket: z.string().min(1) }),
  dynamodb: z.object({ endpoint: z.url(), table: z.string().min(1) }),
  fakes: z.object({ tripletex: LocalFakeHealthSchema, "poweroffice-go": LocalFakeHealthSchema }),
  /** The web console's origin, when the stack serves it. */
  web: z.object({ url: z.url() }).optional(),
});
export type LocalStackHealth = z.infer<typeof LocalStackHealthSchema>;

/** `GET /health`: answers once the stack is up (the server only listens then), with the fakes' request counts as of now. */
export function healthRoute(health: () => LocalStackHealth): LocalHttpRoute {
  return {
    method: "GET",
    path: "/health",
    handle: () => ({
      status: 200,
      headers: { "cache-control": "no-store" },
      body: LocalStackHealthSchema.parse(health()),
    }),
  };
}
