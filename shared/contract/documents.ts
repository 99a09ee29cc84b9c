import { z } from 'zod';
import { BoatsetterWebhookPayload } from './boatsetter';
import { eventCatalog, SCHEMA_VERSION } from './events';

/** A JSON Schema file of the contract, as generated from its zod schema. */
export interface ContractDocument {
  name: string;
  /** Path of the generated file, relative to the project root. */
  path: string;
  /** Folder of the released versions: `${releasedDir}/v${major}.json`. */
  releasedDir: string;
  major: number;
  schema: z.ZodType;
}

const eventsMajor = Number(SCHEMA_VERSION.split('.')[0]);

export const contractDocuments: ContractDocument[] = [
  ...Object.entries(eventCatalog).map(([name, { schema }]) => ({
    name,
    path: `schemas/events/${name}.json`,
    releasedDir: `schemas/events/${name}`,
    major: eventsMajor,
    schema,
  })),
  {
    name: 'BoatsetterWebhookPayload',
    path: 'schemas/webhooks/BoatsetterWebhookPayload.json',
    releasedDir: 'schemas/webhooks/BoatsetterWebhookPayload',
    major: 1,
    schema: BoatsetterWebhookPayload,
  },
];

/** The JSON Schema (draft 2020-12) text of a document, exactly as committed under schemas/. */
export function renderJsonSchema(document: ContractDocument): string {
  const json = z.toJSONSchema(document.schema, { target: 'draft-2020-12', io: 'input' });
  return `${JSON.stringify({ $id: `charterflow:${document.path}`, ...json }, null, 2)}\n`;
}
