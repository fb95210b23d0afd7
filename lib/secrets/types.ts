import type { z } from "zod";
import type { Secret } from "./Secret.ts";
import type { IntegrationSystemSchema, KeyStatusSchema, PowerOfficeGoKey, TripletexKey } from "./schemas.ts";

export type IntegrationSystem = z.infer<typeof IntegrationSystemSchema>;

/** The value stored for each system. */
export interface IntegrationKeyBySystem {
  "poweroffice-go": PowerOfficeGoKey;
  tripletex: TripletexKey;
}

/** Which key: one secret per tenant, client and system. */
export interface KeyRef<S extends IntegrationSystem = IntegrationSystem> {
  tenantId: string;
  clientId: string;
  system: S;
}

/** A key's status: see {@link KeyStatusSchema}. */
export type KeyStatus = z.infer<typeof KeyStatusSchema>;

/**
 * saldo's platform keys, wrapped so they do not leak (PlatformKeysSchema in lib/config/connectorsConfig.ts is their
 * JSON shape). A system is absent when the secret holds no keys for it.
 */
export interface PlatformKeys {
  "poweroffice-go"?: { applicationKey: Secret<string>; subscriptionKey: Secret<string> };
  tripletex?: { consumerToken: Secret<string> };
}
