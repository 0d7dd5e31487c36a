import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away self-signed certificate, made with the system's openssl for TLS fakes. It names 127.0.0.1 and
 * localhost unless `names` (subjectAltName entries such as `DNS:db.example.test`) says otherwise.
 */
export function selfSignedCertificate(names: readonly string[] = ['IP:127.0.0.1', 'DNS:localhost']): {
  key: string;
  cert: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'artemis-cert-'));
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
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=artemis-test',
        '-addext',
        `subjectAltName=${names.join(',')}`,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
