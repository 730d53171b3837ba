// S96: every options object the web package accepts refuses keys it does not know, at start-up. The sweep asks
// the TypeScript checker for every exported function of every entry point in package.json's `exports` and
// every plain-data object its parameters take (options, nested options such as `http`, route requirements),
// and demands a case below for each: a call with an unknown key there must fail naming the key, and the same
// call without it must not. A new options object (or a new key path) without a case fails the sweep.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { SAMPLE_IDS, createSelfSignedKey } from '@tokenloop/emulator';
import { Redis } from 'ioredis';
import ts from 'typescript';
import {
  WebAuthConfigError,
  checkBearer,
  claimsChallenge,
  createAccessTokenVerifier,
  createWebAuth,
} from '@tokenloop/web';
import { requireBearer as expressRequireBearer } from '@tokenloop/web/express';
import { requireBearer as fastifyRequireBearer } from '@tokenloop/web/fastify';
import { redisSessionStore } from '@tokenloop/web/redis';

const PACKAGE = join(import.meta.dirname, '..');
const UNKNOWN = 'unknownOptionForTheSweep';

/** Entry name (`.`, `./express`, …) → its source file, from package.json's exports. */
function entries(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { default?: string }>;
  };
  const out = new Map<string, string>();
  for (const [name, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.default;
    if (!file?.startsWith('./dist/') || !file.endsWith('.js')) continue;
    out.set(name, join(PACKAGE, 'src', file.slice('./dist/'.length).replace(/\.js$/, '.ts')));
  }
  return out;
}

/**
 * Every plain-data object type reachable from each exported function's parameters, as `entry fn(param.path)`.
 * Plain data: an object type that is not an array, a function, a class instance, nor has methods (a store, a
 * verifier, the WebAuth object are behaviour, not options).
 */
function optionObjectPaths(): Set<string> {
  const files = entries();
  const config = ts.getParsedCommandLineOfConfigFile(
    join(PACKAGE, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
    },
  )!;
  const program = ts.createProgram({ rootNames: [...files.values()], options: config.options });
  const checker = program.getTypeChecker();
  const paths = new Set<string>();

  /** `fn` is `entry name`, `path` the parameter's name and property path: recorded as `fn(path)`. */
  const walk = (type: ts.Type, fn: string, path: string, seen: Set<ts.Type>) => {
    for (const t of type.isUnion() ? type.types : [type]) {
      if (!(t.flags & ts.TypeFlags.Object)) continue;
      if (checker.isArrayType(t) || checker.isTupleType(t)) continue;
      if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) continue;
      const declarations = t.getSymbol()?.declarations ?? [];
      if (declarations.some((d) => ts.isClassDeclaration(d))) continue;
      const props = checker.getPropertiesOfType(t);
      if (props.length === 0) continue;
      const method = (p: ts.Symbol) =>
        (p.declarations ?? []).some((d) => ts.isMethodSignature(d) || ts.isMethodDeclaration(d));
      if (props.some(method)) continue;
      paths.add(`${fn}(${path})`);
      if (seen.has(t)) continue;
      for (const p of props) walk(checker.getTypeOfSymbol(p), fn, `${path}.${p.name}`, new Set([...seen, t]));
    }
  };

  for (const [entry, file] of files) {
    const source = program.getSourceFile(file);
    assert.ok(source, file);
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    for (let symbol of checker.getExportsOfModule(moduleSymbol)) {
      if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      if (!(symbol.flags & ts.SymbolFlags.Function)) continue;
      const declaration = symbol.declarations![0]!;
      for (const signature of checker.getTypeOfSymbolAtLocation(symbol, declaration).getCallSignatures())
        for (const param of signature.parameters)
          walk(
            checker.getTypeOfSymbolAtLocation(param, declaration),
            `${entry} ${symbol.name}`,
            param.name,
            new Set(),
          );
    }
  }
  return paths;
}

describe('S96 options objects refuse unknown keys', () => {
  let certificate: { privateKey: string; certificate: string };
  const redis = new Redis({ lazyConnect: true }); // never connects: the stores are only built
  before(async () => {
    const key = await createSelfSignedKey('option-keys sweep');
    certificate = { privateKey: key.privateKeyPem, certificate: key.certificatePem };
  });

  const authority = `http://127.0.0.1:9/${SAMPLE_IDS.contoso}`; // never contacted: start-up checks only
  const web = { authority, clientId: SAMPLE_IDS.webApp, baseUrl: 'http://127.0.0.1:3000' };
  const bearer = { authority, audience: SAMPLE_IDS.apiApp };
  const verifier = { verify: async () => ({}) };
  const request = { authorization: undefined, tokenInQuery: false, tokenInBody: false };
  const x = (extra: object) => extra; // a case's extra keys: {} for the control call, { [UNKNOWN]: 1 } else

  /** For each option object path: the call, with `extra` merged in at that path. */
  const CASES: Record<string, (extra: object) => unknown> = {
    '. createWebAuth(input)': (e) => createWebAuth({ ...web, clientSecret: 's', ...x(e) }),
    '. createWebAuth(input.clientCertificate)': (e) =>
      createWebAuth({ ...web, clientCertificate: { ...certificate, ...x(e) } }),
    '. createWebAuth(input.http)': (e) =>
      createWebAuth({ ...web, clientSecret: 's', http: { timeoutMs: 1000, ...x(e) } }),
    '. createAccessTokenVerifier(o)': (e) => createAccessTokenVerifier({ ...bearer, ...x(e) }),
    '. createAccessTokenVerifier(o.http)': (e) =>
      createAccessTokenVerifier({ ...bearer, http: { timeoutMs: 1000, ...x(e) } }),
    '. checkBearer(request)': (e) => checkBearer(verifier, { ...request, ...x(e) }),
    '. claimsChallenge(o)': (e) => claimsChallenge({ notBefore: 1, ...x(e) }),
    '. checkBearer(need)': (e) => checkBearer(verifier, request, { scopes: ['a'], ...x(e) }),
    './express requireBearer(verifier)': (e) => expressRequireBearer({ ...bearer, ...x(e) }),
    './express requireBearer(verifier.http)': (e) =>
      expressRequireBearer({ ...bearer, http: { timeoutMs: 1000, ...x(e) } }),
    './express requireBearer(need)': (e) => expressRequireBearer(verifier, { roles: ['r'], ...x(e) }),
    './fastify requireBearer(verifier)': (e) => fastifyRequireBearer({ ...bearer, ...x(e) }),
    './fastify requireBearer(verifier.http)': (e) =>
      fastifyRequireBearer({ ...bearer, http: { timeoutMs: 1000, ...x(e) } }),
    './fastify requireBearer(need)': (e) => fastifyRequireBearer(verifier, { roles: ['r'], ...x(e) }),
    './redis redisSessionStore(options)': (e) =>
      redisSessionStore({ client: redis, key: 'k'.repeat(32), ...x(e) }),
  };

  it('S96 sweep: every options object of every exported function has a case below', () => {
    const found = [...optionObjectPaths()].sort();
    assert.ok(found.length >= 10, `found only ${found.length}: the scan no longer sees the exports`);
    assert.deepEqual(found, Object.keys(CASES).sort());
  });

  for (const [path, call] of Object.entries(CASES)) {
    it(`S96 ${path}: an unknown key fails at once, naming it; the same call without it does not`, async () => {
      await Promise.resolve(call({})); // the control: valid as it stands
      await assert.rejects(
        async () => call({ [UNKNOWN]: 1 }),
        (err: Error & { code?: string }) => {
          assert.ok(
            err instanceof WebAuthConfigError || err.code === 'CONFIGURATION',
            `${err.name}: ${err.message}`,
          );
          assert.match(err.message, new RegExp(UNKNOWN), 'names the key');
          assert.match(err.message, /unknown option/);
          return true;
        },
      );
    });
  }

  it('S96 a misspelt option of createWebAuth is named with the ones it knows', () => {
    assert.throws(
      () => createWebAuth({ ...web, clientSecret: 's', allowedTenant: [SAMPLE_IDS.contoso] } as never),
      /createWebAuth: unknown option "allowedTenant" \(known: .*allowedTenants/,
    );
  });
});
