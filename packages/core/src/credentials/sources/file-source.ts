import { SelfHostedCredentialsError } from '../../errors/self-hosted-credentials-error';
import { ConfinedFileError, readConfinedFile } from '../../local-files/confined-file';
import type { CredentialSource } from '../credential-source';

/**
 * `file`: the JSON document is a file on the agent's disk (a mounted Kubernetes or Docker secret, for instance).
 *
 * Deviation: Apollo read any path the control plane named. Here the file must lie inside a directory listed in
 * MCD_CREDENTIALS_FILE_DIRS, by the agent's one confinement rule (local-files/confined-file.ts: as written, with
 * symbolic links resolved, and where the opened descriptor really is); with none listed the source is off. Otherwise
 * the control plane could hand any JSON file the agent can read (cloud credential files, other tenants' mounts) to a
 * connector that sends it where the control plane says. A relative path is taken from the first directory.
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
    const path = envelope.file_path;
    try {
      return await readConfinedFile(path, {
        roots: context.fileDirs,
        subject: 'Credentials file',
        setting: 'MCD_CREDENTIALS_FILE_DIRS',
      });
    } catch (error) {
      if (!(error instanceof ConfinedFileError)) throw error;
      // fs codes only: the messages are safe, but a code is all the caller needs.
      switch (error.reason) {
        case 'invalid':
        case 'outside':
          throw new SelfHostedCredentialsError(
            `Credentials file is outside MCD_CREDENTIALS_FILE_DIRS: ${path}`,
            'Forbidden',
          );
        case 'missing':
          throw new SelfHostedCredentialsError(`Missing expected credentials file: ${path}`, 'NotFound');
        case 'not-a-file':
          throw new SelfHostedCredentialsError(`Error reading credentials file: ${path} (not a regular file)`);
        case 'unreadable':
          throw new SelfHostedCredentialsError(
            `Error reading credentials file: ${path} (${error.code ?? 'unknown error'})`,
            error.errorType === 'Permissions' ? 'Permissions' : undefined,
          );
      }
    }
  },
};
