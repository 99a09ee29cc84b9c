import { it } from 'vitest';
import type { LocalStack } from '../../../../local/charterflow/stack';
import { catalog, type ConformanceCase } from './catalog';

/**
 * One behaviour per case: the case's id names its entry in catalog.ts (service, operation, what AWS does and
 * the page that says so), and the test is named from it, so a failing case reads as the AWS behaviour broken.
 */

let running: LocalStack | undefined;
export const registered = new Set<string>();

export function useStack(stack: LocalStack | undefined): void {
  running = stack;
}

export function stack(): LocalStack {
  if (!running) throw new Error('the conformance stack is not started');
  return running;
}

export const clientConfig = () => ({
  region: 'us-west-2',
  endpoint: stack().endpoints.aws,
  credentials: { accessKeyId: 'conformance', secretAccessKey: 'conformance' },
});

export function conformance(id: string, body: () => Promise<void>, timeout?: number): void {
  const entry: ConformanceCase | undefined = catalog.find((c) => c.id === id);
  if (!entry) throw new Error(`conformance case ${id} is not in catalog.ts`);
  if (registered.has(id)) throw new Error(`conformance case ${id} is registered twice`);
  registered.add(id);
  it(`${entry.service}.${entry.operation}: ${entry.behaviour} (${entry.doc})`, body, timeout);
}

/** A refusal as the README promises it: the one message naming the service and operation. */
export const refusal = (service: string, operation: string) =>
  `not supported by charterflow local: ${service}.${operation}`;
