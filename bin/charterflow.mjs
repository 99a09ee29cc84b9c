#!/usr/bin/env node
// `npx charterflow <command>`: the CLI is TypeScript; tsx's loader runs it in this process (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
