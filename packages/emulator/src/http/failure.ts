import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { EntraError } from '../errors/entra-error.js';
import { errorAnswer } from '../errors/http-answer.js';
import { sendJson } from './respond.js';
import type { Exchange } from './route.js';

/** The request that failed, as far as the listener got with it. */
export interface FailedRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
}

/**
 * Turns a failure into a response: an EntraError into an Entra body (JSON), or into `errorPage` when the route
 * shows errors to a person; the emulator's other errors as errors/http-answer.ts says (a body too large into a
 * 413, a directory full into a 409, a bad directory change into a 400); a client gone into nothing; anything else
 * into a 500 that is logged (a bug). With the answer already started, the connection is cut instead.
 */
export function answerFailure(
  ctx: EmulatorContext,
  { req, res, method, path }: FailedRequest,
  err: unknown,
  errorPage: ((ctx: EmulatorContext, ex: Exchange, err: EntraError) => void) | undefined,
): void {
  if (res.headersSent || isClientGone(err)) {
    res.destroy();
    return;
  }
  if (err instanceof EntraError) {
    if (errorPage) errorPage(ctx, { req, res } as Exchange, err);
    else sendEntraError(res, err);
    return;
  }
  const answer = errorAnswer(err);
  if (answer) {
    sendJson(res, answer.status, answer.body, answer.headers);
    return;
  }
  ctx.log(`internal error on ${method} ${path.slice(0, 100)}: ${(err as Error)?.stack ?? String(err)}`);
  sendJson(res, 500, {
    error: 'server_error',
    error_description: 'Internal emulator error (a bug: please report it).',
  });
}

function sendEntraError(res: ServerResponse, err: EntraError): void {
  sendJson(res, err.status, err.toBody(), {
    'Cache-Control': 'no-store, no-cache',
    Pragma: 'no-cache',
    ...err.headers,
  });
}

function isClientGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
