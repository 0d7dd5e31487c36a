import type { Transform } from './transform';

/**
 * `tmp_file_write` (Apollo's TmpFileWriteTransform): writes `contents` (text or bytes) to a new temp file and derives
 * its `path`. `mode` is an octal string (default "0600"); group and world write bits are never granted.
 */
export const tmpFileWrite: Transform = {
  requiredInput: ['contents'],
  optionalInput: ['file_suffix', 'mode'],
  requiredOutput: ['path'],
  optionalOutput: [],
  async run(step) {
    const contents = step.input('contents');
    const mode = String(step.input('mode') ?? '0600');
    if (!/^0?[0-7]{3}$/.test(mode)) throw new Error("'mode' must be an octal mode such as 0600");
    const suffix = step.input('file_suffix');
    const path = await step.services.tempFiles.write(contents instanceof Uint8Array ? contents : stringOf(contents), {
      suffix: suffix === undefined || suffix === null ? '' : String(suffix),
      mode: Number.parseInt(mode, 8) & 0o755,
    });
    step.derive('path', path);
  },
};

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
