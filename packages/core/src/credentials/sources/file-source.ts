import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SelfHostedCredentialsError } from '../../errors/self-hosted-credentials-error';
import type { CredentialSource } from '../credential-source';

/**
 * `file`: the JSON document is a file on the agent's disk (a mounted Kubernetes or Docker secret, for instance).
 *
 * Deviation: Apollo read any path the control plane named. Here the file must resolve, symbolic links followed,
 * inside a directory listed in MCD_CREDENTIALS_FILE_DIRS; with none listed the source is off. Otherwise the control
 * plane could hand any JSON file the agent can read (cloud credential files, other tenants' mounts) to a connector
 * that sends it where the control plane says.
 */
export const fileSource: CredentialSource<'file'> = {
  provider: 'file',
  describe: (envelope) => `credentials file: ${envelope.file_path}`,
  async fetch(envelope, context) {
    if (context.fileDirs.length === 0) {
      throw new SelfHostedCredentialsError(
        'The file credentials source is disabled: set MCD_CREDENTIALS_FILE_DIRS to the directories it may read',
        'Forbidden',
      );
    }
    // Lexically first, so a path outside the directories is refused without revealing whether it exists.
    if (
      !isInsideAny(
        resolve(envelope.file_path),
        context.fileDirs.map((dir) => resolve(dir)),
      )
    ) {
      throw outside(envelope.file_path);
    }
    try {
      // Then with symbolic links resolved, so a link inside a directory cannot point out of it.
      const path = await realpath(envelope.file_path);
      const roots = await Promise.all(context.fileDirs.map((dir) => realpath(dir).catch(() => resolve(dir))));
      if (!isInsideAny(path, roots)) throw outside(envelope.file_path);
      return await readFile(path, 'utf8');
    } catch (error) {
      if (error instanceof SelfHostedCredentialsError) throw error;
      // The code only: fs messages are safe, but a code is all the caller needs.
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      if (code === 'ENOENT') {
        throw new SelfHostedCredentialsError(`Missing expected credentials file: ${envelope.file_path}`, 'NotFound');
      }
      const type = code === 'EACCES' || code === 'EPERM' ? 'Permissions' : undefined;
      throw new SelfHostedCredentialsError(`Error reading credentials file: ${envelope.file_path} (${code})`, type);
    }
  },
};

function outside(filePath: string): SelfHostedCredentialsError {
  return new SelfHostedCredentialsError(
    `Credentials file is outside MCD_CREDENTIALS_FILE_DIRS: ${filePath}`,
    'Forbidden',
  );
}

function isInsideAny(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const rel = relative(root, path);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  });
}
