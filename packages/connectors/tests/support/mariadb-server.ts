import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A throw-away MariaDB server on 127.0.0.1 (temporary datadir, ephemeral port), started from the Debian package's
 * binaries when they are installed (`.ci/run` installs them). `skipReason` says why not otherwise.
 */
export interface MariadbServer {
  readonly port: number;
  stop(): Promise<void>;
}

const SERVER_BINARIES = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/sbin/mysqld'];
const INSTALL_BINARIES = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'];

export function mariadbSkipReason(): string | undefined {
  if (!SERVER_BINARIES.some(existsSync)) return `no MariaDB server binary (${SERVER_BINARIES.join(', ')})`;
  if (!INSTALL_BINARIES.some(existsSync)) return `no mariadb-install-db (${INSTALL_BINARIES.join(', ')})`;
  return undefined;
}

/** `tls`: the server also offers TLS with this certificate (clients still choose whether to use it). */
export async function startMariadb(options: { tls?: { key: string; cert: string } } = {}): Promise<MariadbServer> {
  const server = SERVER_BINARIES.find(existsSync) as string;
  const install = INSTALL_BINARIES.find(existsSync) as string;
  const datadir = await mkdtemp(join(tmpdir(), 'artemis-mariadb-'));
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  await promisify(execFile)(install, [
    '--no-defaults',
    `--datadir=${datadir}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    ...asRoot,
  ]);
  const tlsArgs: string[] = [];
  if (options.tls) {
    await writeFile(join(datadir, 'server-cert.pem'), options.tls.cert);
    await writeFile(join(datadir, 'server-key.pem'), options.tls.key);
    tlsArgs.push(`--ssl-cert=${join(datadir, 'server-cert.pem')}`, `--ssl-key=${join(datadir, 'server-key.pem')}`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    server,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(datadir, 'mysqld.sock')}`,
      `--pid-file=${join(datadir, 'mysqld.pid')}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      ...tlsArgs,
      ...asRoot,
    ],
    { stdio: 'ignore' },
  );
  const exited = once(child, 'exit');
  try {
    await waitUntilReady(port, exited);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(datadir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    stop: async () => {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        exited,
        new Promise((resolve) => {
          timer = setTimeout(resolve, 10_000);
        }),
      ]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(datadir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitUntilReady(port: number, exited: Promise<unknown>): Promise<void> {
  const { default: mysql } = await import('mysql2/promise');
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // A bound for a server that never comes up (it is then killed), not for a slow one: ~200 s, under jest's timeout.
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (gone) throw new Error('mariadbd exited during start-up');
    try {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      await connection.end();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error('mariadbd did not accept connections after 1000 attempts');
}
