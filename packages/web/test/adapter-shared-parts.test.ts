// S166: what the Express and Fastify adapters have in common lives once, in the web core; an adapter only
// translates between its framework and the core. This sweep finds a declaration written into both adapters
// again, and the core's parts rebuilt by hand in an adapter.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const ADAPTERS = ['express', 'fastify'].map((name) => ({
  name,
  text: readFileSync(new URL(`../src/adapters/${name}.ts`, import.meta.url), 'utf8'),
}));

/** The names of the interfaces, types and functions a module declares itself (module augmentations aside). */
function declared(text: string): Set<string> {
  const own = text.replace(/declare module '[^']+' \{[\s\S]*?\n\}\n/g, '');
  return new Set(
    [...own.matchAll(/^(?:export )?(?:interface|type|function|async function|const) (\w+)/gm)].map(
      (m) => m[1]!,
    ),
  );
}

it('S166 the Express and Fastify adapters declare no type or helper of the same name (shared parts are in the core)', () => {
  const [a, b] = ADAPTERS.map((x) => declared(x.text));
  // `webRequest`, `send`, `signIn`, `requireSignIn` and `requireBearer` are each framework's glue, named alike on purpose.
  const glue = new Set(['webRequest', 'send', 'signIn', 'requireSignIn', 'requireBearer']);
  assert.deepEqual(
    [...a!].filter((n) => b!.has(n) && !glue.has(n)),
    [],
  );
});

it("S166 neither adapter builds the core's request, request auth, bearer guard, bearer request or RFC 6750 reply itself", () => {
  for (const { name, text } of ADAPTERS) {
    for (const copy of [
      /new SignInRequiredError\(/,
      /tokenInQuery:/,
      /error_description:/,
      /'www-authenticate'/,
      // The request, the session's auth and the bearer guard come from adapter-core.ts.
      /toWebRequest\(/,
      /requestAuth\(/,
      /createAccessTokenVerifier\(/,
      /checkRequirement\(/,
      /checkBearer\(/,
    ])
      assert.equal(copy.test(text), false, `${name}.ts matches ${String(copy)}`);
  }
});
