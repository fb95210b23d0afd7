/** Who is calling, as established from a verified access token. */
export interface Principal {
  /** The accounting firm: every read and write of the request is scoped to it. Never taken from the path or body. */
  tenantId: string;
  /** The token's `sub` (the user or machine client at the issuer). */
  subject: string;
  /** OAuth scopes granted to the token (`scope`, space-separated, or `scp`), possibly empty. */
  scopes: string[];
}
