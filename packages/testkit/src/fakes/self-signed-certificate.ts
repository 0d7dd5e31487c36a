import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';

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

/**
 * The message Node itself gives when it refuses the certificate of the TLS server on 127.0.0.1:`port` (a handshake
 * only: no request reaches the server). Its wording changes between Node releases (24 adds a hint to 22's
 * "self-signed certificate"), so tests compare with it rather than with a copy of one release's words.
 */
export function tlsRefusalMessage(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost' }, () => {
      socket.destroy();
      reject(new Error(`the certificate on port ${port} was accepted`));
    });
    socket.once('error', (error) => resolve(error.message));
  });
}
