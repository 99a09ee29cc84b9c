'use strict';
const path = require('node:path');

// The layers, bottom to top: shared < services < deploy < cli < local < bench, with test/ on top of all.
// samples/ (the realistic bookings) sits on shared/ alone, for cli, local, bench and the tests; scripts/ may
// import anything but test/; bin/ starts the CLI. A layer imports only layers below it, so what both the
// operator's commands and the tests need lives low enough for both. `npm run lint` runs this after Biome.
//
// Type-only imports count, for the layers and for cycles alike: a type is as much a dependency of the reader
// as a value, and with verbatimModuleSyntax off whether TypeScript keeps an import depends on how its names are
// used, not on how it is written, so "type-only" would be a property that changes without the import changing.

/** Folders a layer must not import (test/ has its own rule below). */
const above = {
  shared: ['services', 'deploy', 'cli', 'local', 'bench', 'samples', 'scripts', 'bin'],
  services: ['deploy', 'cli', 'local', 'bench', 'samples', 'scripts', 'bin'],
  deploy: ['cli', 'local', 'bench', 'samples', 'scripts', 'bin'],
  samples: ['services', 'deploy', 'cli', 'local', 'bench', 'scripts', 'bin'],
  cli: ['local', 'bench', 'scripts', 'bin'],
  bin: ['local', 'bench', 'scripts'],
  local: ['bench', 'scripts', 'bin'],
  bench: ['scripts', 'bin'],
};

const layerRules = Object.entries(above).map(([layer, forbidden]) => ({
  name: `${layer}-imports-down`,
  comment: `${layer}/ imports only the layers below it, never ${forbidden.join(', ')}`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: `^(${forbidden.join('|')})/` },
}));

// Inside local/: the AWS emulation knows AWS alone, the stand-ins know only the systems they stand in for, the
// Lambda runtime knows neither charterflow's wiring nor the stand-ins; the wiring (local/charterflow/) and
// local/main.ts put them together. local/listen.ts, a bare HTTP listener, is below all of them.
const localWalls = {
  aws: ['charterflow', 'stand-ins', 'lambda', 'main'],
  'stand-ins': ['aws', 'lambda', 'charterflow', 'main'],
  lambda: ['charterflow', 'stand-ins', 'main'],
};

const localRules = Object.entries(localWalls).map(([part, forbidden]) => ({
  name: `local-${part}-walled`,
  comment: `local/${part}/ never imports local/${forbidden.join(', local/')}`,
  severity: 'error',
  from: { path: `^local/${part}/` },
  to: { path: `^local/(${forbidden.join('|')})([.]ts$|/)` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    ...localRules,
    {
      name: 'no-test-imports-outside-test',
      comment: 'shipped code never imports test/: what it shares with the tests lives below both (samples/, shared/)',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles: move the shared type or constant down into a module both import',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // `depcruise .` from the project's root: not the dependencies, not the build and run output (.esbuild,
    // .serverless, .charterflow, test-output), and not the fixtures of test/lint, which break these rules on purpose.
    exclude: { path: ['^node_modules/', '^[.]', '/[.]', '^test-output/', '^test/fixtures/'] },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // The project's compiler options, also when test/lint runs this configuration on a fixture tree elsewhere.
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
