/**
 * The README says which Debian packages `scripts/setup.sh` installs; this keeps the two together:
 * every tool the README names is in the script's package list, and every package in the list is
 * one the README names (a package added to one and not the other fails here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/device-process.js';

/** The README's words for the packages, and the Debian packages each stands for. */
const NAMED: Record<string, string[]> = {
  Chromium: ['chromium'],
  'CJK and Tibetan fonts': ['fonts-noto-cjk', 'fonts-noto-core', 'fonts-tibetan-machine'],
  Mosquitto: ['mosquitto'],
  PostgreSQL: ['postgresql'],
  'a C compiler': ['gcc', 'libc6-dev'],
  'the AVR toolchain': ['gcc-avr', 'avr-libc', 'arduino-core-avr'],
  simavr: ['simavr', 'libsimavr-dev', 'libsimavrparts1', 'libelf-dev', 'pkg-config'],
  socat: ['socat'],
  Xvfb: ['xvfb'],
  OpenSSL: ['openssl'],
  'poppler-utils': ['poppler-utils'],
  strace: ['strace'],
  jemalloc: ['libjemalloc2'],
};

it('names in the README exactly the Debian packages scripts/setup.sh installs', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  const listed = /`scripts\/setup\.sh` installs the Debian packages the tests and the demo use \(([^)]*)\)/.exec(readme)?.[1];
  expect(listed, "the README's sentence on setup.sh").toBeTruthy();
  const names = listed!.split(', ');
  for (const name of names) expect(NAMED[name], `"${name}" in the README`).toBeDefined();

  const setup = readFileSync(join(REPO_ROOT, 'scripts', 'setup.sh'), 'utf8');
  const debs = /^debs=\(\n([\s\S]*?)\n\)/m
    .exec(setup)![1]!
    .split('\n')
    .flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean));
  expect(new Set(names.flatMap((n) => NAMED[n]!))).toEqual(new Set(debs));
});
