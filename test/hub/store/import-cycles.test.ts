import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Every cycle among the imports between the modules of a folder. Type-only imports count too (as madge counts
 * them): a cycle of types still means two modules that cannot be understood one without the other.
 */
export function importCycles(dir: string): string[][] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => resolve(dir, f));
  const inDir = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of src.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
      const target = resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'));
      if (inDir.has(target)) deps.push(target);
    }
    edges.set(file, deps);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of edges.get(f) ?? []) {
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].map((x) => relative(dir, x)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

describe('module structure', () => {
  it('hub/store has no import cycle', () => {
    expect(importCycles(join(process.cwd(), 'hub/store'))).to.deep.equal([]);
  });

  it('the cycle finder finds a cycle (checked on a folder that has one)', () => {
    // Self-check on this repository's own history would be brittle; a cycle in two lines of source is not.
    const dir = join(process.cwd(), 'test/fixtures/import-cycle');
    expect(importCycles(dir).map((c) => c.join(' → '))).to.deep.equal(['a.ts → b.ts → a.ts', 'a.ts → c.ts → a.ts']);
  });
});
