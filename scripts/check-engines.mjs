#!/usr/bin/env node
// `engines` is true: every Node version a package claims satisfies the `engines.node` of everything it brings
// in, as installed here. For each published package: its dependencies, optional dependencies and installed
// peers, transitively; for the repository itself (what `npm ci` installs to develop and test): everything,
// development tools included. Every package claims the same range, which the README states.
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import semver from 'semver';

const root = join(import.meta.dirname, '..');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Where `name` resolves from `dir` (Node's node_modules lookup, up to the repository), or undefined. */
function resolvePackage(dir, name) {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const file = join(d, 'node_modules', name, 'package.json');
      readFileSync(file);
      return realpathSync(dirname(file));
    } catch {
      // not here: one folder up
    }
    if (d === root || dirname(d) === d) return undefined;
  }
}

/** Everything reachable from `dir` through the given kinds of dependencies (then runtime ones), with a path. */
function reachable(dir, firstKinds) {
  const seen = new Map();
  const queue = [{ dir, via: [], kinds: firstKinds }];
  while (queue.length > 0) {
    const { dir: at, via, kinds } = queue.shift();
    const pkg = readJson(join(at, 'package.json'));
    for (const kind of kinds) {
      for (const name of Object.keys(pkg[kind] ?? {})) {
        const found = resolvePackage(at, name);
        if (!found || seen.has(found)) continue; // an optional or peer package not installed here
        const dep = readJson(join(found, 'package.json'));
        const path = [...via, `${dep.name}@${dep.version}`];
        seen.set(found, { name: dep.name, version: dep.version, node: dep.engines?.node, path });
        queue.push({
          dir: found,
          via: path,
          kinds: ['dependencies', 'optionalDependencies', 'peerDependencies'],
        });
      }
    }
  }
  return [...seen.values()];
}

const problems = [];
const rootPkg = readJson(join(root, 'package.json'));
const claim = rootPkg.engines?.node;
if (!semver.validRange(claim))
  problems.push(`package.json: engines.node ${JSON.stringify(claim)} is not a range`);

const targets = [
  { label: rootPkg.name, dir: root, kinds: ['dependencies', 'devDependencies', 'optionalDependencies'] },
];
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  const pkg = readJson(join(dir, 'package.json'));
  if (pkg.engines?.node !== claim)
    problems.push(
      `${relative(root, dir)}/package.json: engines.node ${JSON.stringify(pkg.engines?.node)} differs from the repository's ${JSON.stringify(claim)}`,
    );
  targets.push({ label: pkg.name, dir, kinds: ['dependencies', 'optionalDependencies', 'peerDependencies'] });
}

let checked = 0;
for (const target of targets) {
  for (const dep of reachable(target.dir, target.kinds)) {
    checked++;
    if (dep.node === undefined) continue;
    const ok = semver.validRange(dep.node) !== null && semver.subset(claim, dep.node);
    if (!ok)
      problems.push(
        `${target.label} claims node ${JSON.stringify(claim)}, but ${dep.name}@${dep.version} needs ${JSON.stringify(dep.node)} (${dep.path.join(' > ')})`,
      );
  }
}

if (problems.length > 0) {
  console.error(`check-engines: ${problems.length} problem(s)\n  ${[...new Set(problems)].join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-engines: node ${claim} satisfies the engines of all ${checked} dependencies of ${targets.length} packages`,
);
