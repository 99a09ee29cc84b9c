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

// Lambda hands a function its role's credentials in environment variables (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first link of the SDK's default chain. The rest of the chain
// (SSO, shared ini files, web identity, container and instance metadata, with the STS and SSO clients they
// pull in) can never run there, yet every client's default config imports it. In the bundles only, the
// default provider is the environment one; the CLI and the local stack keep the full chain.
const environmentCredentialsOnly = {
  name: 'lambda-environment-credentials-only',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: 'lambda-environment-credentials',
      namespace: 'charterflow',
    }));
    build.onLoad({ filter: /^lambda-environment-credentials$/, namespace: 'charterflow' }, () => ({
      contents:
        'import { fromEnv } from "@aws-sdk/credential-provider-env";\n' +
        'export const defaultProvider = (init = {}) => fromEnv(init);',
      loader: 'js',
      resolveDir: __dirname,
    }));
  },
};

// Event streams (S3 Select, Lambda response streams, Bedrock...) are set up by some clients and carried by
// every one through the protocol's dynamic import: ~15 KB a bundle. No operation we call streams events;
// should one ever, it fails loudly with this message rather than misbehaving.
const noEventStreams = {
  name: 'no-event-streams',
  setup(build) {
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () => ({ path: 'no-event-streams', namespace: 'charterflow' }));
    build.onLoad({ filter: /^no-event-streams$/, namespace: 'charterflow' }, () => ({
      contents: [
        'const unsupported = () => { throw new Error("event streams are not bundled in charterflow Lambdas (deploy/esbuild-plugins.cjs)"); };',
        'export const eventStreamSerdeProvider = () => ({ serialize: unsupported, deserialize: unsupported });',
        'export const resolveEventStreamSerdeConfig = (input) => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });',
        'export class EventStreamSerde { constructor() { unsupported(); } }',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

// Each client imports its whole package.json for one field, its version (in the user agent): ~2 KB a client.
const sdkPackageVersionOnly = {
  name: 'sdk-package-version-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, (args) => {
      const { name, version } = JSON.parse(require('node:fs').readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

module.exports = [englishOnlyZodLocales, environmentCredentialsOnly, noEventStreams, sdkPackageVersionOnly];
