// `npm run schemas` regenerates schemas/*.json from the zod contract; `-- --release` also freezes the
// current major of each document as schemas/<kind>/<Name>/v<major>.json (the compatibility guard's baseline).
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractDocuments, renderJsonSchema } from '../shared/contract/documents';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const release = process.argv.includes('--release');

for (const document of contractDocuments) {
  const text = renderJsonSchema(document);
  const file = join(root, document.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${document.path}`);
  if (release) {
    const released = join(root, document.releasedDir, `v${document.major}.json`);
    if (existsSync(released)) {
      console.log(`kept ${document.releasedDir}/v${document.major}.json (a released version is never rewritten)`);
      continue;
    }
    mkdirSync(dirname(released), { recursive: true });
    writeFileSync(released, text);
    console.log(`released ${document.releasedDir}/v${document.major}.json`);
  }
}
