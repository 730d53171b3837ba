// whoami asks Graph /me of the authority's cloud with a token for that same Graph: a US Government or China sign-in
// gets a token for its own Graph host, never the public one (whose audience the national Graph would refuse).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ENTRA_CLOUDS, resolveAuthority } from 'tokenloop';
import { graphBase, graphResource } from '../src/commands/accounts/run-whoami.js';

it('the token whoami asks for is for the Graph it calls, in every national cloud', () => {
  assert.ok(ENTRA_CLOUDS.length >= 3, 'public, US Government and China at least');
  for (const cloud of ENTRA_CLOUDS) {
    const authority = resolveAuthority({ authority: `https://${cloud.host}/organizations` });
    assert.equal(authority.kind, 'entra', cloud.name);
    assert.equal(graphResource(authority), `https://${cloud.graphHost}`, cloud.name);
    assert.equal(graphResource(authority), graphBase(authority), `${cloud.name}: the same Graph`);
  }
});

it('an authority of no known cloud (the emulator) is given a token for the public Graph, as Entra would', () => {
  const authority = resolveAuthority({ authority: 'http://127.0.0.1:8400/organizations' });
  assert.equal(authority.kind, 'entra');
  assert.equal(graphResource(authority), 'https://graph.microsoft.com');
});
