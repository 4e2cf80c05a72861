/**
 * Forward-proxy support of the upstream client: pools tunnelling through a loopback CONNECT
 * proxy (http and https upstreams, keep-alive, auth, refusals, timeouts, resend, body timeout),
 * and `proxyFor`'s choice of proxy (config, environment, NO_PROXY rules).
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { selfSignedCert } from '../../../test/support/self-signed-cert.ts';
import { UpstreamCall } from '../upstream-call.ts';
import { failureOf, TestServers } from './test-servers.ts';
import { UpstreamPool, type UpstreamPoolOptions } from './pool.ts';
import { proxyFor, type ProxyTarget } from './proxy.ts';
import { startTestProxy } from './test-proxy.ts';
import type { UpstreamRequestOptions } from './types.ts';

const servers = new TestServers();
after(() => servers.closeAll());
const closers = servers.closers;
const listen = (server: net.Server) => servers.listen(server);
/** A raw TCP server that runs `onSocket` per connection: its port. */
const rawServer = async (onSocket: (s: net.Socket, index: number) => void) =>
  (await servers.rawServer(onSocket)).port;

async function proxy(opts: Parameters<typeof startTestProxy>[0] = {}) {
  const p = await startTestProxy(opts);
  closers.push(() => p.close());
  return p;
}

function pool(origin: string, opts: UpstreamPoolOptions): UpstreamPool {
  const p = new UpstreamPool(origin, opts);
  closers.push(() => p.close());
  return p;
}

const via = (port: number, extra: Partial<ProxyTarget> = {}): ProxyTarget => ({
  host: '127.0.0.1',
  port,
  ...extra,
});

const post = (path = '/v1/x'): UpstreamRequestOptions => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  body: '{"a":1}',
});

async function fetchText(p: UpstreamPool, opts = post()) {
  const call = new UpstreamCall(1 << 20);
  const body = await call.fetch(p, opts);
  return { status: call.status, body: body.toString() };
}

function failure(p: UpstreamPool, opts = post()): Promise<Error & { code?: string }> {
  return failureOf(p, opts);
}

/** An http upstream answering `<method> <url> host=<host>`, counting its connections. */
async function httpUpstream() {
  let connections = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(`${req.method} ${req.url} host=${req.headers.host}`));
  });
  server.on('connection', () => connections++);
  const port = await listen(server);
  return { port, connections: () => connections };
}

describe('UpstreamPool through a CONNECT proxy', () => {
  it('reaches an http upstream through the tunnel, reusing it for the next request', async () => {
    const up = await httpUpstream();
    const px = await proxy();
    const p = pool(`http://127.0.0.1:${up.port}`, { proxy: via(px.port) });
    const a = await fetchText(p, post('/one'));
    const b = await fetchText(p, post('/two'));
    assert.equal(a.body, `POST /one host=127.0.0.1:${up.port}`, 'origin-form path, the upstream Host');
    assert.equal(b.body, `POST /two host=127.0.0.1:${up.port}`);
    assert.deepEqual(px.connects, [
      { target: `127.0.0.1:${up.port}`, host: `127.0.0.1:${up.port}`, authorization: undefined },
    ]);
    assert.equal(up.connections(), 1);
    assert.equal(p.size, 1);
  });

  it('speaks TLS to an https upstream inside the tunnel: keep-alive, then session resumption', async () => {
    const { key, cert } = selfSignedCert();
    let handshakes = 0;
    const resumed: boolean[] = [];
    const server = https.createServer({ key, cert }, (req, res) => {
      req.resume();
      resumed.push((req.socket as TLSSocket).isSessionReused());
      res.end(`tls ${(req.socket as TLSSocket).alpnProtocol} ${req.headers.host}`);
    });
    server.on('secureConnection', () => handshakes++);
    const port = await listen(server);
    const px = await proxy();
    const p = pool(`https://localhost:${port}`, { tls: { ca: cert }, proxy: via(px.port) });
    assert.equal((await fetchText(p)).body, `tls http/1.1 localhost:${port}`);
    assert.equal((await fetchText(p)).body, `tls http/1.1 localhost:${port}`);
    assert.equal(px.connects.length, 1, 'two requests, one CONNECT');
    assert.equal(px.connects[0]!.target, `localhost:${port}`);
    assert.equal(handshakes, 1);
    // A pool whose connections do not stay: each request tunnels anew and resumes the session.
    const px2 = await proxy();
    const short = pool(`https://localhost:${port}`, {
      tls: { ca: cert },
      proxy: via(px2.port),
      keepAliveMs: 1,
    });
    await fetchText(short);
    await sleep(10);
    await fetchText(short);
    assert.equal(px2.connects.length, 2);
    assert.deepEqual(resumed.slice(2), [false, true]);
  });

  it('checks the certificate of an https upstream at an IP address against that address, not the proxy', async () => {
    const { key, cert } = selfSignedCert(); // valid for localhost and 127.0.0.1, not 127.0.0.2
    const port = await listen(https.createServer({ key, cert }, (_req, res) => res.end('ip ok')));
    const px = await proxy({ host: '127.0.0.2' });
    const checked: string[] = [];
    const checkServerIdentity = (host: string, peer: tls.PeerCertificate) => {
      checked.push(host);
      return tls.checkServerIdentity(host, peer);
    };
    const p = pool(`https://127.0.0.1:${port}`, {
      tls: { ca: cert, checkServerIdentity },
      proxy: via(px.port, { host: '127.0.0.2' }),
    });
    assert.equal((await fetchText(p)).body, 'ip ok');
    assert.deepEqual(checked, ['127.0.0.1']);
    assert.equal(px.connects[0]!.target, `127.0.0.1:${port}`);
  });

  it('sends Proxy-Authorization from the credentials of the proxy URL', async () => {
    const up = await httpUpstream();
    const expected = `Basic ${Buffer.from('egress-user:p@ss:word').toString('base64')}`;
    const px = await proxy({ authorization: expected });
    const target = proxyFor(
      `http://127.0.0.1:${up.port}`,
      `http://egress-user:p%40ss%3Aword@127.0.0.1:${px.port}`,
      {},
    );
    assert.deepEqual(target, { host: '127.0.0.1', port: px.port, authorization: expected });
    const p = pool(`http://127.0.0.1:${up.port}`, { proxy: target! });
    assert.equal((await fetchText(p)).status, 200);
    assert.equal(px.connects[0]!.authorization, expected);
  });

  it('fails with PROXY_REFUSED on a 407, naming the proxy but not the credentials', async () => {
    const up = await httpUpstream();
    const px = await proxy({ authorization: 'Basic c29tZW9uZTplbHNl' });
    const target = proxyFor('https://api.example.com', `http://bob:hunter2-secret@127.0.0.1:${px.port}`, {})!;
    const p = pool(`http://127.0.0.1:${up.port}`, { proxy: target });
    const err = await failure(p);
    assert.equal(err.code, 'PROXY_REFUSED');
    assert.match(err.message, new RegExp(`via proxy 127\\.0\\.0\\.1:${px.port}`));
    assert.match(err.message, /407 Proxy Authentication Required/);
    for (const secret of ['hunter2', 'bob', target.authorization!.slice(6)]) {
      assert.ok(!err.message.includes(secret), `message leaks ${secret}: ${err.message}`);
      assert.ok(!(err.stack ?? '').includes(secret));
    }
    assert.equal(up.connections(), 0);
    assert.equal(p.size, 0, 'the connection is dropped');
  });

  it('times out a proxy that accepts but never answers, within connectTimeoutMs', async () => {
    const port = await rawServer(() => {});
    const p = pool('https://api.example.com', { proxy: via(port), connectTimeoutMs: 100 });
    const started = Date.now();
    const err = await failure(p);
    assert.equal(err.code, 'CONNECT_TIMEOUT');
    assert.match(
      err.message,
      new RegExp(`api\\.example\\.com:443 via proxy 127\\.0\\.0\\.1:${port} took over 100 ms`),
    );
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    assert.equal(p.size, 0);
  });

  it('counts the TLS handshake inside the tunnel in the connect timeout', async () => {
    const silent = await rawServer(() => {}); // accepts, never speaks TLS
    const px = await proxy();
    const p = pool(`https://127.0.0.1:${silent}`, { proxy: via(px.port), connectTimeoutMs: 150 });
    const started = Date.now();
    const err = await failure(p);
    assert.equal(err.code, 'CONNECT_TIMEOUT');
    assert.equal(px.connects.length, 1, 'the tunnel was up, the handshake was not');
    assert.ok(Date.now() - started < 1500);
  });

  it('fails clearly on a proxy that is down, closes without answering, or does not speak HTTP', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const downPort = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const down = await failure(pool('http://api.example.com', { proxy: via(downPort) }));
    assert.equal(down.code, 'ECONNREFUSED');
    assert.match(down.message, new RegExp(`^proxy 127\\.0\\.0\\.1:${downPort}: connect ECONNREFUSED`));

    const closing = await rawServer((s) => s.once('data', () => s.end()));
    const closed = await failure(pool('http://api.example.com', { proxy: via(closing) }));
    assert.equal(closed.code, 'PROXY_CLOSED');
    assert.match(closed.message, /closed the connection without answering CONNECT/);

    const ssh = await rawServer((s) => s.write('SSH-2.0-OpenSSH_9.6\r\n'));
    const garbage = await failure(pool('http://api.example.com', { proxy: via(ssh) }));
    assert.equal(garbage.code, 'PROXY_PROTOCOL');
    assert.match(garbage.message, /not HTTP/);

    const huge = await rawServer((s) => s.write(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(20_000)}`));
    const tooBig = await failure(pool('http://api.example.com', { proxy: via(huge) }));
    assert.equal(tooBig.code, 'PROXY_PROTOCOL');
    assert.match(tooBig.message, /over 16 KiB/);
  });

  it('resends once on a fresh tunnel when a reused one was closed under a request', async () => {
    let n = 0;
    const port = await rawServer((s, index) => {
      let requests = 0;
      s.on('data', () => {
        n++;
        if (index === 0 && requests++ === 1) s.destroy();
        else s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfresh');
      });
    });
    const px = await proxy();
    const p = pool(`http://127.0.0.1:${port}`, { proxy: via(px.port) });
    assert.equal((await fetchText(p)).body, 'fresh');
    assert.equal((await fetchText(p)).body, 'fresh');
    assert.equal(px.connects.length, 2);
    assert.equal(n, 3);
  });

  it('applies the body timeout to a stream that goes quiet inside the tunnel', async () => {
    const port = await rawServer((s) =>
      s.once('data', () => s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n')),
    );
    const px = await proxy();
    const call = new UpstreamCall(1 << 20);
    await call.start(pool(`http://127.0.0.1:${port}`, { proxy: via(px.port) }), {
      ...post(),
      bodyTimeout: 60,
    });
    assert.equal(String((await call.next()).value), 'first');
    await assert.rejects(call.next(), (err: Error & { code?: string }) => err.code === 'BODY_TIMEOUT');
  });
});

describe('proxyFor', () => {
  const HTTPS = 'https://api.example.com';
  const env = { HTTPS_PROXY: 'http://egress.corp:3128', HTTP_PROXY: 'http://plain.corp:8080' };
  const host = (origin: string, configured: string | undefined, e: Record<string, string>) =>
    proxyFor(origin, configured, e)?.host;

  it('takes a configured URL, or none, before the environment (and NO_PROXY)', () => {
    assert.deepEqual(proxyFor(HTTPS, 'http://10.0.0.1:3128', env), { host: '10.0.0.1', port: 3128 });
    assert.deepEqual(proxyFor(HTTPS, 'http://proxy.corp', {}), { host: 'proxy.corp', port: 80 });
    assert.deepEqual(proxyFor(HTTPS, 'http://[fd00::1]:3128', {}), { host: 'fd00::1', port: 3128 });
    assert.equal(proxyFor(HTTPS, 'none', env), undefined);
    assert.equal(host(HTTPS, 'http://explicit:1', { ...env, NO_PROXY: '*' }), 'explicit');
  });

  it('reads HTTPS_PROXY for https and HTTP_PROXY for http origins, lower case first', () => {
    assert.equal(host(HTTPS, undefined, env), 'egress.corp');
    assert.equal(host('http://10.0.0.5:8000', undefined, env), 'plain.corp');
    assert.equal(host(HTTPS, undefined, { HTTP_PROXY: 'http://plain.corp:8080' }), undefined);
    assert.equal(host(HTTPS, undefined, { ...env, https_proxy: 'http://lower:1' }), 'lower');
    assert.equal(host('http://x', undefined, { ...env, http_proxy: 'http://lower:1' }), 'lower');
    assert.equal(host(HTTPS, undefined, { ...env, https_proxy: ' ' }), 'egress.corp', 'blank = unset');
    assert.deepEqual(proxyFor(HTTPS, undefined, { HTTPS_PROXY: 'squid.corp:3128' }), {
      host: 'squid.corp',
      port: 3128,
    });
    assert.equal(proxyFor(HTTPS, undefined, {}), undefined);
  });

  it('rejects proxies it cannot speak to, without repeating credentials', () => {
    assert.throws(
      () => proxyFor(HTTPS, 'https://u:topsecret@proxy.corp:443', {}),
      (err: Error) =>
        /https:\/\/ proxies \(https:\/\/proxy\.corp\) are not supported/.test(err.message) &&
        !err.message.includes('topsecret'),
    );
    assert.throws(
      () => proxyFor(HTTPS, undefined, { https_proxy: 'socks5://u:topsecret@proxy.corp:1080' }),
      (err: Error) =>
        /^https_proxy: socks5:\/\/proxy\.corp:1080 is not supported/.test(err.message) &&
        !err.message.includes('topsecret'),
    );
    assert.throws(() => proxyFor(HTTPS, 'http://', {}), /not a proxy URL/);
  });

  describe('NO_PROXY', () => {
    const bypass = (origin: string, noProxy: string, name = 'NO_PROXY') =>
      proxyFor(origin, undefined, {
        HTTPS_PROXY: 'http://p:1',
        HTTP_PROXY: 'http://p:1',
        [name]: noProxy,
      }) === undefined;

    it('matches a host exactly or as a domain suffix, with or without a leading dot', () => {
      assert.ok(bypass(HTTPS, 'api.example.com'));
      assert.ok(bypass(HTTPS, 'example.com'));
      assert.ok(bypass(HTTPS, '.example.com'));
      assert.ok(bypass('https://example.com', '.example.com'));
      assert.ok(bypass(HTTPS, '*.example.com'));
      assert.ok(bypass(HTTPS, 'API.Example.COM.'));
      assert.ok(!bypass(HTTPS, 'le.com'));
      assert.ok(!bypass('https://badexample.com', 'example.com'));
      assert.ok(!bypass('https://example.com', 'api.example.com'));
    });

    it('splits on commas and spaces, and * exempts every host', () => {
      assert.ok(bypass(HTTPS, 'localhost, internal.corp  example.com'));
      assert.ok(bypass(HTTPS, '*'));
      assert.ok(bypass('http://10.1.2.3', 'localhost,*'));
      assert.ok(!bypass(HTTPS, ' , ,'));
    });

    it('requires an entry port to match the origin port', () => {
      assert.ok(bypass(HTTPS, 'api.example.com:443'));
      assert.ok(!bypass(HTTPS, 'api.example.com:8443'));
      assert.ok(bypass('https://api.example.com:8443', 'example.com:8443'));
      assert.ok(bypass('http://api.example.com', 'api.example.com:80'));
    });

    it('matches IP literals exactly or by CIDR, IPv6 bracketed or not', () => {
      assert.ok(bypass('http://10.1.2.3:8000', '10.1.2.3'));
      assert.ok(!bypass('http://10.1.2.30:8000', '10.1.2.3'));
      assert.ok(!bypass('http://10.0.0.1', '0.0.1'), 'a name does not match an address');
      assert.ok(bypass('http://10.9.8.7', '10.0.0.0/8'));
      assert.ok(!bypass('http://11.9.8.7', '10.0.0.0/8'));
      assert.ok(bypass('http://[fd00::2]:8080', 'fd00::2'));
      assert.ok(bypass('http://[fd00::2]:8080', '[fd00::2]'));
      assert.ok(bypass('http://[fd00::2]:8080', '[fd00::2]:8080'));
      assert.ok(!bypass('http://[fd00::2]:8080', '[fd00::2]:9090'));
      assert.ok(bypass('http://[fd00::1]', '0:0:0:0:0:0:0:1,fd00:0::1'));
      assert.ok(bypass('http://[fd00::5]', 'fd00::/16'));
    });

    it('never sends loopback through an environment proxy, but does through a configured one', () => {
      const e = { HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://p:1' };
      for (const origin of [
        'http://localhost:8000',
        'http://api.localhost',
        'http://127.0.0.1:9',
        'http://127.8.9.10',
        'https://[::1]:8443',
        'http://LOCALHOST.',
      ])
        assert.equal(proxyFor(origin, undefined, e), undefined, origin);
      assert.equal(proxyFor('http://128.0.0.1', undefined, e)?.host, 'p');
      assert.equal(proxyFor('http://localhost.example.com', undefined, e)?.host, 'p');
      assert.equal(proxyFor('http://127.0.0.1:9', 'http://p:1', {})?.host, 'p');
    });

    it('reads no_proxy before NO_PROXY', () => {
      const e = { HTTPS_PROXY: 'http://p:1', no_proxy: 'other.com', NO_PROXY: 'example.com' };
      assert.equal(proxyFor(HTTPS, undefined, e)?.host, 'p');
      assert.equal(proxyFor(HTTPS, undefined, { ...e, no_proxy: 'example.com', NO_PROXY: '' }), undefined);
      assert.ok(bypass(HTTPS, 'example.com', 'no_proxy'));
    });
  });
});
