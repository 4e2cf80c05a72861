/**
 * Test support: a self-signed certificate for `localhost` and 127.0.0.1, made with Debian's
 * `openssl` (installed by scripts/install-system-deps.sh) in a fresh temporary directory, for
 * TLS servers on loopback. Used by unit tests under src/ (probe TLS, gateway upstream TLS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and certificate in PEM, valid for `days`; the files are removed once read. */
export function selfSignedCert(days = 1): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'nines-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        String(days),
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
