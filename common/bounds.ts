/**
 * Size checks that run before schema validation. Validating a hostile structure costs per element, and every
 * element can add an issue: a polygon of 150 k bad points overflowed the stack, a heatmap of 1 M bad counts
 * stalled the hub for seconds and wrote a 53 MB log line. So lengths are judged first, by an iterative walk
 * with a node budget (a recursive walk is what hostile nesting would overflow).
 */

/**
 * Where the first array longer than `maxItems` is (dotted path, as zod writes paths), or null. Past `maxNodes`
 * objects and arrays in all, the walk stops and reports the whole value (path "(root)", length = nodes seen).
 */
export function oversizedArray(value: unknown, maxItems: number, maxNodes = 1_000_000): { path: string; length: number } | null {
  const stack: [unknown, string][] = [[value, '']];
  let nodes = 0;
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (++nodes > maxNodes) return { path: '(root)', length: nodes };
    if (Array.isArray(v)) {
      if (v.length > maxItems) return { path: path || '(root)', length: v.length };
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], path ? `${path}.${i}` : String(i)]);
    } else {
      for (const [k, child] of Object.entries(v)) stack.push([child, path ? `${path}.${k}` : k]);
    }
  }
  return null;
}

/** Longest message an error or one log field carries; the rest is counted, not kept. */
export const MAX_MESSAGE_CHARS = 2000;

export function truncate(s: string, max = MAX_MESSAGE_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}
