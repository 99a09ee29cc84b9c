import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServiceDeclaration } from '../shared/declaration';
import type { ServiceAccess } from '../shared/access';

/**
 * The services are the folders under services/ that hold a declaration.ts and a handler.ts: no central
 * list. The deploy config, the local stack, the graph, the operator's commands and the bench all find them
 * here, so what runs locally is what deploys.
 */
export interface DiscoveredService {
  /** Folder name; equals declaration.name. */
  name: string;
  /** Absolute path of the service folder. */
  dir: string;
  /** Project-relative handler module without extension, as serverless.yml wants it. */
  handlerModule: string;
  declaration: ServiceDeclaration;
  access: ServiceAccess;
}

/** The checkout this module belongs to, so discovery does not depend on the directory a command runs in. */
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export function serviceFolders(root = projectRoot): string[] {
  const services = join(root, 'services');
  if (!existsSync(services)) return [];
  return readdirSync(services, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => ['declaration.ts', 'handler.ts'].every((file) => existsSync(join(services, name, file))))
    .sort();
}

export async function discoverServices(root = projectRoot): Promise<DiscoveredService[]> {
  const found: DiscoveredService[] = [];
  for (const name of serviceFolders(root)) {
    const folder = resolve(root, 'services', name);
    const { declaration } = (await import(pathToFileURL(join(folder, 'declaration.ts')).href)) as {
      declaration?: ServiceDeclaration;
    };
    if (!declaration) throw new Error(`services/${name}/declaration.ts does not export \`declaration\``);
    if (declaration.name !== name) {
      throw new Error(`services/${name}/declaration.ts declares name "${declaration.name}"; it must be "${name}"`);
    }
    const accessFile = join(folder, 'access.ts');
    const access = existsSync(accessFile)
      ? ((await import(pathToFileURL(accessFile).href)) as { access: ServiceAccess }).access
      : {};
    found.push({ name, dir: folder, handlerModule: `services/${name}/handler`, declaration, access });
  }
  return found;
}
