import { describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../../../local/aws/eventbridge';
import { invalidTransformer, transformInput } from '../../../../local/aws/eventbridge/input-transformer';

const event: EventBridgeEvent = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'CalendarEntryCreated',
  source: 'charterflow.calendar',
  account: '000000000000',
  time: '2026-12-05T17:00:00Z',
  region: 'us-west-2',
  resources: [],
  detail: {
    metadata: { bookingId: 'XHQGMDH' },
    data: { partySize: 6, crew: ['captain', 'deckhand'], boat: { name: 'JADA' } },
  },
};
const context = {
  ruleArn: 'arn:aws:events:us-west-2:000000000000:rule/charterflow-local/charterflow-local-crew',
  ingestedAt: Date.parse('2026-12-05T17:00:01Z'),
};
const paths = {
  booking: '$.detail.metadata.bookingId',
  party: '$.detail.data.partySize',
  boat: '$.detail.data.boat',
  first: '$.detail.data.crew[0]',
  missing: '$.detail.nothing.here',
};

// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
describe('InputTransformer', () => {
  it.each([
    ['a bare string placeholder becomes a JSON string', '{"b": <booking>}', { b: 'XHQGMDH' }],
    ['a bare number placeholder stays a number', '{"p": <party>}', { p: 6 }],
    [
      'a quoted placeholder is text inside the string',
      '{"line": "Booking <booking> for <party>"}',
      { line: 'Booking XHQGMDH for 6' },
    ],
    ['a bare object placeholder is the object', '{"boat": <boat>}', { boat: { name: 'JADA' } }],
    ['an object inside a string is its JSON text', '{"s": "boat <boat>"}', { s: 'boat {"name":"JADA"}' }],
    ['an array index picks the element', '{"first": <first>}', { first: 'captain' }],
    ['a missing path is null bare and empty quoted', '{"n": <missing>, "s": "[<missing>]"}', { n: null, s: '[]' }],
    ['a quote inside a value stays valid JSON', '{"s": "<booking> says \\"hi\\""}', { s: 'XHQGMDH says "hi"' }],
    [
      'the rule name and ARN are predefined',
      '{"name": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>}',
      { name: 'charterflow-local-crew', arn: context.ruleArn },
    ],
    ['the whole event is predefined', '{"e": <aws.events.event>}', { e: event }],
    [
      'the ingestion time is predefined',
      '{"t": "<aws.events.event.ingestion-time>"}',
      { t: '2026-12-05T17:00:01.000Z' },
    ],
    ['a text template gives text', '<booking> is booked for <party> on <first>', 'XHQGMDH is booked for 6 on captain'],
    ['an unknown placeholder is left as written', '<unknown> <booking>', '<unknown> XHQGMDH'],
  ])('%s', (_, template, expected) => {
    expect(transformInput({ InputPathsMap: paths, InputTemplate: template }, event, context)).toEqual(expected);
  });

  it.each([
    ['an empty template', { InputTemplate: '' }],
    ['a key starting with aws.', { InputPathsMap: { 'aws.mine': '$.detail' }, InputTemplate: '<aws.mine>' }],
    ['a key with a space', { InputPathsMap: { 'my key': '$.detail' }, InputTemplate: 'x' }],
    ['a path in bracket notation', { InputPathsMap: { k: "$['detail']" }, InputTemplate: 'x' }],
    [
      'more than 100 paths',
      {
        InputPathsMap: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, '$.detail'])),
        InputTemplate: 'x',
      },
    ],
  ])('refuses %s', (_, transformer) => {
    expect(invalidTransformer(transformer)).toBeTruthy();
  });

  it('accepts paths with dashes, slashes and indices', () => {
    expect(
      invalidTransformer({
        InputPathsMap: { t: '$.detail-type', r: '$.resources[0]', s: '$.detail.a/b' },
        InputTemplate: '<t>',
      }),
    ).toBeUndefined();
  });
});
