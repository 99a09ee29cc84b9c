'use strict';
// The bridge from serverless.yml to deploy/template.ts: osls resolves `${file(./deploy/config.cjs):functions}`
// by calling this function. tsx's ESM loader (osls loads TypeScript configs with tsx too) lets it import the
// services' TypeScript declarations as they are. `functions` and `resources` share one generation per stage.
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const generations = new Map();
let registered = false;

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const raw = await resolveVariable('self:custom.charterflow');
  const key = JSON.stringify([stage, raw]);
  if (!generations.has(key)) {
    generations.set(
      key,
      (async () => {
        if (!registered) {
          // The ESM build of the API: its CommonJS build resolves the loader path wrongly when registered.
          (await import('tsx/esm/api')).register();
          registered = true;
        }
        const { generate } = await import(pathToFileURL(path.join(__dirname, 'template.ts')).href);
        const { parseParams } = await import(pathToFileURL(path.join(__dirname, 'params.ts')).href);
        return generate(stage, parseParams(raw), path.resolve(__dirname, '..'));
      })(),
    );
  }
  return generations.get(key);
};
