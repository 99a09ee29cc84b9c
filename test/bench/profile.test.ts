import { describe, expect, it } from 'vitest';
import { sourceOf, summarizeProfile } from '../../bench/profile';

describe('a CPU profile summary', () => {
  it('names where each frame comes from: a package, Node, our own folders, V8', () => {
    expect(sourceOf('file:///repo/node_modules/@smithy/core/dist-cjs/index.js', 'send')).toBe('@smithy/core');
    expect(sourceOf('file:///repo/node_modules/dynalite/db/index.js', 'get')).toBe('dynalite');
    expect(sourceOf('node:internal/streams/readable', 'read')).toBe('node (internals)');
    expect(sourceOf('node:_http_client', 'ClientRequest')).toBe('node:_http_client');
    expect(sourceOf('file:///repo/shared/revisions.ts', 'apply')).toBe('shared/revisions.ts');
    expect(sourceOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(sourceOf('', '')).toBe('(native)');
  });

  it('adds up self time by source and by function, largest first, with shares of the busy time, idle apart, the profiler left out', () => {
    const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });
    const summary = summarizeProfile({
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('parse', 'file:///r/node_modules/dynalite/db/parser.js', 9) },
        { id: 3, callFrame: frame('apply', 'file:///r/shared/revisions.ts', 41) },
        { id: 4, callFrame: frame('dispatch', '') },
        { id: 5, callFrame: frame('(idle)', '') },
      ],
      samples: [4, 2, 3, 5, 2, 2],
      timeDeltas: [150_000, 1000, 2000, 7000, 3000, 4000],
    });
    expect(summary.busyMs).toBe(10);
    expect(summary.idleMs).toBe(7);
    expect(summary.bySource).toEqual([
      { name: 'dynalite', ms: 8, share: 0.8 },
      { name: 'shared/revisions.ts', ms: 2, share: 0.2 },
    ]);
    expect(summary.byFunction[0]).toEqual({ name: 'parse dynalite:10', ms: 8, share: 0.8 });
  });
});
