import type { EmulatorContext } from '../context.js';
import type { Exchange } from '../http/route.js';
import { type AuthorizeDialect, authorizeParams, authorizeWith } from './authorize.js';
import { resourceScope, V1_USER_SCOPES } from './v1-resource.js';

/**
 * The v1 sign-in: `resource` (optional: the token request may name it instead) stands for that resource's
 * `.default`; `scope` is ignored, as v1 apps' permissions are static; the answer's ID token is a v1 ID token.
 */
const V1: AuthorizeDialect = {
  scope: (p, segment) => {
    const resource = p.get('resource');
    return [...(resource !== undefined ? [resourceScope(resource, segment)] : []), ...V1_USER_SCOPES].join(
      ' ',
    );
  },
  idTokenVersion: 1,
};

/** `GET|POST /{tenant}/oauth2/authorize` — the v1 authorization endpoint, the v2 sign-in flow underneath. */
export async function v1Authorize(ctx: EmulatorContext, x: Exchange): Promise<void> {
  await authorizeWith(ctx, x, await authorizeParams(x), V1);
}
