/**
 * Every parameter under `path` (recursive, SecureString decrypted, every page), as [full name, value] pairs. Throws
 * the SDK's error as it is; read-config-source.ts words it. Pages of 10 (the API's maximum) until NextToken runs out.
 */
export async function readSsmParametersByPath(
  path: string,
  config: Record<string, unknown>,
): Promise<Array<readonly [string, string]>> {
  const { SSMClient, paginateGetParametersByPath } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient(config);
  try {
    const found: Array<readonly [string, string]> = [];
    const pages = paginateGetParametersByPath(
      { client, pageSize: 10 },
      { Path: path, Recursive: true, WithDecryption: true },
    );
    for await (const page of pages) {
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Name !== undefined && parameter.Value !== undefined)
          found.push([parameter.Name, parameter.Value]);
      }
    }
    return found;
  } finally {
    client.destroy();
  }
}
