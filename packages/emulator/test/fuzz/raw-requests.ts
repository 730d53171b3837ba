// Fuzz raw requests: malformed HTTP on raw sockets (truncated, pipelined, oversized, broken framing).
import { FORM } from './requests.ts';
import { type Rng, bytes } from './rng.ts';
import { type RawOptions, raw } from './transport.ts';
import { PUBLIC, tenantSegment } from './values.ts';

export function rawRequest(r: Rng, index: number): Promise<unknown> {
  const t = tenantSegment(r);
  const form = `client_id=${PUBLIC}&grant_type=authorization_code&code=x`;
  const label = 'raw';
  const go = (what: string, chunks: (string | Buffer)[], o: Omit<RawOptions, 'what'>) =>
    raw(index, label, chunks, { ...o, what });
  switch (r.int(22)) {
    case 0: {
      const line = `GET /${t}/oauth2/v2.0/authorize?client_id=${PUBLIC}&scope=openid HTTP/1.1\r\nhost: x\r\n\r\n`;
      return go('truncated request line', [line.slice(0, 1 + r.int(line.length - 2))], {
        expectResponse: false,
        closeAfterMs: r.int(30),
      });
    }
    case 1:
      return go(
        'truncated headers',
        [`POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-le`],
        {
          expectResponse: false,
          closeAfterMs: r.int(50),
        },
      );
    case 2:
      return go(
        'body shorter than content-length',
        [
          `POST /${t}/oauth2/v2.0/${r.pick(['token', 'devicecode', 'introspect', 'authorize', 'logout'])} HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: ${1000 + r.int(100_000)}\r\n\r\n${form}`,
        ],
        {
          expectResponse: false,
          closeAfterMs: r.int(80),
        },
      );
    case 3:
      return go(
        'ui post with truncated body',
        [
          `POST ${r.pick(['/_ui/login', '/_ui/consent', '/_ui/select-account', '/_ui/device-code', '/_ui/device-confirm', '/_ui/sign-out', '/_emulator/api/users'])} HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: 500\r\n\r\ntx=abc&user`,
        ],
        {
          expectResponse: false,
          closeAfterMs: r.int(80),
        },
      );
    case 4:
      return go(
        'invalid chunked body',
        [
          `POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ntransfer-encoding: chunked\r\n\r\n${r.pick(['ZZZ\r\nabc\r\n', '5\r\nabc\r\n0\r\n\r\n', 'fffffffffffffffff\r\n', '3\r\nabc\r\nX\r\n'])}`,
        ],
        {
          expectResponse: true,
          mayReset: true,
        },
      );
    case 5:
      return go(
        'valid chunked body',
        [
          `POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ntransfer-encoding: chunked\r\n\r\n${form.length.toString(16)}\r\n${form}\r\n0\r\n\r\n`,
        ],
        {
          expectResponse: true,
        },
      );
    case 6: {
      const path = r.pick([
        `/${t}/oauth2/v2.0/authorize?client_id=\u0000`,
        '/ü/v2.0/.well-known/openid-configuration',
        '/common/oauth2/v2.0/authorize?state=日本',
        '/com mon/v2.0/.well-known/openid-configuration',
        '/common\t/discovery/keys',
      ]);
      return go(
        'raw control or non-ASCII bytes in the path',
        [Buffer.from(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`, 'utf8')],
        {
          expectResponse: true,
        },
      );
    }
    case 7: {
      const path = r.pick([
        '//',
        '/../',
        '/./common/v2.0/.well-known/openid-configuration',
        '/common/../_emulator/',
        `/${'a'.repeat(8_000)}`,
        `/${'a/'.repeat(3_000)}`,
        '/%2e%2e/%2e%2e/etc/passwd',
        '/_emulator/../../etc/passwd',
        '//common//oauth2//v2.0//token',
        '/common/v2.0/.well-known/openid-configuration/',
        '/common/v2.0/.well-known/openid-configuration?',
        '/common/v2.0/.well-known/openid-configuration#x',
        '*',
        'http://127.0.0.1/common/discovery/keys',
        `/${'%'.repeat(50)}`,
        '/?%',
      ]);
      return go('weird path', [`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`], {
        expectResponse: true,
      });
    }
    case 8: {
      const method = r.pick([
        'get',
        'FOO',
        'PROPFIND',
        'M-SEARCH',
        'CONNECT',
        'G\u0000T',
        'GET GET',
        '',
        'PRI',
      ]);
      return go(
        `method ${method}`,
        [
          Buffer.from(
            `${method} /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
            'utf8',
          ),
        ],
        {
          expectResponse: true,
          mayReset: method === 'CONNECT' || method === 'PRI',
        },
      );
    }
    case 9: {
      const version = r.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1', 'HTTQ/1.1', '']);
      return go(
        `version ${version}`,
        [`GET /common/discovery/keys ${version}\r\nconnection: close\r\n\r\n`],
        {
          expectResponse: true,
          mayReset: version === '',
        },
      );
    }
    case 10: {
      const header = r.pick([
        'no colon here',
        'x-a: \u0000',
        ' folded: value\r\n continued',
        'content-length: 5\r\ncontent-length: 6',
        'content-length: 5\r\ntransfer-encoding: chunked',
        'content-length: -1',
        'content-length: abc',
        'transfer-encoding: gzip',
        `x-big: ${'h'.repeat(20_000)}`,
        Array.from({ length: 150 }, (_, i) => `x-h${i}: ${i}`).join('\r\n'),
        'host: a\r\nhost: b',
        `authorization: Bearer ${'A'.repeat(1_048_576)}`,
        `cookie: ${'c=1; '.repeat(5_000)}`,
        'expect: 100-continue',
        'expect: 999-nope',
      ]);
      return go(
        'malformed headers',
        [
          Buffer.from(
            `POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\n${header}\r\ncontent-length: ${form.length}\r\n\r\n${form}`,
            'utf8',
          ),
        ],
        {
          expectResponse: true,
          mayReset: true,
        },
      );
    }
    case 11:
      return go(
        'two pipelined requests',
        [
          `GET /common/discovery/keys HTTP/1.1\r\nhost: x\r\n\r\nPOST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ncontent-length: ${form.length}\r\n\r\n${form}`,
        ],
        { expectResponse: true },
      );
    case 12:
      return go('random bytes', [bytes(r, 1 + r.int(2_000))], {
        expectResponse: false,
        closeAfterMs: 20 + r.int(50),
      });
    case 13:
      return go(
        'request split across writes',
        [
          `POST /${t}/oauth2/v2.0/devicecode HTTP/1.1\r\nho`,
          `st: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ncontent-length: ${`client_id=${PUBLIC}&scope=openid`.length}\r\n\r\nclient_id=${PUBLIC}`,
          '&scope=openid',
        ],
        { expectResponse: true },
      );
    case 14:
      return go(
        'oversized declared body',
        [
          `POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ncontent-length: ${64 * 1024 + 1 + r.int(1e9)}\r\n\r\n${form}`,
        ],
        {
          expectResponse: true,
          mayReset: true,
        },
      );
    case 15:
      return go(
        'oversized streamed body',
        [
          `POST /_ui/login HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ntransfer-encoding: chunked\r\n\r\n`,
          ...Array.from({ length: 5 }, () => `4000\r\n${'a'.repeat(0x4000)}\r\n`),
          '0\r\n\r\n',
        ],
        {
          expectResponse: true,
          mayReset: true,
        },
      );
    case 16: {
      // Aborted mid-body after a valid start on every body-reading route.
      const target = r.pick([
        '/_ui/login',
        '/_ui/consent',
        '/_ui/device-code',
        `/${t}/oauth2/v2.0/authorize`,
        `/${t}/oauth2/v2.0/logout`,
        '/_emulator/api/apps',
      ]);
      return go(
        'aborted chunked body',
        [
          `POST ${target} HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ntransfer-encoding: chunked\r\n\r\n10\r\n0123456789`,
        ],
        {
          expectResponse: false,
          closeAfterMs: r.int(60),
        },
      );
    }
    case 17:
      return go(
        'HTTP/1.0 without host',
        [`GET /common/v2.0/.well-known/openid-configuration HTTP/1.0\r\n\r\n`],
        { expectResponse: true },
      );
    case 18:
      return go('headers only, then silence', [`GET /common/discovery/keys HTTP/1.1\r\nhost: x\r\n`], {
        expectResponse: false,
        closeAfterMs: 50 + r.int(100),
      });
    case 19:
      return go(
        'keep-alive then half a second request',
        [`GET /common/discovery/keys HTTP/1.1\r\nhost: x\r\n\r\nGET /common/oauth2/v2.0/auth`],
        {
          expectResponse: false,
          closeAfterMs: 100,
        },
      );
    case 20:
      return go(
        'absolute-form admin',
        [
          `GET http://evil.example/_emulator/api/users HTTP/1.1\r\nhost: evil.example\r\nconnection: close\r\n\r\n`,
        ],
        { expectResponse: true },
      );
    default:
      return go(
        'OPTIONS preflight',
        [
          `OPTIONS /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\norigin: http://evil.example\r\naccess-control-request-method: POST\r\n\r\n`,
        ],
        {
          expectResponse: true,
        },
      );
  }
}
