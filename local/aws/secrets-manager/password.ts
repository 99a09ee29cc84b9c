import { randomInt } from 'node:crypto';
import { AwsError } from '../service';

/** GetRandomPassword's request, as the API declares it. */
export interface PasswordRequest {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

// The punctuation AWS draws from, as the GetRandomPassword page lists it.
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * A password as GetRandomPassword makes it: 32 characters unless told, from letters, numbers and punctuation
 * (and the space if asked), and by default at least one of each included type (the space is not a type).
 */
export function randomPassword(input: PasswordRequest): string {
  const length = input.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new AwsError('InvalidParameterException', 'PasswordLength must be between 1 and 4096.');
  }
  const excluded = new Set(input.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  const types = [
    input.ExcludeLowercase ? '' : keep('abcdefghijklmnopqrstuvwxyz'),
    input.ExcludeUppercase ? '' : keep('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    input.ExcludeNumbers ? '' : keep('0123456789'),
    input.ExcludePunctuation ? '' : keep(PUNCTUATION),
  ].filter((chars) => chars.length > 0);
  const all = types.join('') + (input.IncludeSpace && !excluded.has(' ') ? ' ' : '');
  if (!all) {
    throw new AwsError('InvalidParameterException', 'The password would have no characters: every type is excluded.');
  }
  const required = input.RequireEachIncludedType === false ? [] : types;
  if (required.length > length) {
    throw new AwsError(
      'InvalidParameterException',
      `PasswordLength ${length} is too short to include each of the ${required.length} included character types.`,
    );
  }
  const pick = (chars: string) => chars[randomInt(chars.length)] as string;
  const password = [...required.map(pick), ...Array.from({ length: length - required.length }, () => pick(all))];
  // The required characters would otherwise always come first.
  for (let i = password.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [password[i], password[j]] = [password[j] as string, password[i] as string];
  }
  return password.join('');
}
