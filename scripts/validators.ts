// `npm run validators`: rewrites shared/contract-validators.generated.ts from schemas/*.json (run it after
// `npm run schemas`). test/schemas/validators.test.ts fails while the committed file differs from its output.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderContractValidators, validatorsPath } from './contract-validators';

const root = fileURLToPath(new URL('..', import.meta.url));
writeFileSync(
  join(root, validatorsPath),
  renderContractValidators((path) => readFileSync(join(root, path), 'utf8')),
);
console.log(`wrote ${validatorsPath}`);
