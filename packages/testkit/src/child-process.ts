import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './build-for-test';
import { type HttpAnswer, type HttpCall, queryString } from './http-call';

/**
 * How long a started process may take to become ready before it is stopped and the start fails with what it printed:
 * a hang, not a slow machine (tsx compiling an emulator at a load of 8 per core takes tens of seconds). Under jest's
 * own timeout, so the process is stopped rather than left behind.
 */
const READY_TIMEOUT_MS = 240_000;

/** A process a test started (in its own process group), with what it printed so far. */
export interface StartedProcess {
  readonly child: ChildProcess;
  /** The first capture group of `ready` (e.g. the URL it listens on). */
  readonly ready: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Sends SIGTERM to the process group this test started, and waits for the exit. */
  stop(): Promise<number | null>;
}

interface ProcessOptions {
  readonly env: Record<string, string | undefined>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** `command` in a process group of its own, its output collected as it comes (`onOutput` after each chunk). */
function spawnCollecting(command: string, args: readonly string[], options: ProcessOptions, onOutput = () => {}) {
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString('utf8');
    onOutput();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString('utf8');
    onOutput();
  });
  const printed = () => `\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`;
  return { child, output, printed };
}

/**
 * Starts `command` and resolves once its stdout or stderr matches `ready`, or rejects with what it printed if it
 * exits or takes longer than `timeoutMs`.
 */
export function startProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions & { ready: RegExp },
): Promise<StartedProcess> {
  let check = () => {};
  const { child, output, printed } = spawnCollecting(command, args, options, () => check());
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} did not become ready in time.${printed()}`));
    }, options.timeoutMs ?? READY_TIMEOUT_MS);
    check = () => {
      const match = options.ready.exec(output.stdout) ?? options.ready.exec(output.stderr);
      if (!match) return;
      clearTimeout(timer);
      const started = { child, ready: match[1] ?? match[0], exited, stop };
      resolve({ ...started, stdout: () => output.stdout, stderr: () => output.stderr });
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready.${printed()}`));
    });
  });
}

/** How a process that was expected to stop on its own ended, with everything it printed. */
export interface FinishedProcess {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` until it exits by itself (a start-up failure), or kills its process group and rejects with what it
 * printed when it is still running after `timeoutMs` (it started instead of failing).
 */
export function runUntilExit(
  command: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<FinishedProcess> {
  const { child, output, printed } = spawnCollecting(command, args, options);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${command} was still running.${printed()}`));
    }, options.timeoutMs ?? 20_000);
    // 'close' rather than 'exit': every byte of both pipes has been read by then.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...output });
    });
  });
}

/**
 * An HttpCall sent with fetch, answered as an HttpAnswer. Each on a connection of its own: on a loaded machine an idle
 * keep-alive connection can be closed by the server's keep-alive timer just as fetch reuses it (ECONNRESET).
 */
export async function fetchAnswer(
  baseUrl: string,
  call: HttpCall,
  extraHeaders: Record<string, string> = {},
): Promise<HttpAnswer> {
  const query = queryString(call.query);
  const response = await fetch(`${baseUrl}${call.path}${query ? `?${query}` : ''}`, {
    method: call.method,
    headers: { connection: 'close', ...call.headers, ...extraHeaders },
    body: call.body?.length ? call.body : undefined,
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** A port that was free a moment ago, for tools that cannot listen on port 0 and report the port they got. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts one of scripts/<name> (a local emulator) on an ephemeral port, serving the given built bundle. */
export function startEmulator(script: string, bundle: string, env: Record<string, string>): Promise<StartedProcess> {
  return startProcess(join(REPO_ROOT, 'scripts', script), ['--no-build', '--port', '0', '--bundle', bundle], {
    env: { ...process.env, ...env },
    ready: new RegExp(`${script} listening on (http://\\S+)`),
  });
}
