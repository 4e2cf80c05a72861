import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { selfSignedCert } from '../../../test/support/self-signed-cert.ts';
import { runProbe } from '../run-probe.ts';
import { testTarget } from '../test-targets.ts';
import { parseHostPort } from './socket.ts';

let server: Server;
let port: number;
let cert: Buffer;

before(async () => {
  let key: Buffer;
  ({ key, cert } = selfSignedCert(30));
  server = createServer({ key, cert }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise((r) => server.close(r));
});

test('tls: a self-signed certificate is a tls failure', async () => {
  const r = await runProbe(testTarget('tls', `tls://localhost:${port}`));
  assert.equal(r.outcome, 'failed');
  assert.equal(r.errorClass, 'tls', r.error);
});

test('tls: handshake timings and certificate days when the CA is trusted', async () => {
  const r = await runProbe(testTarget('tls', `tls://localhost:${port}`), { ca: cert });
  assert.equal(r.outcome, 'ok', r.error);
  assert.ok(r.certDaysLeft! > 28 && r.certDaysLeft! <= 30, `days ${r.certDaysLeft}`);
  assert.ok(r.timings.connectMs! >= 0 && r.timings.tlsMs! > 0);
  const soon = await runProbe(
    testTarget('tls', `tls://localhost:${port}`, {
      assertions: [{ expr: 'cert.days > 60', severity: 'degrade' }],
    }),
    { ca: cert },
  );
  assert.equal(soon.outcome, 'degraded');
  const dflt = await runProbe(testTarget('tls', `tls://localhost:${port}`), { ca: cert });
  assert.equal(dflt.assertions?.[0]?.expr, 'cert.days >= 14');
});

test('parseHostPort reads the url forms', () => {
  assert.deepEqual(parseHostPort('tcp://db.internal:5432'), { host: 'db.internal', port: 5432 });
  assert.deepEqual(parseHostPort('https://example.com', 443), { host: 'example.com', port: 443 });
  assert.deepEqual(parseHostPort('[::1]:8443'), { host: '::1', port: 8443 });
  assert.throws(() => parseHostPort('nohostport'));
});
