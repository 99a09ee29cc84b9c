import { AwsError } from '../service';

/** Reading request members with AWS's wording for what is missing or malformed. */

export type Input = Record<string, unknown>;

export function validation(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

export function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`Parameter ${member} is not valid. Reason: it must be a string.`);
  return value;
}

export function requiredString(input: Input, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined || value === '')
    throw validation(
      `1 validation error detected: Value null at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

export function optionalNumber(input: Input, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw validation(`Parameter ${member} is not valid. Reason: it must be a number.`);
  return value;
}

export function optionalArray<T = unknown>(input: Input, member: string): T[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw validation(`Parameter ${member} is not valid. Reason: it must be a list.`);
  return value as T[];
}

const NAME = /^[.\-_A-Za-z0-9]+$/;

/** Rule, archive and replay names: 1..64 of [.-_A-Za-z0-9] (archives and replays allow 48). */
export function checkName(member: string, value: string, max = 64): void {
  if (value.length > max || !NAME.test(value))
    throw validation(
      `1 validation error detected: Value '${value}' at '${lowerFirst(member)}' failed to satisfy constraint: ` +
        `Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length less than or equal to ${max}`,
    );
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Opaque pagination: NextToken is the offset into the (sorted) listing. */
export function page<T>(items: readonly T[], input: Input): { items: T[]; nextToken?: string } {
  const limit = optionalNumber(input, 'Limit') ?? 100;
  const token = optionalString(input, 'NextToken');
  const start = token ? Number.parseInt(Buffer.from(token, 'base64').toString('utf8'), 10) : 0;
  if (!Number.isInteger(start) || start < 0) throw validation('The NextToken is not valid.');
  const end = start + Math.max(1, limit);
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64') } : {}),
  };
}
