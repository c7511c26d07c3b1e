#!/usr/bin/env node
/**
 * Gives this checkout's npm scripts a supported Node when the machine's is older.
 *
 * package.json's engines say node >= 22.18, but a fresh machine may have Node 20. Run as the
 * postinstall script (plain JavaScript, so it runs on any Node npm runs on): when the Node that
 * runs `npm install` is older than engines, it installs the Node line of .nvmrc from the npm
 * registry (the `node-<platform>-<arch>` package: a plain Node build, no install script) into
 * node_modules/.cache/supported-node/ and links it as node_modules/.bin/node. npm puts
 * node_modules/.bin first on the PATH of every script it runs, so `npm start`, `npm test`,
 * vitest, tsx and tsc (whose launchers say `#!/usr/bin/env node`) all run on it; nothing
 * changes outside this checkout, and a supported Node is left alone (a link made earlier is
 * removed). The same mechanism the `node` npm package uses, but only when it is needed, and
 * without a dependency install script (npm 11 blocks those by default).
 *
 *   node scripts/supported-node.mjs              what postinstall does
 *   node scripts/supported-node.mjs --use 26     npm scripts run on Node 26 (fetched unless the
 *                                                machine's Node is 26); also 24, 22.18.0, ...
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', '.bin');
const link = join(bin, 'node');
const cache = join(root, 'node_modules', '.cache', 'supported-node');

/** `22.15.3` -> [22, 15, 3]. */
function parts(version) {
  return version
    .replace(/^v/, '')
    .split('.')
    .map((n) => Number.parseInt(n, 10) || 0);
}

/** Whether `version` is at least `floor` (both dotted, missing parts are 0). */
function atLeast(version, floor) {
  const [a, b] = [parts(version), parts(floor)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** Whether `version` is what `spec` names: a major line (`24`) or an exact version (`22.15.0`). */
function matches(version, spec) {
  const [v, s] = [parts(version), parts(spec)];
  return spec.split('.').every((_, i) => v[i] === s[i]);
}

function enginesFloor() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const range = pkg.engines?.node ?? '';
  const floor = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(range.trim())?.[1];
  if (!floor) fail(`package.json's engines.node must read ">=X.Y"; it reads ${JSON.stringify(range)}.`);
  return floor;
}

function fail(message) {
  console.error(`supported-node: ${message}`);
  process.exit(1);
}

/** Our link, and only ours: node_modules/.bin/node pointing into the cache. */
function ourLink() {
  try {
    return lstatSync(link).isSymbolicLink() && resolve(bin, readlinkSync(link)).startsWith(cache)
      ? link
      : null;
  } catch {
    return null;
  }
}

function unlink() {
  if (ourLink()) rmSync(link);
}

function versionOf(node) {
  const run = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : null;
}

/** Installs Node `spec` from the npm registry into the cache (once) and returns its binary. */
function fetchNode(spec) {
  const platform = { linux: 'linux', darwin: 'darwin' }[process.platform];
  const pkg = `node-${platform}-${process.arch}`;
  const dir = join(cache, spec);
  const node = join(dir, 'node_modules', pkg, 'bin', 'node');
  if (!platform) {
    fail(
      `no Node build for ${process.platform} on the npm registry here: install Node ${spec} (see .nvmrc) and run npm install again.`,
    );
  }
  const have = existsSync(node) ? versionOf(node) : null;
  if (have && matches(have, spec)) return { node, version: have };
  console.error(
    `supported-node: installing ${pkg}@${spec} from the npm registry into ${relative(root, dir)}/`,
  );
  mkdirSync(dir, { recursive: true });
  // npm_execpath: the npm that runs this postinstall (else the one on PATH).
  const npm = process.env.npm_execpath;
  const args = ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund'];
  args.push('--loglevel=error', `${pkg}@${spec}`);
  const run = npm
    ? spawnSync(process.execPath, [npm, ...args], { stdio: 'inherit' })
    : spawnSync('npm', args, { stdio: 'inherit' });
  const version = run.status === 0 && existsSync(node) ? versionOf(node) : null;
  if (!version || !matches(version, spec)) {
    fail(
      `could not install ${pkg}@${spec} (npm exited ${run.status}): install Node ${spec} yourself (see .nvmrc).`,
    );
  }
  return { node, version };
}

function use(node) {
  mkdirSync(bin, { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(relative(bin, node), link);
}

const floor = enginesFloor();
// The machine's Node: the one that runs npm (npm_node_execpath), not the `node` on a script's
// PATH, which may be the link this script made.
const machine = process.env.npm_node_execpath || process.execPath;
const machineVersion = machine === process.execPath ? process.version : versionOf(machine);
if (!machineVersion) fail(`${machine} --version failed.`);

const at = process.argv.indexOf('--use');
if (at >= 0) {
  const spec = process.argv[at + 1] ?? '';
  if (!/^\d+(\.\d+){0,2}$/.test(spec))
    fail(`--use takes a Node version or major line, e.g. 24; got ${JSON.stringify(spec)}.`);
  if (matches(machineVersion, spec) && atLeast(machineVersion, floor)) {
    unlink();
    console.log(`npm scripts run on this machine's Node ${machineVersion}.`);
  } else {
    const { node, version } = fetchNode(spec);
    if (!atLeast(version, floor)) fail(`Node ${version} is older than engines' ${floor}.`);
    use(node);
    console.log(`npm scripts run on Node ${version} (node_modules/.bin/node).`);
  }
} else if (atLeast(machineVersion, floor)) {
  unlink();
} else {
  const spec = readFileSync(join(root, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
  const { node, version } = fetchNode(spec);
  if (!atLeast(version, floor)) fail(`.nvmrc's Node ${version} is older than engines' ${floor}.`);
  use(node);
  console.error(
    `supported-node: Node ${machineVersion} is older than this project needs (>= ${floor}); ` +
      `its npm scripts (npm start, npm test, ...) will run on Node ${version}, linked as node_modules/.bin/node.`,
  );
}
