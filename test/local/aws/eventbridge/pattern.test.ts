import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
} from '../../../../local/aws/eventbridge/pattern';
import { eventBridgeEvent, invalidPatternCases, patternCases } from './pattern-cases';

const patternText = (pattern: unknown): string => (typeof pattern === 'string' ? pattern : JSON.stringify(pattern));

describe('event pattern cases from the EventBridge user guide and charterflow rules', () => {
  it('has a large, balanced table with unique names', () => {
    expect(patternCases.length).toBeGreaterThanOrEqual(170);
    const matching = patternCases.filter((c) => c.matches).length;
    expect(matching / patternCases.length).toBeGreaterThan(0.35);
    expect(matching / patternCases.length).toBeLessThan(0.65);
    expect(new Set(patternCases.map((c) => c.name)).size).toBe(patternCases.length);
    expect(invalidPatternCases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(patternCases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const compiled = parseEventPattern(JSON.stringify(testCase.pattern));
    expect(matchesEventPattern(compiled, testCase.event)).toBe(testCase.matches);
  });
});

describe('invalid event patterns are rejected like EventBridge rejects them', () => {
  it.each(invalidPatternCases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    let caught: unknown;
    try {
      parseEventPattern(patternText(testCase.pattern));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    const error = caught as InvalidEventPatternError;
    expect(error.code).toBe('InvalidEventPatternException');
    expect(error.message).toMatch(/^Event pattern is not valid\. Reason: /);
    if (testCase.reason) expect(error.message).toMatch(testCase.reason);
  });
});

describe('matching details', () => {
  it('keeps the later of two duplicate keys, as EventBridge reads the pattern text', () => {
    const compiled = parseEventPattern(
      '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}',
    );
    const at = (location: string) =>
      eventBridgeEvent({ source: 'com.example.app', detailType: 'Example Event', detail: { location } });
    expect(matchesEventPattern(compiled, at('eu-central-1'))).toBe(true);
    expect(matchesEventPattern(compiled, at('us-east'))).toBe(false);
  });

  it('compares numbers written differently in the pattern text by value', () => {
    const compiled = parseEventPattern('{"detail": {"limit": [3.0e2], "ratio": [{"numeric": ["=", 5E-1]}]}}');
    const event = eventBridgeEvent({ source: 'a', detailType: 'b', detail: { limit: 300, ratio: 0.5 } });
    expect(matchesEventPattern(compiled, event)).toBe(true);
  });

  it('does not match something that is not an event object', () => {
    const compiled = parseEventPattern('{"source": [{"exists": false}]}');
    expect(matchesEventPattern(compiled, null)).toBe(false);
    expect(matchesEventPattern(compiled, 'source')).toBe(false);
    expect(matchesEventPattern(compiled, [])).toBe(false);
    expect(matchesEventPattern(compiled, {})).toBe(true);
  });

  it('rejects a pattern nested deeper than the reader allows', () => {
    const deep = `${'{"a":'.repeat(150)}["x"]${'}'.repeat(150)}`;
    expect(() => parseEventPattern(deep)).toThrow(InvalidEventPatternError);
  });
});

// Properties over generated events: keys avoid dots and "$or" so the pattern built from them reads back as written.
const key = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/);
const leaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
  fc.boolean(),
  fc.constant(null),
);
const detail = fc.dictionary(key, fc.oneof(leaf, fc.dictionary(key, leaf, { minKeys: 1, maxKeys: 3 })), {
  minKeys: 1,
  maxKeys: 5,
});
const eventWith = (d: Record<string, unknown>) =>
  eventBridgeEvent({ source: 'charterflow.webhook', detailType: 'BookingReceived', detail: d });

/** A pattern that names every leaf of the value with its own value. */
function patternOf(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) =>
      v !== null && typeof v === 'object' ? [k, patternOf(v as Record<string, unknown>)] : [k, [v]],
    ),
  );
}

describe('properties', () => {
  it('a pattern built from an event’s own leaf values matches it', () => {
    fc.assert(
      fc.property(detail, (d) => {
        const pattern = { source: ['charterflow.webhook'], detail: patternOf(d) };
        return matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), eventWith(d));
      }),
    );
  });

  it('anything-but a value never matches that value, and matches every other value of its type', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
        fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
        (excluded, other) => {
          const compiled = parseEventPattern(JSON.stringify({ detail: { v: [{ 'anything-but': excluded }] } }));
          expect(matchesEventPattern(compiled, eventWith({ v: excluded }))).toBe(false);
          expect(matchesEventPattern(compiled, eventWith({ v: other }))).toBe(other !== excluded);
        },
      ),
    );
  });

  it('exists true and exists false disagree on every event', () => {
    fc.assert(
      fc.property(detail, key, (d, field) => {
        const present = parseEventPattern(JSON.stringify({ detail: { [field]: [{ exists: true }] } }));
        const absent = parseEventPattern(JSON.stringify({ detail: { [field]: [{ exists: false }] } }));
        const event = eventWith(d);
        return matchesEventPattern(present, event) !== matchesEventPattern(absent, event);
      }),
    );
  });

  it('a numeric range matches exactly the numbers inside it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ noNaN: true, min: -3000, max: 3000 }),
        (low, width, n) => {
          const compiled = parseEventPattern(
            JSON.stringify({ detail: { n: [{ numeric: ['>=', low, '<', low + width] }] } }),
          );
          return matchesEventPattern(compiled, eventWith({ n })) === (n >= low && n < low + width);
        },
      ),
    );
  });

  it('a wildcard made of an event value’s own pieces matches it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 6 }).filter((s) => !/[*\\]/.test(s)),
          { minLength: 1, maxLength: 4 },
        ),
        (pieces) => {
          const value = pieces.join('');
          const compiled = parseEventPattern(
            JSON.stringify({ detail: { v: [{ wildcard: pieces.join('*').replace(/\*+/g, '*') }] } }),
          );
          return matchesEventPattern(compiled, eventWith({ v: value }));
        },
      ),
    );
  });

  it('parsing never throws anything but InvalidEventPatternError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        try {
          parseEventPattern(text);
        } catch (error) {
          return error instanceof InvalidEventPatternError;
        }
        return true;
      }),
    );
  });
});
