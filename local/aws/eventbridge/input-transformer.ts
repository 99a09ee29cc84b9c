import type { EventBridgeEvent, InputTransformer } from './model';

/**
 * A target's InputTransformer: values picked from the event by InputPathsMap, put into InputTemplate where
 * its <placeholders> are. Inside a JSON string a value goes in as text; elsewhere as JSON (a string quoted,
 * a missing value null). A template that is not JSON gives plain text.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
 */

export interface TransformContext {
  ruleArn: string;
  ingestedAt: number;
}

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;
const KEY = /^[A-Za-z0-9_-]+$/;
const PATH = /^\$(\.[A-Za-z0-9_/-]+(\[\d+\])*)*$/;

/** Why the transformer is invalid, as PutTargets words it; undefined when valid. */
export function invalidTransformer(transformer: Partial<InputTransformer>): string | undefined {
  if (
    typeof transformer.InputTemplate !== 'string' ||
    transformer.InputTemplate.length < 1 ||
    transformer.InputTemplate.length > 8192
  )
    return 'InputTemplate must be a string of 1 to 8192 characters.';
  const paths = transformer.InputPathsMap ?? {};
  if (Object.keys(paths).length > 100) return 'InputPathsMap can hold at most 100 entries.';
  for (const [key, path] of Object.entries(paths)) {
    if (!KEY.test(key) || key.toLowerCase().startsWith('aws.')) return `InputPathsMap key ${key} is not valid.`;
    if (typeof path !== 'string' || !PATH.test(path))
      return `InputPathsMap value ${String(path)} is not a valid JSON path.`;
  }
  return undefined;
}

export function transformInput(
  transformer: InputTransformer,
  event: EventBridgeEvent,
  context: TransformContext,
): unknown {
  const values = new Map<string, unknown>();
  for (const [key, path] of Object.entries(transformer.InputPathsMap ?? {})) values.set(key, valueAt(event, path));
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.rule-name', context.ruleArn.slice(context.ruleArn.lastIndexOf('/') + 1));
  values.set('aws.events.event.ingestion-time', new Date(context.ingestedAt).toISOString());
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);

  const template = transformer.InputTemplate;
  const looksLikeJson = /^\s*[{[]/.test(template);
  let out = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!values.has(name)) continue;
    const before = template.slice(last, match.index);
    out += before;
    const value = values.get(name);
    const inString = looksLikeJson ? insideJsonString(template.slice(0, match.index)) : true;
    if (!inString) out += value === undefined ? 'null' : JSON.stringify(value);
    else {
      const text =
        value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
      out += looksLikeJson ? JSON.stringify(text).slice(1, -1) : text;
    }
    last = match.index + match[0].length;
  }
  out += template.slice(last);
  if (!looksLikeJson) return out;
  try {
    return JSON.parse(out) as unknown;
  } catch {
    return out;
  }
}

/** Whether the end of `prefix` lies inside a JSON string literal. */
function insideJsonString(prefix: string): boolean {
  let inside = false;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix[i];
    if (inside && c === '\\') i++;
    else if (c === '"') inside = !inside;
  }
  return inside;
}

function valueAt(event: unknown, path: string): unknown {
  let value: unknown = event;
  for (const segment of path
    .replace(/^\$\.?/, '')
    .split(/\.|(?=\[)/)
    .filter(Boolean)) {
    const index = /^\[(\d+)\]$/.exec(segment);
    if (value === null || typeof value !== 'object') return undefined;
    value = index ? (value as unknown[])[Number(index[1])] : (value as Record<string, unknown>)[segment];
  }
  return value;
}
