// S62 swept over the sources of every package but the emulator (a server, which depends on no other package):
// every outbound HTTP request goes through the library's one client, createHttpFetch
// (packages/tokenloop/src/http/http-client.ts: no redirects, https off loopback, size cap, timeout, proxy).
// The scan uses the TypeScript checker, so a reference to the global `fetch` is found however it is written
// (`fetch(…)`, `o.fetch ?? fetch`, `globalThis.fetch`, `globalThis['fetch']`) while a parameter or property
// of that name is not; imports of node:http / node:https / node:http2 / undici (static, dynamic, require,
// re-export) are allowed only as the allow-list below says, with its reason.
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { packageSourceFiles } from '../support/package-sources.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const EXCLUDED_PACKAGES = new Set(['emulator']); // a server: it answers requests and sends none

/** Globals that send requests. */
const NETWORK_GLOBALS = new Set(['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest']);
/** Modules that can send HTTP requests. */
const HTTP_MODULE = /^(?:node:)?(?:http|https|http2)$|^undici(?:\/|$)/;

/** Value imports of HTTP modules that are allowed, per file and module: the names (or '*' for any), and why. */
const ALLOWED: Record<string, { module: string; names: string[] | '*'; reason: string }[]> = {
  'packages/tokenloop/src/http/http-client.ts': [
    {
      module: 'undici',
      names: '*',
      reason:
        "the one HTTP client itself: undici's fetch with EnvHttpProxyAgent, wrapped with the rules (S62, S63)",
    },
  ],
  'packages/tokenloop/src/flows/loopback-login.ts': [
    {
      module: 'node:http',
      names: ['createServer'],
      reason:
        "the RFC 8252 loopback redirect listener: a server on 127.0.0.1 that receives the browser's redirect with the code; it sends no request",
    },
  ],
};

export interface Finding {
  file: string;
  what: string;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  allowJs: true,
  noEmit: true,
  skipLibCheck: true,
};

/** Is this declaration in the global scope (a script's top level, or `declare global { … }`)? */
function isGlobalDeclaration(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isModuleDeclaration(n) && (n.flags & ts.NodeFlags.GlobalAugmentation) !== 0) return true;
    if (ts.isSourceFile(n)) return !ts.isExternalModule(n);
  }
  return false;
}

const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);

type AllowList = typeof ALLOWED;

/** Is this node part of a type (`typeof fetch` in a type sends nothing)? */
function inType(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent)
    if (ts.isTypeNode(n)) return true;
  return false;
}

/** The S62 findings of one file: global network APIs used, HTTP modules imported beyond the allow-list. */
function scanFile(sf: ts.SourceFile, checker: ts.TypeChecker, file: string, allowList: AllowList): Finding[] {
  const found: Finding[] = [];
  const allowed = allowList[file] ?? [];
  const importOf = (module: string, names: string[], how: string) => {
    if (!HTTP_MODULE.test(module)) return;
    const bare = module.replace(/^node:/, '');
    for (const name of names) {
      const ok = allowed.some(
        (a) =>
          a.module.replace(/^node:/, '') === bare &&
          (a.names === '*' || (name !== '*' && a.names.includes(name))),
      );
      if (!ok) found.push({ file, what: `${how} ${name} from ${module}` });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const names: string[] = [];
      if (!clause)
        names.push('*'); // import 'undici' for its side effects
      else if (!clause.isTypeOnly) {
        if (clause.name) names.push('default');
        const b = clause.namedBindings;
        if (b && ts.isNamespaceImport(b)) names.push('*');
        if (b && ts.isNamedImports(b))
          for (const e of b.elements) if (!e.isTypeOnly) names.push((e.propertyName ?? e.name).text);
      }
      importOf(node.moduleSpecifier.text, names, 'imports');
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      if (!node.isTypeOnly) {
        const c = node.exportClause;
        const names =
          c && ts.isNamedExports(c)
            ? c.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text)
            : ['*'];
        importOf(node.moduleSpecifier.text, names, 're-exports');
      }
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e) && !node.isTypeOnly) importOf(e.text, ['*'], 'imports');
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const dynamic = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((dynamic || required) && arg && ts.isStringLiteralLike(arg))
        importOf(arg.text, ['*'], dynamic ? 'imports dynamically' : 'requires');
    } else if (ts.isIdentifier(node) && NETWORK_GLOBALS.has(node.text)) {
      const parent = node.parent;
      const member = ts.isPropertyAccessExpression(parent) && parent.name === node;
      const onGlobalObject =
        member && ts.isIdentifier(parent.expression) && GLOBAL_OBJECTS.has(parent.expression.text);
      const declaredName =
        (ts.isPropertyAssignment(parent) ||
          ts.isPropertySignature(parent) ||
          ts.isPropertyDeclaration(parent) ||
          ts.isMethodDeclaration(parent) ||
          ts.isMethodSignature(parent) ||
          ts.isBindingElement(parent)) &&
        parent.name === node;
      if ((!member || onGlobalObject) && !declaredName && !inType(node)) {
        const symbol = checker.getSymbolAtLocation(node);
        const declarations = symbol?.declarations ?? [];
        // Unresolved (no declaration at all) counts as the global too: better a false alarm than a miss.
        if (declarations.length === 0 || declarations.some(isGlobalDeclaration))
          found.push({ file, what: `uses the global ${node.text}` });
      }
    } else if (
      ts.isElementAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      GLOBAL_OBJECTS.has(node.expression.text) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      NETWORK_GLOBALS.has(node.argumentExpression.text)
    ) {
      found.push({ file, what: `uses the global ${node.argumentExpression.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Scan files (paths relative to ROOT); `virtual` supplies in-memory files for the scanner's own test. */
function scan(
  files: string[],
  virtual: Record<string, string> = {},
  allowList: AllowList = ALLOWED,
): Finding[] {
  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const text = (path: string) => virtual[relative(ROOT, path).replaceAll('\\', '/')];
  host.readFile = (path) => text(path) ?? read(path);
  host.fileExists = (path) => text(path) !== undefined || exists(path);
  host.getSourceFile = (path, version, onError, create) => {
    const t = text(path);
    return t !== undefined
      ? ts.createSourceFile(path, t, version, true)
      : getSourceFile(path, version, onError, create);
  };
  const program = ts.createProgram({
    rootNames: files.map((f) => join(ROOT, f)),
    options: COMPILER_OPTIONS,
    host,
  });
  const checker = program.getTypeChecker();
  return files.flatMap((file) =>
    scanFile(program.getSourceFile(join(ROOT, file))!, checker, file, allowList),
  );
}

const FILES = packageSourceFiles(ROOT, EXCLUDED_PACKAGES).map((path) =>
  relative(ROOT, path).replaceAll('\\', '/'),
);

test('S62 no package source sends a request except through the one HTTP client (allow-list with reasons)', () => {
  assert.ok(FILES.length > 100, `found the sources (${FILES.length})`);
  assert.ok(FILES.includes('packages/tokenloop/src/http/http-client.ts'));
  assert.ok(
    FILES.some((f) => f.startsWith('packages/web/src/')) &&
      FILES.some((f) => f.startsWith('packages/cli/src/')),
  );
  const findings = scan(FILES);
  assert.deepEqual(
    findings,
    [],
    'send requests with createHttpFetch from the library (`tokenloop`), or add the file to ALLOWED with why not',
  );
  // The allow-list stays true: without each entry, its file is found.
  for (const [file, entries] of Object.entries(ALLOWED)) {
    assert.ok(FILES.includes(file), `${file} is gone: drop it from ALLOWED`);
    for (const entry of entries) {
      const without = { ...ALLOWED, [file]: entries.filter((e) => e !== entry) };
      assert.ok(
        scan([file], {}, without).length > 0,
        `${file} no longer imports ${entry.module}: drop it from ALLOWED`,
      );
    }
  }
});

test('S62 the scan finds every way of reaching the network, and not what only looks like it', () => {
  const bad: Record<string, string> = {
    'packages/web/src/zz-call.ts': "export const r = () => fetch('https://example.test/');",
    'packages/web/src/zz-fallback.ts':
      'export const f = (o: { fetch?: typeof fetch }) => (o.fetch ?? fetch)("https://example.test/");',
    'packages/web/src/zz-global-this.ts': "export const r = () => globalThis.fetch('https://example.test/');",
    'packages/web/src/zz-element.ts': "export const r = () => globalThis['fetch']('https://example.test/');",
    'packages/web/src/zz-socket.ts': "export const s = () => new WebSocket('wss://example.test/');",
    'packages/cli/src/zz-https.ts': "import { request } from 'node:https';\nexport const r = request;",
    'packages/cli/src/zz-namespace.ts': "import * as http from 'http';\nexport const r = http.get;",
    'packages/cli/src/zz-default.ts': "import http2 from 'node:http2';\nexport const c = http2.connect;",
    'packages/cli/src/zz-dynamic.ts': "export const u = () => import('undici');",
    'packages/cli/src/zz-require.ts':
      "declare const require: (m: string) => unknown;\nexport const h = require('node:http');",
    'packages/cli/src/zz-reexport.ts': "export { fetch } from 'undici';",
    'packages/tokenloop/src/flows/loopback-login.ts':
      "import { createServer, request } from 'node:http';\nexport { createServer, request };",
  };
  const findings = scan(Object.keys(bad), bad);
  for (const file of Object.keys(bad))
    assert.ok(
      findings.some((f) => f.file === file),
      `${file} must be found: ${bad[file]}`,
    );
  assert.deepEqual(
    findings.filter((f) => f.file === 'packages/tokenloop/src/flows/loopback-login.ts').map((f) => f.what),
    ['imports request from node:http'],
    'the allow-listed server may create a server, nothing more',
  );
  const fine: Record<string, string> = {
    'packages/web/src/zz-parameter.ts': "export const f = (fetch: (u: string) => unknown) => fetch('x');",
    'packages/web/src/zz-property.ts': "export const f = (o: { fetch(u: string): unknown }) => o.fetch('x');",
    'packages/web/src/zz-local.ts': "const fetch = (u: string) => u;\nexport const r = fetch('x');",
    'packages/web/src/zz-types.ts':
      "import type { IncomingMessage } from 'node:http';\nimport { type Agent } from 'undici';\nexport type T = [IncomingMessage, Agent, typeof fetch];",
    'packages/web/src/zz-option.ts':
      'export interface O { fetch?: (u: string) => unknown }\nexport const o: O = { fetch: undefined };',
  };
  assert.deepEqual(scan(Object.keys(fine), fine), []);
});
