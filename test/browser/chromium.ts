import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import chromium from '@sparticuz/chromium';

/**
 * Chromium from npm: @sparticuz/chromium carries a brotli-packed headless Chromium for Linux x64, so the browser
 * test needs nothing but `npm ci`. It links only glibc and the NSS/expat libraries the package ships beside it,
 * which a bare Node machine (node:20-slim) lacks; the browser runs with those on LD_LIBRARY_PATH.
 */
export interface NpmChromium {
  executablePath: string;
  /** The environment to launch it with: the shipped libraries and fonts. */
  env: Record<string, string>;
}

const packageRoot = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..');
const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Unpacks once per package version into the temp directory (about 2 s and 200 MB), then reuses it.
 * CHARTERFLOW_CHROMIUM names another Chromium or Chrome binary instead, for machines other than Linux x64.
 */
export async function npmChromium(): Promise<NpmChromium> {
  const own = process.env.CHARTERFLOW_CHROMIUM;
  if (own) return { executablePath: own, env: process.env as Record<string, string> };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `@sparticuz/chromium carries Chromium for Linux x64 only, not ${process.platform} ${process.arch}: ` +
        'set CHARTERFLOW_CHROMIUM to a Chromium or Chrome binary',
    );
  }
  const dir = join(tmpdir(), `charterflow-chromium-${version}`);
  if (!existsSync(join(dir, 'chromium'))) await unpack(dir);
  const executablePath = join(dir, 'chromium');
  return {
    executablePath,
    env: {
      ...(process.env as Record<string, string>),
      LD_LIBRARY_PATH: [join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: join(dir, 'fonts.conf'),
    },
  };
}

/**
 * The package unpacks into os.tmpdir() and adds its libraries only when it believes it runs on Lambda's Amazon
 * Linux 2023; both are read when executablePath() is called, so they are set for that call alone. It unpacks
 * into a fresh directory that is then renamed into place, so two test runs at once never see half a binary.
 */
async function unpack(dir: string): Promise<void> {
  const staging = mkdtempSync(`${dir}-`);
  const saved = { TMPDIR: process.env.TMPDIR, AWS_LAMBDA_JS_RUNTIME: process.env.AWS_LAMBDA_JS_RUNTIME };
  process.env.TMPDIR = staging;
  process.env.AWS_LAMBDA_JS_RUNTIME = 'nodejs20.x';
  try {
    const unpacked = await chromium.executablePath(join(packageRoot, 'bin'));
    if (unpacked !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}`);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  // The package's own fonts.conf names Lambda's directories; this one names where the fonts are, and only them,
  // so the page renders alike on every machine.
  writeFileSync(
    join(staging, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  );
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another run renamed its copy first; use that one.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'chromium'))) throw error;
  }
}
