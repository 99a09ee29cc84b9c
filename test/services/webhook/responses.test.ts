import { describe, expect, it } from 'vitest';
import { isJsonContentType } from '../../../services/webhook/responses';

describe('which content types are JSON', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/cloudevents+json'])(
    '%s is accepted',
    (value) => expect(isJsonContentType(value)).toBe(true),
  );
  it.each([
    undefined,
    '',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'application/jsonp',
  ])('%s is refused', (value) => expect(isJsonContentType(value)).toBe(false));
});
