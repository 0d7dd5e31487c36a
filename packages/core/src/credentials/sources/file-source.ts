import { readFile } from 'node:fs/promises';
import type { CredentialSource } from '../credential-source';
import { SelfHostedCredentialsError } from '../self-hosted-credentials-error';

/** `file`: the JSON document is a file on the agent's disk (a mounted Kubernetes or Docker secret, for instance). */
export const fileSource: CredentialSource<'file'> = {
  provider: 'file',
  describe: (envelope) => `credentials file: ${envelope.file_path}`,
  async fetch(envelope) {
    try {
      return await readFile(envelope.file_path, 'utf8');
    } catch (error) {
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
