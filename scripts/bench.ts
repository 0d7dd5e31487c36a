/**
 * `pnpm bench`: runs every scripts/bench/*.bench.ts module (or those named on the command line) and prints each
 * figure as a ratio against its floor measured in the same run (SPEC §11). Never part of the test suite.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchFigure, type BenchModule, passes, ratioOf } from './bench/harness';

const benchDir = join(import.meta.dirname, 'bench');
const wanted = process.argv.slice(2);
const files = (await readdir(benchDir))
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
  .sort();

const figures: BenchFigure[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(join(benchDir, file)).href)) as { default: BenchModule };
  console.error(`running ${file} …`);
  for (const figure of await module.default()) {
    figures.push(figure);
    console.error(`  ${figure.name}: ${ratioOf(figure).toFixed(2)}×`);
  }
}

const rows = figures.map((figure) => ({
  figure: figure.name,
  subject: `${format(figure.subject)} ${figure.unit}`,
  floor: `${format(figure.floor)} ${figure.unit}`,
  ratio: `${ratioOf(figure).toFixed(2)}×`,
  goal: `${figure.direction === 'max' ? '≤' : '≥'} ${figure.goal}×`,
  verdict: passes(figure) ? 'ok' : 'MISSED',
  note: figure.note ?? '',
}));
console.table(rows);
console.log(`${figures.filter(passes).length} of ${figures.length} figures within their goals`);

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}
