import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import type { Params } from './request.js';

/** One request as handlers see it: the raw request/response, its path, query and cookies. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: Params;
  cookies: Map<string, string>;
  /** Path parameters captured by the route pattern (`tenant`, `id`, …). */
  params: Record<string, string>;
}

export type Handler = (ctx: EmulatorContext, x: Exchange) => Promise<void> | void;

export interface Route {
  methods: string[];
  pattern: RegExp;
  /** Names of the pattern's capture groups, in order. */
  names: string[];
  handler: Handler;
  /** How errors from this route are shown: JSON (APIs) or an HTML page (browser endpoints). */
  errors: 'json' | 'page';
}
