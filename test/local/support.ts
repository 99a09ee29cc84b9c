import type { LocalStack } from '../../local/charterflow/stack';

/** SDK client config pointing at a test's own stack (its edge port is free-picked). */
export const clientConfig = (stack: LocalStack) => ({
  region: 'us-west-2',
  endpoint: stack.endpoints.aws,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
