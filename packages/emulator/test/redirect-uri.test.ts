import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDirectory } from '../src/directory/build.ts';
import { findResource } from '../src/directory/resources.ts';
import { SAMPLE_IDS, sampleConfig } from '../src/directory/sample.ts';
import { configInput } from '../src/directory/schema.ts';
import { EntraError } from '../src/errors/entra-error.ts';
import { isAbsoluteUri, matchesRedirectUri } from '../src/directory/redirect-uri.ts';
import { expandDelegated, parseScopes, responseScope } from '../src/directory/scopes.ts';

describe('redirect URI matching (src/directory/redirect-uri.ts)', () => {
  it('accepts an exact match and refuses anything else on https', () => {
    const reg = ['https://app.example.com/auth/callback'];
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/auth/callback'), true);
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/auth/callback/'), false);
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/auth'), false);
    assert.equal(matchesRedirectUri(reg, 'https://other.example.com/auth/callback'), false);
    assert.equal(matchesRedirectUri(reg, 'http://app.example.com/auth/callback'), false);
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com:8443/auth/callback'), false);
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/auth/callback#x'), false);
    assert.equal(matchesRedirectUri([], 'https://app.example.com/auth/callback'), false);
  });

  it('matches the path case-sensitively', () => {
    const reg = ['https://app.example.com/Auth/Callback'];
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/Auth/Callback'), true);
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/auth/callback'), false);
    assert.equal(matchesRedirectUri(['http://127.0.0.1/Cb'], 'http://127.0.0.1:5000/cb'), false);
    assert.equal(matchesRedirectUri(['http://localhost/cb'], 'http://localhost:5000/CB'), false);
  });

  it('ignores the port for http://localhost and http://127.0.0.1 (RFC 8252 §7.3)', () => {
    assert.equal(matchesRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:51234/cb'), true);
    assert.equal(matchesRedirectUri(['http://127.0.0.1:3000/cb'], 'http://127.0.0.1:4000/cb'), true);
    assert.equal(matchesRedirectUri(['http://127.0.0.1:3000/cb'], 'http://127.0.0.1/cb'), true);
    assert.equal(matchesRedirectUri(['http://localhost/cb'], 'http://localhost:8080/cb'), true);
    // the host itself still has to match: localhost and 127.0.0.1 are different registrations
    assert.equal(matchesRedirectUri(['http://localhost/cb'], 'http://127.0.0.1:8080/cb'), false);
    assert.equal(matchesRedirectUri(['http://127.0.0.1/cb'], 'http://localhost:8080/cb'), false);
    // and the scheme: the loopback exception is for http only
    assert.equal(matchesRedirectUri(['http://127.0.0.1/cb'], 'https://127.0.0.1:8443/cb'), false);
    // user info never sneaks through the loopback rule
    assert.equal(matchesRedirectUri(['http://127.0.0.1/cb'], 'http://u:p@127.0.0.1:8080/cb'), false);
  });

  it('does not ignore the port for other hosts', () => {
    assert.equal(matchesRedirectUri(['https://localhost/cb'], 'https://localhost:8443/cb'), false);
    assert.equal(matchesRedirectUri(['https://app.example.com/cb'], 'https://app.example.com:444/cb'), false);
    assert.equal(matchesRedirectUri(['http://127.0.0.2/cb'], 'http://127.0.0.2:8080/cb'), false);
  });

  it('does not treat [::1] as loopback: its port must match exactly', () => {
    assert.equal(matchesRedirectUri(['http://[::1]:8080/cb'], 'http://[::1]:9090/cb'), false);
    assert.equal(matchesRedirectUri(['http://[::1]/cb'], 'http://[::1]:9090/cb'), false);
    assert.equal(matchesRedirectUri(['http://[::1]:8080/cb'], 'http://[::1]:8080/cb'), true);
  });

  it('treats a URI without a path as having the path /', () => {
    assert.equal(matchesRedirectUri(['https://app.example.com'], 'https://app.example.com/'), true);
    assert.equal(matchesRedirectUri(['https://app.example.com/'], 'https://app.example.com'), true);
    assert.equal(matchesRedirectUri(['https://app.example.com'], 'https://app.example.com/x'), false);
    assert.equal(matchesRedirectUri(['http://127.0.0.1'], 'http://127.0.0.1:45678/'), true);
    assert.equal(matchesRedirectUri(['http://127.0.0.1'], 'http://127.0.0.1:45678'), true);
    assert.equal(matchesRedirectUri(['http://localhost'], 'http://localhost:45678/callback'), false);
  });

  it('requires the query string to match', () => {
    const reg = ['https://app.example.com/cb?tenant=a'];
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/cb?tenant=a'), true);
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/cb?tenant=b'), false);
    assert.equal(matchesRedirectUri(reg, 'https://app.example.com/cb'), false);
    assert.equal(matchesRedirectUri(['https://app.example.com/cb'], 'https://app.example.com/cb?x=1'), false);
    assert.equal(matchesRedirectUri(['http://127.0.0.1/cb?a=1'], 'http://127.0.0.1:9000/cb?a=1'), true);
    assert.equal(matchesRedirectUri(['http://127.0.0.1/cb?a=1'], 'http://127.0.0.1:9000/cb?a=2'), false);
    assert.equal(matchesRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:9000/cb?a=1'), false);
  });

  it('refuses a fragment on loopback URIs as it does on others', () => {
    assert.equal(matchesRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:9000/cb#frag'), false);
    assert.equal(matchesRedirectUri(['http://localhost'], 'http://localhost:9000/#frag'), false);
  });

  it('matches any of several registrations and custom schemes exactly', () => {
    const reg = ['https://a.example.com/cb', 'msal0f4c1d3e://auth', 'http://localhost:3000/auth/callback'];
    assert.equal(matchesRedirectUri(reg, 'msal0f4c1d3e://auth'), true);
    assert.equal(matchesRedirectUri(reg, 'msal0f4c1d3e://other'), false);
    assert.equal(matchesRedirectUri(reg, 'http://localhost:5173/auth/callback'), true);
    assert.equal(matchesRedirectUri(reg, 'https://b.example.com/cb'), false);
  });

  it('refuses requests that are not URLs, and skips registrations that are not', () => {
    assert.equal(matchesRedirectUri(['https://app.example.com/cb'], 'not a uri'), false);
    assert.equal(matchesRedirectUri(['https://app.example.com/cb'], '/cb'), false);
    assert.equal(
      matchesRedirectUri(['::bad::', 'https://app.example.com/cb'], 'https://app.example.com/cb'),
      true,
    );
    const long = `https://app.example.com/cb?${'a'.repeat(2100)}`;
    assert.equal(matchesRedirectUri([long], long), false);
  });

  it('isAbsoluteUri accepts absolute URIs only', () => {
    assert.equal(isAbsoluteUri('https://app.example.com/cb'), true);
    assert.equal(isAbsoluteUri('http://127.0.0.1'), true);
    assert.equal(isAbsoluteUri('msal0f4c1d3e://auth'), true);
    assert.equal(isAbsoluteUri('/auth/callback'), false);
    assert.equal(isAbsoluteUri('app.example.com/cb'), false);
    assert.equal(isAbsoluteUri('not a uri'), false);
    assert.equal(isAbsoluteUri(''), false);
  });
});

describe('scope parsing (src/directory/scopes.ts)', () => {
  const dir = buildDirectory(configInput.parse(sampleConfig()));
  const api = `api://${SAMPLE_IDS.apiApp}`;
  const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

  function entraCode(fn: () => unknown): number {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof EntraError, `threw ${String(err)}`);
      return err.code;
    }
    assert.fail('expected an EntraError');
  }

  it('keeps OIDC scopes bare, lower-cased and de-duplicated', () => {
    const s = parseScopes(dir, 'openid Profile EMAIL offline_access openid', SAMPLE_IDS.contoso);
    assert.deepEqual(s.oidc, ['openid', 'profile', 'email', 'offline_access']);
    assert.deepEqual(s.resources, []);
  });

  it('reads a bare value as a Microsoft Graph scope, in its canonical spelling', () => {
    const s = parseScopes(dir, 'user.read openid', 'common');
    assert.deepEqual(s.oidc, ['openid']);
    assert.deepEqual(s.resources, [
      { identifier: 'https://graph.microsoft.com', appId: GRAPH_APP_ID, scopes: ['User.Read'], prefix: '' },
    ]);
  });

  it('groups fully qualified scopes by resource, first resource first, and splits on runs of spaces', () => {
    const s = parseScopes(
      dir,
      `${api}/access_as_user   https://graph.microsoft.com/User.Read  ${api}/access_as_user https://graph.microsoft.com/Mail.Read`,
      'organizations',
    );
    assert.deepEqual(s.oidc, []);
    assert.deepEqual(s.resources, [
      { identifier: api, appId: SAMPLE_IDS.apiApp, scopes: ['access_as_user'], prefix: `${api}/` },
      {
        identifier: 'https://graph.microsoft.com',
        appId: GRAPH_APP_ID,
        scopes: ['User.Read', 'Mail.Read'],
        prefix: 'https://graph.microsoft.com/',
      },
    ]);
  });

  it("uses the identifier the client sent, minus Graph's trailing slash; an app id stays the app id (v1 aud)", () => {
    assert.equal(
      parseScopes(dir, 'https://graph.microsoft.com//User.Read', 'common').resources[0]?.identifier,
      'https://graph.microsoft.com',
    );
    assert.equal(
      parseScopes(dir, `${GRAPH_APP_ID}/User.Read`, 'common').resources[0]?.identifier,
      GRAPH_APP_ID,
    );
    assert.equal(
      parseScopes(dir, `${SAMPLE_IDS.apiApp}/access_as_user`, 'common').resources[0]?.identifier,
      SAMPLE_IDS.apiApp,
    );
    const outlook = parseScopes(dir, 'https://outlook.office365.com/IMAP.AccessAsUser.All', 'common');
    assert.equal(outlook.resources[0]?.identifier, 'https://outlook.office365.com');
    assert.equal(outlook.resources[0]?.appId, '00000002-0000-0ff1-ce00-000000000000');
  });

  it('accepts /.default and expands it to the configured delegated permissions', () => {
    const s = parseScopes(dir, 'https://graph.microsoft.com/.default offline_access', 'common');
    assert.deepEqual(s.resources[0]?.scopes, ['.default']);
    const web = dir.apps.get(SAMPLE_IDS.webApp)!;
    assert.deepEqual(expandDelegated(dir, web, s.resources[0]!), ['User.Read']);
    const apiScopes = parseScopes(dir, `${api}/.default`, 'common').resources[0]!;
    assert.deepEqual(expandDelegated(dir, web, apiScopes), ['access_as_user']);
    // an explicit value is kept even if not configured (consent is asked for it)
    const mail = parseScopes(dir, 'Mail.Read', 'common').resources[0]!;
    assert.deepEqual(expandDelegated(dir, web, mail), ['Mail.Read']);
  });

  it('refuses an unknown resource with AADSTS500011 and an unknown value with AADSTS70011', () => {
    assert.equal(
      entraCode(() => parseScopes(dir, 'https://nosuch.example.com/read', 'common')),
      500011,
    );
    assert.equal(
      entraCode(() => parseScopes(dir, 'https://graph.microsoft.com/No.Such.Scope', 'common')),
      70011,
    );
    assert.equal(
      entraCode(() => parseScopes(dir, 'NoSuchGraphScope', 'common')),
      70011,
    );
    assert.equal(
      entraCode(() => parseScopes(dir, `${api}/User.Read`, 'common')),
      70011,
    );
  });

  it('refuses more than 100 scopes', () => {
    const many = Array.from({ length: 101 }, () => 'openid').join(' ');
    assert.equal(
      entraCode(() => parseScopes(dir, many, 'common')),
      70011,
    );
  });

  it('writes response scopes in the form the client asked for them (see fidelity-token-scope.test.ts)', () => {
    const short = parseScopes(dir, 'user.read openid profile offline_access', 'common');
    assert.equal(
      responseScope(short, ['User.Read', 'Mail.Read']),
      'User.Read Mail.Read openid profile email',
    );
    const qualified = parseScopes(dir, 'https://graph.microsoft.com/User.Read offline_access', 'common');
    assert.equal(responseScope(qualified, ['User.Read']), 'https://graph.microsoft.com/User.Read');
    assert.equal(
      responseScope(parseScopes(dir, 'openid offline_access', 'common'), []),
      'openid profile email',
    );
    assert.ok(findResource(dir, api));
  });
});
