/**
 * Writes README.md's configuration table, generated from the variables of src/config.ts,
 * between its config:begin and config:end markers. `--check` writes nothing and fails when
 * the README differs (test/config.test.ts checks the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VARIABLES } from '../src/config.js';

const BEGIN = '<!-- config:begin (generated from src/config.ts by `npm run config:docs`; edit there) -->';
const END = '<!-- config:end -->';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** The README with the generated table between the markers, which must be there once each. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start || readme.indexOf(BEGIN, start + 1) >= 0) {
    throw new Error(`README.md must hold the lines\n${BEGIN}\n${END}\nonce each, in that order.`);
  }
  return `${readme.slice(0, start + BEGIN.length)}\n\n${VARIABLES.markdown()}\n\n${readme.slice(end)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const current = readFileSync(README, 'utf8');
  const generated = withConfigTable(current);
  if (process.argv.includes('--check')) {
    if (current !== generated) {
      console.error(
        "README.md's configuration table is stale: run `npm run config:docs` and commit the result.",
      );
      process.exit(1);
    }
    console.log("README.md's configuration table is up to date.");
  } else if (current !== generated) {
    writeFileSync(README, generated);
    console.log(`Wrote the configuration table of ${README}`);
  } else {
    console.log("README.md's configuration table was already up to date.");
  }
}
