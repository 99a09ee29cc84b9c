import { readdirSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The Lambdas check events with the generated zod/mini validators; the contract's zod schemas (shared/contract's
 * events, boatsetter, booking-details) are for the generators and the tests. A handler that reaches one of them,
 * even for a constant, bundles zod's whole classic API: about 190 KB, parsed at every cold start.
 */
const handlers = readdirSync('services', { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => `services/${entry.name}/handler.ts`);

describe("no Lambda bundles zod's classic API", () => {
  it.each(handlers)('%s', async (handler) => {
    const { metafile } = await build({
      entryPoints: [handler],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const classic = Object.keys(metafile.inputs).filter((input) => input.includes('zod/v4/classic/'));
    expect(classic).toEqual([]);
  });
});
