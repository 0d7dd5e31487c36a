/**
 * `pnpm bench` (scripts/run-bench: on Node 22 unless ARTEMIS_NODE_MAJOR says otherwise): runs every
 * scripts/bench/*.bench.ts module (or those named on the command line) and prints each figure as a ratio against
 * its floor measured in the same run (SPEC §11), and the Node it ran on. Modules that export `optIn = true` run
 * only when named. Never part of the test suite.
 */
import { readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchFigure, type BenchModule, passes, ratioOf } from './bench/harness';

const benchDir = join(import.meta.dirname, 'bench');
const wanted = process.argv.slice(2);
const files = (await readdir(benchDir))
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
  .sort();

const runtime = `Node ${process.version} (${process.platform} ${process.arch}, ${availableParallelism()} CPUs)`;
console.error(`pnpm bench on ${runtime}`);
const figures: BenchFigure[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(join(benchDir, file)).href)) as {
    default: BenchModule;
    optIn?: boolean;
  };
  if (module.optIn && wanted.length === 0) {
    console.error(`skipping ${file} (run it by name: pnpm bench ${file.replace('.bench.ts', '')})`);
    continue;
  }
  console.error(`running ${file} …`);
  for (const figure of await module.default()) {
    figures.push(figure);
    console.error(`  ${figure.name}: ${ratioOf(figure).toFixed(2)}×`);
  }
}

const rows = figures.map((figure) => ({
  node: process.version,
  figure: figure.name,
  subject: `${format(figure.subject)} ${figure.unit}`,
  floor: `${format(figure.floor)} ${figure.unit}`,
  ratio: `${ratioOf(figure).toFixed(2)}×`,
  goal: `${figure.direction === 'max' ? '≤' : '≥'} ${figure.goal}×`,
  verdict: passes(figure) ? 'ok' : 'MISSED',
  note: figure.note ?? '',
}));
console.table(rows);
console.log(`${figures.filter(passes).length} of ${figures.length} figures within their goals, on ${runtime}`);

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}
