'use strict';
// esbuild plugins for the Lambda bundles (serverless.yml custom.esbuild.plugins).
//
// zod 4 re-exports every error-message locale through its `z` namespace (`z.locales`), which esbuild
// cannot drop: ~260 KB minified in every bundle for about forty languages we never load. Our error
// messages are English (zod's default, configured by zod itself from locales/en), so the bundles get
// a locales module that holds English only.
const englishOnlyZodLocales = {
  name: 'zod-english-only-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: undefined,
    }));
  },
};

module.exports = [englishOnlyZodLocales];
