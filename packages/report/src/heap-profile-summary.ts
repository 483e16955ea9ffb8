/**
 * Summary of a V8 sampling heap profile (`.heapprofile`, the `HeapProfiler.stopSampling` result
 * that Chrome DevTools opens): the functions that allocated the most of what was still live at the
 * end of sampling, by self size. Memory: walks the node tree once, iteratively.
 */
export interface AllocationSite {
  readonly functionName: string;
  readonly url: string;
  /** 1-based line, or 0 when unknown. */
  readonly line: number;
  readonly selfBytes: number;
}

interface ProfileNode {
  callFrame?: { functionName?: string; url?: string; lineNumber?: number };
  selfSize?: number;
  children?: ProfileNode[];
}

export interface TopAllocationsOptions {
  readonly limit?: number;
  /** Leave out Node's own frames (`node:` URLs) and frames with no script (default true): the full profile has them. */
  readonly applicationOnly?: boolean;
}

/** Top allocation sites; throws TypeError when `profile` is not a heap profile. */
export function topAllocations(profile: unknown, opts: TopAllocationsOptions = {}): AllocationSite[] {
  const limit = opts.limit ?? 15;
  const appOnly = opts.applicationOnly ?? true;
  const head = (profile as { head?: ProfileNode } | null)?.head;
  if (typeof head !== 'object' || head === null) throw new TypeError('expected a V8 sampling heap profile with a "head" node');
  const sites = new Map<string, { functionName: string; url: string; line: number; selfBytes: number }>();
  const stack: ProfileNode[] = [head];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const size = typeof n.selfSize === 'number' ? n.selfSize : 0;
    const url0 = n.callFrame?.url ?? '';
    if (size > 0 && (!appOnly || (url0 !== '' && !url0.startsWith('node:')))) {
      const cf = n.callFrame ?? {};
      const functionName = cf.functionName || '(anonymous)';
      const url = cf.url ?? '';
      const line = typeof cf.lineNumber === 'number' && cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0;
      const key = `${functionName}\u0000${url}\u0000${line}`;
      const site = sites.get(key);
      if (site === undefined) sites.set(key, { functionName, url, line, selfBytes: size });
      else site.selfBytes += size;
    }
    if (Array.isArray(n.children)) for (const c of n.children) stack.push(c);
  }
  return [...sites.values()].sort((a, b) => b.selfBytes - a.selfBytes).slice(0, limit);
}
