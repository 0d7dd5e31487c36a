import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

/*
 * scripts/use-node picks the Node the repository's commands run on. Each case gets a PATH of its own: the few system
 * tools the script needs, a `node` that reports the version the case wants (and is the real node otherwise), and,
 * where a case needs one, an `npm` standing in for the registry. No case reaches the network.
 */
const USE_NODE = join(import.meta.dirname, '..', 'use-node');
const ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';
const TOOLS = ['bash', 'sh', 'uname', 'tar', 'gzip', 'mktemp', 'mv', 'mkdir', 'rm', 'cat', 'cp', 'dirname'];

/** The version pinned for `major` on this machine's architecture, read from the script itself. */
function pinned(major: number): string {
  const line = new RegExp(`${major}-${ARCH}\\) echo '(\\S+) `).exec(readFileSync(USE_NODE, 'utf8'));
  if (!line?.[1]) throw new Error(`no pin for ${major}-${ARCH}`);
  return line[1];
}

let dir: string;
let bin: string;
let cache: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'use-node-'));
  bin = join(dir, 'bin');
  cache = join(dir, 'cache');
  mkdirSync(bin);
  for (const tool of TOOLS) {
    const found = ['/usr/bin', '/bin'].map((folder) => join(folder, tool)).find((path) => existsSync(path));
    if (found) symlinkSync(found, join(bin, tool));
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An executable shell script at `path`. */
function script(path: string, body: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/** A `node` reporting `version` to --version and running the real node for anything else (the script hashes with it). */
function machineNode(version: string): void {
  script(join(bin, 'node'), `[ "$1" = --version ] && { echo v${version}; exit 0; }\nexec "${process.execPath}" "$@"`);
}

/** A Node already installed by an earlier run, in the cache folder the script uses. */
function cachedNode(major: number): string {
  const folder = join(cache, `node-${pinned(major)}-linux-${ARCH}`, 'bin');
  script(join(folder, 'node'), `echo v${pinned(major)}`);
  return folder;
}

function useNode(command: string, env: Record<string, string> = {}) {
  const result = spawnSync('/bin/bash', ['-c', command, 'test', USE_NODE], {
    env: { PATH: bin, HOME: dir, ARTEMIS_NODE_CACHE: cache, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe('scripts/use-node', () => {
  it('keeps the machine node when it is 22 or newer, installing nothing', () => {
    // Prepare
    machineNode('23.1.0');

    // Act
    const result = useNode('"$1"');

    // Assess
    expect(result).toEqual({ status: 0, stdout: join(bin, 'node'), stderr: '' });
    expect(existsSync(cache)).toBe(false);
  });

  it('puts the pinned Node 22 first on PATH when the machine node is older', () => {
    // Prepare
    machineNode('20.20.2');
    const installed = cachedNode(22);

    // Act: sourced, as scripts/start and scripts/test do
    const result = useNode('. "$1" && echo "$PATH" && node --version');

    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')).toEqual([`${installed}:${bin}`, `v${pinned(22)}`]);
  });

  it('runs exactly the major ARTEMIS_NODE_MAJOR names: the machine node when it is one, else the pinned one', () => {
    // Prepare
    machineNode('22.23.3');
    const installed24 = cachedNode(24);

    // Act
    const on24 = useNode('"$1"', { ARTEMIS_NODE_MAJOR: '24' });
    const on22 = useNode('"$1"', { ARTEMIS_NODE_MAJOR: '22' });

    // Assess
    expect(on24).toEqual({ status: 0, stdout: join(installed24, 'node'), stderr: '' });
    expect(on22).toEqual({ status: 0, stdout: join(bin, 'node'), stderr: '' });
  });

  it('refuses a major it has no pin for', () => {
    // Prepare
    machineNode('20.20.2');

    // Act
    const result = useNode('"$1" 23');

    // Assess
    expect(result).toEqual({ status: 1, stdout: '', stderr: 'use-node: no pinned Node.js 23 (pinned: 22, 24)' });
  });

  it('refuses a download that does not match the pinned integrity, and leaves nothing behind', () => {
    // Prepare: an npm whose "registry" hands out a tarball that is not the pinned one
    machineNode('20.20.2');
    const tampered = join(dir, 'tampered');
    script(join(tampered, 'package', 'bin', 'node'), `echo v${pinned(22)}`);
    const tarball = join(dir, `node-linux-${ARCH}-${pinned(22)}.tgz`);
    spawnSync('tar', ['-czf', tarball, '-C', tampered, 'package']);
    script(join(bin, 'npm'), `[ "$1" = pack ] || exit 2\ncp "${tarball}" .`);

    // Act
    const result = useNode('"$1"');

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      `use-node: installing Node.js ${pinned(22)} (node-linux-${ARCH} from the npm registry) into ${cache}/node-${pinned(22)}-linux-${ARCH}`,
      expect.stringMatching(
        new RegExp(`^use-node: node-linux-${ARCH}@${pinned(22)} does not match its pinned integrity \\(got sha512-`),
      ),
    ]);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('says what is missing when it must install and there is no npm', () => {
    // Prepare
    machineNode('20.20.2');

    // Act
    const result = useNode('"$1"');

    // Assess
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: 'use-node: Node.js 22 is needed; installing it takes npm, and there is none on PATH',
    });
  });
});
