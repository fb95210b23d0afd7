import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import type { ApiRoute } from "../../../lib/api/routes.ts";
import { AuthError } from "../../../lib/auth/errors.ts";
import { principalFromVerifiedClaims } from "../../../lib/auth/verifyAccessToken.ts";
import type { ApiContext, HttpApiEvent, HttpApiResult } from "./types.ts";

/**
 * Who is calling, from the claims API Gateway's JWT authorizer verified (signature, issuer, audience, expiry) — the
 * local API verifies the same way with jose and passes the same claims. The tenant comes from its claim only, never
 * from the path or body.
 */
export function authenticate(
  route: ApiRoute,
  options: { logger: Logger; tenantClaim: string },
): middy.MiddlewareObj<HttpApiEvent, HttpApiResult, Error, ApiContext> {
  return {
    before: (request) => {
      if (!route.authenticated) return;
      const jwt = request.event.requestContext?.authorizer?.jwt;
      // Only a route deployed without the authorizer gets here without claims: refuse rather than guess.
      if (!jwt) throw new AuthError("AUTH_MISSING_TOKEN", "no verified token claims reached the function");
      const principal = principalFromVerifiedClaims(jwt.claims, {
        tenantClaim: options.tenantClaim,
        scopes: jwt.scopes,
      });
      request.context.principal = principal;
      options.logger.appendKeys({ tenantId: principal.tenantId });
    },
  };
}
