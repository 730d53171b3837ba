import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import { defaultDataDir } from '@tokenloop/emulator';
import { buildProgram } from '../src/main.ts';
import { baseEnv, freshHome, tempDir } from './support/cli.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'tokenloop.js');

interface Ready {
  url: string;
  caCertFile: string | null;
  tenants: { id: string; domain: string }[];
  apps: {
    clientId: string;
    name: string;
    type: string;
    secret?: string;
    redirectUris: string[];
    appIdUri?: string;
    federatedIdentityCredentials?: { name: string; issuer: string; subject: string; audiences: string[] }[];
  }[];
  users: { username: string; password: string; tenantId: string }[];
  managedIdentities: {
    identityHeader?: string;
    identities: { kind: string; name: string; clientId: string; principalId: string; resourceId: string }[];
  };
}

function start(args: string[]): { child: ChildProcess; ready: Promise<Ready> } {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise<Ready>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Ready));
    child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  return { child, ready };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code) => resolve({ code, stdout, stderr })); // after the last output
  });
}

describe('tokenloop emulator', () => {
  it('names its managed identities and the App Service identity header (JSON line and admin API), so Azure SDK code can be pointed at them', async () => {
    const { child, ready } = start(['--data-dir', tempDir()]);
    try {
      const r = await ready;
      const m = r.managedIdentities;
      assert.match(m.identityHeader ?? '', /^\S{16,}$/);
      assert.deepEqual(m.identities.map((i) => i.kind).sort(), [
        'system-assigned',
        'user-assigned',
        'user-assigned',
      ]);
      for (const i of m.identities) {
        assert.match(i.clientId, /^[0-9a-f-]{36}$/);
        assert.match(i.resourceId, /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\//);
      }
      const admin = (await (await fetch(`${r.url}/_emulator/api/directory`)).json()) as Ready;
      assert.deepEqual(admin.managedIdentities, m);
      // The identity's token, as ManagedIdentityCredential would ask App Service's endpoint for it.
      const user = m.identities.find((i) => i.kind === 'user-assigned')!;
      const res = await fetch(
        `${r.url}/msi/token?api-version=2019-08-01&resource=https://management.azure.com&client_id=${user.clientId}`,
        { headers: { 'X-IDENTITY-HEADER': m.identityHeader! } },
      );
      assert.equal(res.status, 200);
    } finally {
      await stop(child);
    }
  });

  it("S155 lists each app's federated identity credentials (name, issuer, subject) in the banner, the JSON line and the admin API", async () => {
    const dir = tempDir();
    const config = join(dir, 'directory.json');
    const fics = [
      {
        name: 'github-main',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:o/r:ref:refs/heads/main',
      },
      { name: 'cluster', issuer: 'https://oidc.cluster.example/abc', subject: 'system:serviceaccount:ns:sa' },
    ];
    writeFileSync(
      config,
      JSON.stringify({
        tenants: [{ domain: 'ci.example' }],
        apps: [{ name: 'Deployed by CI', type: 'daemon', federatedIdentityCredentials: fics }],
      }),
    );
    const expected = fics.map((f) => ({ ...f, audiences: ['api://AzureADTokenExchange'] }));
    const json = start(['--config', config, '--data-dir', join(dir, 'a')]);
    const human = spawn(
      process.execPath,
      [BIN, 'emulator', '--port', '0', '--config', config, '--data-dir', join(dir, 'b')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const r = await json.ready;
      assert.deepEqual(
        r.apps.find((a) => a.name === 'Deployed by CI')?.federatedIdentityCredentials,
        expected,
      );
      const admin = (await (await fetch(`${r.url}/_emulator/api/directory`)).json()) as Ready;
      assert.deepEqual(
        admin.apps.find((a) => a.name === 'Deployed by CI')?.federatedIdentityCredentials,
        expected,
      );
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no banner within 20 s:\n${out}`)), 20_000);
        human.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Press Ctrl-C')) {
            clearTimeout(timer);
            resolve(out);
          }
        });
      });
      const app = banner.slice(banner.indexOf('Deployed by CI'));
      for (const f of fics) {
        const line = app.split('\n').find((l) => l.includes(f.name)) ?? '';
        assert.ok(
          line.includes(f.issuer) && line.includes(f.subject),
          `the banner names ${f.name}:\n${banner}`,
        );
      }
    } finally {
      await Promise.all([stop(json.child), stop(human)]);
    }
  });

  it('prints exactly one JSON line with the sample directory, stable across restarts', async () => {
    const dataDir = tempDir();
    const first = start(['--data-dir', dataDir]);
    const a = await first.ready;
    assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(a.caCertFile, null);
    assert.ok(a.tenants.length >= 1);
    assert.ok(a.users.length >= 2);
    for (const type of ['public', 'web', 'daemon', 'api'])
      assert.ok(
        a.apps.some((x) => x.type === type),
        `an app of type ${type}`,
      );
    assert.ok(a.apps.find((x) => x.type === 'web')?.secret, 'the web app has a secret');
    assert.match(a.apps.find((x) => x.type === 'api')?.appIdUri ?? '', /^api:\/\//);
    const keys1 = (await (await fetch(`${a.url}/common/discovery/v2.0/keys`)).json()) as {
      keys: { kid: string }[];
    };
    assert.equal(await stop(first.child), 0, 'SIGTERM stops it cleanly');

    const second = start(['--data-dir', dataDir]);
    const b = await second.ready;
    const keys2 = (await (await fetch(`${b.url}/common/discovery/v2.0/keys`)).json()) as {
      keys: { kid: string }[];
    };
    await stop(second.child);
    assert.deepEqual(
      b.apps.map((x) => x.clientId),
      a.apps.map((x) => x.clientId),
    );
    assert.deepEqual(
      b.users.map((u) => u.username),
      a.users.map((u) => u.username),
    );
    assert.deepEqual(
      keys2.keys.map((k) => k.kid),
      keys1.keys.map((k) => k.kid),
      'signing keys are kept in the data dir',
    );
  });

  it('--https creates a local CA once, prints its path, and serves with it', async () => {
    const dataDir = tempDir();
    const one = start(['--https', '--data-dir', dataDir]);
    const a = await one.ready;
    assert.match(a.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(a.caCertFile && existsSync(a.caCertFile));
    const ca = readFileSync(a.caCertFile!, 'utf8');
    const dispatcher = new Agent({ connect: { ca } });
    const res = await undiciFetch(`${a.url}/organizations/v2.0/.well-known/openid-configuration`, {
      dispatcher,
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { issuer: string }).issuer, `${a.url}/{tenantid}/v2.0`);
    await stop(one.child);
    const two = start(['--https', '--data-dir', dataDir]);
    const b = await two.ready;
    await stop(two.child);
    assert.equal(readFileSync(b.caCertFile!, 'utf8'), ca, 'the CA is generated once and reused');
    await dispatcher.close();
  });

  it('--auto-login completes authorize without a page', async () => {
    const one = start(['--auto-login', 'bob', '--data-dir', tempDir()]);
    const a = await one.ready;
    const app = a.apps.find((x) => x.type === 'public')!;
    const authorize = new URL(`${a.url}/organizations/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:9/',
      scope: 'openid',
      state: 'xyz',
    }).toString();
    const res = await fetch(authorize, { redirect: 'manual' });
    await stop(one.child);
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.origin, 'http://127.0.0.1:9');
    assert.equal(location.searchParams.get('state'), 'xyz');
    assert.ok(location.searchParams.get('code'));
  });

  it('refuses bad input with one clear line, exit code 2 and no stack trace', async () => {
    const dir = tempDir();
    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '{ "tenants": [');
    const badShape = join(dir, 'shape.json');
    writeFileSync(
      badShape,
      JSON.stringify({ tenants: [{ domain: 'x.example' }], apps: [{ name: 'a', type: 'robot' }] }),
    );
    const cases: [string[], RegExp][] = [
      [['emulator', '--host', '0.0.0.0'], /loopback/],
      [['emulator', '--port', 'abc'], /--port must be a whole number/],
      [
        ['emulator', '--port', '0', '--config', join(dir, 'missing.json')],
        /cannot read config file .*no such file/,
      ],
      [['emulator', '--port', '0', '--config', badJson], /not valid JSON/],
      [['emulator', '--port', '0', '--config', badShape], /apps\.0\.type/],
      [['emulator', '--port', '0', '--auto-login', 'nobody', '--data-dir', dir], /no user 'nobody'/],
      [['emulator', '--access-token-lifetime', '0'], /from 1 to 86400/],
      [['no-such-command'], /unknown command/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')} → exit 2 (stderr: ${r.stderr})`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '', 'nothing on stdout');
    }
  });

  // One rule for the default data folder: the emulator's defaultDataDir follows it, and --help and the README
  // state it in the same words.
  it('--data-dir: --help and the README state the default folder as defaultDataDir finds it', async () => {
    const RULE =
      '$TOKENLOOP_HOME/emulator, else $XDG_DATA_HOME/tokenloop/emulator, else ~/.local/share/tokenloop/emulator';
    const flat = (text: string) => text.replaceAll('`', '').replace(/\s+/g, ' ');
    const help = (await buildProgram()).commands.find((c) => c.name() === 'emulator')!.helpInformation();
    assert.ok(flat(help).includes(RULE), `--help states: ${RULE}\n${help}`);
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    assert.ok(flat(readme).includes(RULE), `README states: ${RULE}`);
    // Each step of the rule, with only its variable set (the last with none), is what defaultDataDir gives.
    for (const step of RULE.split(', else ')) {
      const variable = /^\$(\w+)/.exec(step)?.[1];
      const env = variable ? { [variable]: '/set' } : {};
      const expected = step.replace(/^\$\w+/, '/set').replace(/^~/, homedir());
      assert.equal(defaultDataDir(env), expected, step);
    }
  });

  it('reports an occupied port clearly', async () => {
    const one = start(['--data-dir', tempDir()]);
    const a = await one.ready;
    const port = new URL(a.url).port;
    const r = await run(['emulator', '--port', port, '--data-dir', tempDir()]);
    await stop(one.child);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`port ${port} .* already in use`));
  });

  it('an occupied port is a usage error (exit 2, as docs/cli.md and README say) whose fix starts it on a free port', async () => {
    const one = start(['--data-dir', tempDir()]);
    const a = await one.ready;
    const port = new URL(a.url).port;
    const dataDir = tempDir();
    const r = await run([
      'emulator',
      '--port',
      port,
      '--data-dir',
      dataDir,
      '--auto-login',
      'alice',
      '--json',
    ]);
    await stop(one.child);
    assert.equal(r.code, 2, r.stderr);
    const [message, fixLine, ...rest] = r.stderr.trimEnd().split('\n');
    assert.match(message!, new RegExp(`^tokenloop: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.deepEqual(rest, [], r.stderr);
    const fix = /^ {2}fix: .*`tokenloop (emulator [^`]+)`/.exec(fixLine ?? '')?.[1];
    assert.ok(fix, `a fix line naming the command: ${r.stderr}`);
    // The same command (its options as given) on another port, a free one: followed, it starts.
    const words = fix.split(' ');
    const free = words[words.indexOf('--port') + 1];
    assert.ok(free && free !== port && /^\d+$/.test(free), fix);
    for (const option of ['--data-dir', dataDir, '--auto-login', 'alice', '--json'])
      assert.ok(words.includes(option), fix);
    const followed = spawn(process.execPath, [BIN, ...words], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: followed.stdout! }).once('line', resolve);
        followed.once('exit', (code) => reject(new Error(`the fix exited with ${code}`)));
      });
      assert.equal(new URL((JSON.parse(line) as Ready).url).port, free);
    } finally {
      await stop(followed);
    }
  });

  it('the emulator banner has no stray spaces', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'emulator', '--port', '0', '--data-dir', join(freshHome(), 'em')],
      {
        env: baseEnv(freshHome()),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Press Ctrl-C')) resolve();
      });
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    const authorities = out.split('\n').filter((l) => l.includes('authority'));
    assert.ok(authorities.length >= 3, out);
    for (const line of authorities) assert.doesNotMatch(line, / \)|\( /, `"${line}"`);
    const column = new Set(authorities.map((l) => l.indexOf('http')));
    assert.equal(column.size, 1, `the URLs line up:\n${authorities.join('\n')}`);
  });
});
