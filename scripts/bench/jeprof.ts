/**
 * Who holds the native memory of a gateway under study: jemalloc's heap profile (the unit's malloc,
 * deploy/systemd/hcp-gateway.service; Debian builds it with profiling). The gateway runs with
 * `jeprofConf` in MALLOC_CONF; `dumpHeapProfile` has it write a profile now (gdb calls jemalloc's
 * `mallctl("prof.dump")` in the running process: node has no binding for it), and `growthText`
 * prints jeprof's allocation sites of what grew between two profiles, by cumulative bytes.
 * Needs Debian's gdb and libjemalloc-dev (jeprof), which the tests do not: `checkJeprofTools` says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One sample per 32 KiB allocated on average: a page cache of 4 KiB pages still shows to the MiB. */
export function jeprofConf(profDir: string): string {
  return `prof:true,lg_prof_sample:15,prof_prefix:${join(profDir, 'jeprof')}`;
}

/** The Debian packages that hold the tools, as the error and docs/OPERATIONS.md name them. */
export const JEPROF_TOOLS_INSTALL = 'sudo apt-get install gdb libjemalloc-dev';

/** Throws, naming the packages to install, unless gdb and jeprof are on `path`. */
export function checkJeprofTools(path = process.env.PATH ?? ''): void {
  const missing = ['gdb', 'jeprof'].filter((tool) => spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env: { PATH: path } }).status !== 0);
  if (missing.length) {
    throw new Error(`JEPROF=1 needs ${missing.join(' and ')}: ${JEPROF_TOOLS_INSTALL} (Debian's packages)`);
  }
}

/** Has the gateway `pid` write its heap profile now; returns the file. */
export function dumpHeapProfile(profDir: string, pid: number): string {
  const ours = () => readdirSync(profDir).filter((f) => f.startsWith(`jeprof.${pid}.`) && f.endsWith('.heap'));
  const before = new Set(ours());
  const r = spawnSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (int)mallctl("prof.dump", (void*)0, (void*)0, (void*)0, 0)'], { encoding: 'utf8' });
  // gdb prints `$1 = 0` when mallctl succeeded (non-zero: profiling is off in that process).
  if (!/\$1 = 0\b/.test(r.stdout)) throw new Error(`gdb could not have gateway ${pid} dump its heap profile: ${r.stdout}${r.stderr}`);
  const file = ours().find((f) => !before.has(f));
  if (!file) throw new Error(`gateway ${pid} wrote no heap profile into ${profDir}`);
  return join(profDir, file);
}

/**
 * jeprof's top `lines` allocation sites by what they held more in `later` than in `earlier`
 * (`program`: the node binary). jeprof symbolizes only mappings named like a shared library
 * (`.so`), so node's addons (better_sqlite3.node) are given such a name by a link first.
 */
export function growthText(earlier: string, later: string, program: string, lines = 16): string {
  const named = (file: string) => {
    const libs = join(file, '..', 'libs');
    mkdirSync(libs, { recursive: true });
    const text = readFileSync(file, 'utf8').replace(/ (\/\S+\.node)$/gm, (_, addon: string) => {
      const link = join(libs, `${basename(addon)}.so`);
      // Made again each time: a link left by another checkout's run would point at another build.
      rmSync(link, { force: true });
      symlinkSync(addon, link);
      return ` ${link}`;
    });
    const out = `${file}.named`;
    writeFileSync(out, text);
    return out;
  };
  const out = execFileSync('jeprof', ['--text', '--show_bytes', '--cum', `--base=${named(earlier)}`, program, named(later)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .slice(0, lines + 1)
    .join('\n');
}
