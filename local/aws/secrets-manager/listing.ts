import { AwsError } from '../service';

/** What a ListSecrets filter can see of a secret. */
export interface Searchable {
  name: string;
  description?: string;
  tags?: { Key?: string; Value?: string }[];
}

export interface SecretsFilter {
  Key?: string;
  Values?: string[];
}

const KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'];

/** Words as AWS's free search splits them: at a lower-to-upper change, a letter/number change, or punctuation. */
const words = (text: string): string[] =>
  text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g)?.map((w) => w.toLowerCase()) ?? [];

/** The attribute values a filter key reads; a local secret has no primary Region or owning service. */
function attributes(key: string, secret: Searchable): string[] {
  const tags = secret.tags ?? [];
  switch (key) {
    case 'name':
      return [secret.name];
    case 'description':
      return secret.description ? [secret.description] : [];
    case 'tag-key':
      return tags.map((t) => t.Key ?? '');
    case 'tag-value':
      return tags.map((t) => t.Value ?? '');
    case 'all':
      return [secret.name, secret.description ?? '', ...tags.flatMap((t) => [t.Key ?? '', t.Value ?? ''])];
    default:
      return [];
  }
}

/** One value against one secret, as the Filter page says: a prefix match, case-sensitive except description and all. */
function matches(key: string, value: string, secret: Searchable): boolean {
  const seen = attributes(key, secret);
  if (key === 'all') {
    const searched = seen.flatMap(words);
    return words(value).some((w) => searched.some((s) => s.startsWith(w)));
  }
  if (key === 'description') return seen.some((a) => a.toLowerCase().startsWith(value.toLowerCase()));
  return seen.some((a) => a.startsWith(value));
}

/**
 * ListSecrets' Filters: every filter must hold; within one, any of its values matches, and a value starting
 * with ! must not match.
 */
export function checkFilters(filters: SecretsFilter[] | undefined): void {
  for (const filter of filters ?? []) {
    if (!filter.Key || !KEYS.includes(filter.Key)) {
      throw new AwsError('InvalidParameterException', `Invalid filter key: ${filter.Key ?? ''}`);
    }
    if (!filter.Values?.length || filter.Values.length > 10) {
      throw new AwsError('InvalidParameterException', 'A filter takes 1 to 10 values.');
    }
  }
}

export function passesFilters(filters: SecretsFilter[] | undefined, secret: Searchable): boolean {
  return (filters ?? []).every(({ Key, Values }) => {
    const key = Key as string;
    const wanted = (Values ?? []).filter((v) => !v.startsWith('!'));
    const refused = (Values ?? []).filter((v) => v.startsWith('!')).map((v) => v.slice(1));
    return (
      (wanted.length === 0 || wanted.some((v) => matches(key, v, secret))) &&
      !refused.some((v) => matches(key, v, secret))
    );
  });
}
