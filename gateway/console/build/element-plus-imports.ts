/**
 * Element Plus imported per component, as its manual-import guide describes, without changing how
 * the console's code is written: each `import { ElTable, … } from 'element-plus'` in gateway/console/src
 * becomes an import from the component's own module (`element-plus/es/components/table/index.mjs`)
 * plus that component's stylesheet (`…/table/style/css`, which brings the styles it depends on).
 * So a page carries the script and CSS of the components it uses — not the whole library's 365 kB
 * of CSS, which every page otherwise parsed and matched before its first paint — and the build can
 * tell which components the first screens need (vite.config.ts, `ui-first`). The same as
 * unplugin-vue-components' ElementPlusResolver does, limited to the imports we write.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);
const COMPONENTS = join(dirname(require.resolve('element-plus/package.json')), 'es', 'components');
const NAMED_IMPORT = /import\s*\{([^}]*)\}\s*from\s*['"]element-plus['"];?/g;

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Which component folder exports each `El…` name (ElTableColumn → table, ElSubMenu → menu). */
function exportsByName(): Map<string, string> {
  const byName = new Map<string, string>();
  for (const dir of readdirSync(COMPONENTS)) {
    const index = join(COMPONENTS, dir, 'index.mjs');
    if (!existsSync(index)) continue;
    for (const m of readFileSync(index, 'utf8').matchAll(/^export \{([^}]*)\}/gm)) {
      for (const spec of m[1]!.split(',')) {
        const name = spec
          .trim()
          .split(/\s+as\s+/)
          .pop()!;
        // A name exported by several folders belongs to the folder named after it.
        if (/^El[A-Z]/.test(name) && (!byName.has(name) || kebab(name.slice(2)) === dir)) byName.set(name, dir);
      }
    }
  }
  return byName;
}

export function elementPlusImports(srcDir: string): Plugin {
  const byName = exportsByName();
  const hasStyle = (dir: string) => existsSync(join(COMPONENTS, dir, 'style', 'css.mjs'));
  return {
    name: 'hcp-element-plus-imports',
    enforce: 'post',
    transform(code, id) {
      // A .vue file's script arrives as `X.vue?vue&type=script…`; its style and template parts are skipped.
      const [path = '', query = ''] = id.split('?');
      if (!path.startsWith(srcDir) || !/\.(vue|ts)$/.test(path) || (query !== '' && !query.includes('type=script')) || !code.includes('element-plus')) return null;
      const styles = new Set<string>();
      const out = code.replace(NAMED_IMPORT, (_all, list: string) => {
        const perDir = new Map<string, string[]>();
        for (const raw of list.split(',')) {
          const spec = raw.trim();
          if (!spec) continue;
          const name = spec.split(/\s+as\s+/)[0]!;
          const dir = byName.get(name);
          if (!dir) throw new Error(`${path}: element-plus has no component exporting ${name} (build/element-plus-imports.ts)`);
          perDir.set(dir, [...(perDir.get(dir) ?? []), spec]);
          for (const d of [dir, kebab(name.slice(2))]) if (hasStyle(d)) styles.add(d);
        }
        return [...perDir].map(([dir, specs]) => `import { ${specs.join(', ')} } from 'element-plus/es/components/${dir}/index.mjs';`).join('\n');
      });
      if (out === code) return null;
      const styleImports = [...styles].map((d) => `import 'element-plus/es/components/${d}/style/css';`).join('\n');
      return { code: `${styleImports}\n${out}`, map: null };
    },
  };
}
