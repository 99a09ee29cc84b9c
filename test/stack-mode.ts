import { inject } from 'vitest';
import type { StackOptions } from '../local/charterflow/stack';

/**
 * Which stack a test file runs against: the packaged artifact in the `packaged` lane (vitest.config.ts), the
 * sources otherwise. Test helpers spread this into their startStack options.
 */
export function stackMode(): Pick<StackOptions, 'packageDir'> {
  return process.env.CHARTERFLOW_TEST_STACK === 'packaged' ? { packageDir: inject('packageDir') } : {};
}

export const isPackaged = () => process.env.CHARTERFLOW_TEST_STACK === 'packaged';
