import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { cacheKey, openEnvelope, sealEnvelope } from '../../src/cache/stores/encryption.js';
import { TokenloopError } from '../../src/errors/errors.js';

const key = cacheKey(randomBytes(32));
const plaintext = Buffer.from('{"secret":"rt-PLAINTEXT-MARKER"}');

function mutate(text: string, change: (header: Record<string, unknown>) => void): string {
  const header: Record<string, unknown> = JSON.parse(text);
  change(header);
  return JSON.stringify(header);
}

test('sealEnvelope writes a versioned AES-256-GCM envelope that opens with the same key and context', () => {
  const text = sealEnvelope(plaintext, key, 'ctx');
  const header: Record<string, unknown> = JSON.parse(text);
  assert.equal(header.format, 'tokenloop-cache');
  assert.equal(header.v, 1);
  assert.equal(header.alg, 'A256GCM');
  assert.equal(header.keyId, key.id);
  assert.equal(Buffer.from(String(header.iv), 'base64url').length, 12);
  assert.ok(!text.includes('PLAINTEXT'));
  const opened = openEnvelope(text, [key], 'ctx');
  assert.ok(opened.ok);
  assert.deepEqual(opened.plaintext, plaintext);
  assert.notEqual(sealEnvelope(plaintext, key, 'ctx'), text, 'a fresh IV each time');
});

test('openEnvelope names what is wrong: garbage, damage, future version, unknown key, tampering, context', () => {
  const text = sealEnvelope(plaintext, key, 'ctx');
  const problem = (input: string, keys = [key], context = 'ctx') => {
    const opened = openEnvelope(input, keys, context);
    return opened.ok ? 'ok' : opened.problem;
  };
  assert.equal(problem('\x00\x01garbage'), 'unrecognised');
  assert.equal(problem(text.slice(0, text.length / 2)), 'unrecognised');
  assert.equal(problem(mutate(text, (h) => (h.iv = 'short'))), 'damaged');
  assert.equal(problem(mutate(text, (h) => (h.v = 2))), 'future-version');
  assert.equal(problem(text, [cacheKey(randomBytes(32))]), 'unknown-key');
  assert.equal(problem(mutate(text, (h) => (h.keyId = cacheKey(randomBytes(32)).id))), 'unknown-key');
  const data = Buffer.from(String(JSON.parse(text).data), 'base64url');
  data[0] = (data[0] ?? 0) ^ 1;
  assert.equal(problem(mutate(text, (h) => (h.data = data.toString('base64url')))), 'authentication-failed');
  assert.equal(problem(text, [key], 'another-record'), 'authentication-failed');
});

test('cacheKey refuses keys that are not 32 bytes', () => {
  assert.throws(
    () => cacheKey(new Uint8Array(16)),
    (err) => err instanceof TokenloopError && err.code === 'INVALID_ARGUMENT',
  );
});
