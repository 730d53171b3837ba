import type { AuthResult } from 'tokenloop';
import { SignInRequiredError, type WebAuth, type WebSession } from './web-auth.js';

/** What the adapters add to each request (`req.auth`): the same for Express and Fastify (S166). */
export interface RequestAuth {
  session: WebSession | undefined;
  /**
   * An access token for a downstream API. When consent or sign-in is needed it rejects with SignInRequiredError,
   * which the adapter's error handling turns into a redirect through the login route.
   */
  getAccessToken(scopes: string[]): Promise<AuthResult>;
}

/** `req.auth` for a request to `target` (its path and query: where the browser comes back after sign-in). */
export function requestAuth(auth: WebAuth, session: WebSession | undefined, target: string): RequestAuth {
  return {
    session,
    getAccessToken: (scopes) => {
      if (!session)
        return Promise.reject(new SignInRequiredError('not signed in', auth.loginUrl(target, scopes)));
      return auth.getAccessToken(session, scopes, target);
    },
  };
}
