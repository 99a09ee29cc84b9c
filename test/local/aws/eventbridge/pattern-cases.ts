/**
 * Event-pattern cases written from the EventBridge user guide (content filtering, comparison operators,
 * null values and empty strings, arrays, $or, wildcard) plus charterflow's own events. Shared by the
 * pure matcher test, the TestEventPattern API test and the live-routing test, so every case uses a
 * complete EventBridge event and nothing specific to one of them.
 */
import { bookingSnapshot, eventMetadata } from '../../../../samples';

export interface PatternCase {
  name: string;
  pattern: object;
  event: object;
  matches: boolean;
}

export interface InvalidPatternCase {
  name: string;
  pattern: unknown;
  reason?: RegExp;
}

interface EventInit {
  source: string;
  detailType: string;
  detail?: object;
  resources?: string[];
  time?: string;
}

/** A complete EventBridge event: the envelope fields get realistic defaults. */
export function eventBridgeEvent(init: EventInit): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': init.detailType,
    source: init.source,
    account: '123456789012',
    time: init.time ?? '2026-11-24T17:03:01Z',
    region: 'us-east-1',
    resources: init.resources ?? [],
    detail: init.detail ?? {},
  };
}

const EC2_DETAIL_TYPE = 'EC2 Instance State-change Notification';
const INSTANCE_ARN = 'arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0';

/** The user guide's running example: an EC2 instance state change. */
const ec2 = (detail: object = {}, init: Partial<EventInit> = {}) =>
  eventBridgeEvent({
    source: 'aws.ec2',
    detailType: EC2_DETAIL_TYPE,
    resources: [INSTANCE_ARN],
    time: '2017-10-02T16:24:49Z',
    ...init,
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'running', ...detail },
  });

/** An event of some application with the given detail (doc examples that are not EC2). */
const app = (detail: object, init: Partial<EventInit> = {}) =>
  eventBridgeEvent({ source: 'com.example.app', detailType: 'Example Event', ...init, detail });

/** charterflow's BookingReceived, as the webhook service publishes it. */
const bookingReceived = (booking: object = {}, metadata: object = {}, init: Partial<EventInit> = {}) =>
  eventBridgeEvent({
    source: 'charterflow.webhook',
    detailType: 'BookingReceived',
    ...init,
    detail: { metadata: eventMetadata(metadata), data: { booking: bookingSnapshot(booking) } },
  });

/** A booking with no captain named (the field is absent, as the contract allows). */
function withoutCaptain() {
  const event = bookingReceived();
  const booking = (event.detail as { data: { booking: Record<string, unknown> } }).data.booking;
  delete booking.captain;
  return event;
}

const crewEventCreated = (extra: object = {}) =>
  eventBridgeEvent({
    source: 'charterflow.crew',
    detailType: 'CrewEventCreated',
    detail: {
      metadata: eventMetadata({ idempotencyKey: 'XHQGMDH:r1:CrewEventCreated' }),
      data: { booking: bookingSnapshot(), calendarEntryId: 'cal_01JD8Q', sccEventId: 'scc_7731', ...extra },
    },
  });

type Row = [label: string, event: object, matches: boolean];

function group(topic: string, pattern: object, rows: Row[]): PatternCase[] {
  return rows.map(([label, event, matches]) => ({ name: `${topic}: ${label}`, pattern, event, matches }));
}

export const patternCases: PatternCase[] = [
  // Event pattern syntax: all named fields must match; values in an array are alternatives.
  ...group(
    'exact values',
    { source: ['aws.ec2'], 'detail-type': [EC2_DETAIL_TYPE], detail: { state: ['terminated'] } },
    [
      ['the terminated instance matches', ec2({ state: 'terminated' }), true],
      ['a running instance does not', ec2({ state: 'running' }), false],
      ['another source does not', ec2({ state: 'terminated' }, { source: 'aws.autoscaling' }), false],
      [
        'another detail-type does not',
        ec2({ state: 'terminated' }, { detailType: 'EC2 Spot Instance Interruption Warning' }),
        false,
      ],
      [
        'an event without detail.state does not',
        eventBridgeEvent({ source: 'aws.ec2', detailType: EC2_DETAIL_TYPE }),
        false,
      ],
      ['the value differs in letter case', ec2({ state: 'Terminated' }), false],
      ['the value has a trailing space', ec2({ state: 'terminated ' }), false],
    ],
  ),
  ...group('several values are alternatives', { source: ['aws.ec2', 'aws.fargate'] }, [
    ['first alternative', ec2(), true],
    ['second alternative', ec2({}, { source: 'aws.fargate' }), true],
    ['neither alternative', ec2({}, { source: 'aws.s3' }), false],
  ]),
  ...group('field names are case sensitive', { detail: { State: ['running'] } }, [
    ['State in the pattern, state in the event', ec2({ state: 'running' }), false],
  ]),
  ...group('fields absent from the pattern are ignored', { detail: { state: ['running'] } }, [
    ['extra fields in the event', ec2({ state: 'running', 'c-count': 5, tags: { env: 'prod' } }), true],
  ]),
  ...group('nesting must be the same', { detail: { instance: { state: ['running'] } } }, [
    ['state at another depth', ec2({ state: 'running' }), false],
    ['state at the same depth', ec2({ instance: { state: 'running' } }), true],
  ]),
  ...group('resources array in the event', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, [
    [
      'one of several resources matches',
      ec2({}, { resources: [INSTANCE_ARN, 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }),
      true,
    ],
    ['no resource matches', ec2({}, { resources: [INSTANCE_ARN] }), false],
    ['no resources at all', ec2({}, { resources: [] }), false],
  ]),
  ...group('array values in event and pattern intersect', { detail: { tags: ['blue', 'green'] } }, [
    ['one shared element', app({ tags: ['red', 'green'] }), true],
    ['no shared element', app({ tags: ['red', 'yellow'] }), false],
    ['nested arrays are flattened', app({ tags: [['red'], ['blue']] }), true],
  ]),

  // Matching null values and empty strings.
  ...group('empty string', { detail: { eventVersion: [''] } }, [
    ['empty string matches', app({ eventVersion: '', responseElements: null }), true],
    ['null is not an empty string', app({ eventVersion: null }), false],
    ['a missing field is not an empty string', app({ responseElements: null }), false],
    ['a space is not an empty string', app({ eventVersion: ' ' }), false],
  ]),
  ...group('null', { detail: { responseElements: [null] } }, [
    ['null matches', app({ eventVersion: '', responseElements: null }), true],
    ['an empty string is not null', app({ responseElements: '' }), false],
    ['the string "null" is not null', app({ responseElements: 'null' }), false],
    ['a missing field is not null', app({ eventVersion: '' }), false],
    ['an object is not null', app({ responseElements: { instanceId: 'i-1' } }), false],
  ]),
  ...group('null against an empty array', { resources: [null] }, [
    ['no resources is not null', ec2({}, { resources: [] }), false],
  ]),

  // Values keep their JSON type; numbers compare by value.
  ...group('number value', { detail: { 'c-count': [5] } }, [
    ['the same number', ec2({ 'c-count': 5 }), true],
    ['the same number written as a decimal', ec2({ 'c-count': 5.0 }), true],
    ['the number as a string', ec2({ 'c-count': '5' }), false],
    ['another number', ec2({ 'c-count': 6 }), false],
  ]),
  ...group('number normalisation', { detail: { 'x-limit': [3.018e2] } }, [
    ['3.018e2 equals 301.8', ec2({ 'x-limit': 301.8 }), true],
    ['3.018e2 is not 301.81', ec2({ 'x-limit': 301.81 }), false],
  ]),
  ...group('number 300 written as 3.0e2', { detail: { limit: [3.0e2] } }, [
    ['matches 300', app({ limit: 300 }), true],
    ['does not match 30', app({ limit: 30 }), false],
  ]),
  ...group('string value that looks like a number', { detail: { code: ['300'] } }, [
    ['the string matches', app({ code: '300' }), true],
    ['the number does not', app({ code: 300 }), false],
  ]),
  ...group('negative and fractional numbers', { detail: { delta: [-2.5] } }, [
    ['-2.5 matches', app({ delta: -2.5 }), true],
    ['2.5 does not', app({ delta: 2.5 }), false],
  ]),
  ...group('boolean true', { detail: { enabled: [true] } }, [
    ['true matches', app({ enabled: true }), true],
    ['false does not', app({ enabled: false }), false],
    ['the string "true" does not', app({ enabled: 'true' }), false],
    ['the number 1 does not', app({ enabled: 1 }), false],
  ]),
  ...group('boolean false', { detail: { enabled: [false] } }, [
    ['false matches', app({ enabled: false }), true],
    ['a missing field is not false', app({}), false],
    ['null is not false', app({ enabled: null }), false],
  ]),
  ...group('zero', { detail: { count: [0] } }, [
    ['0 matches', app({ count: 0 }), true],
    ['false is not 0', app({ count: false }), false],
  ]),

  // Prefix matching.
  ...group('prefix on time', { time: [{ prefix: '2017-10-02' }] }, [
    ['a time on that day', ec2(), true],
    ['a time on another day', ec2({}, { time: '2017-10-03T00:00:00Z' }), false],
  ]),
  ...group('prefix is case sensitive', { detail: { region: [{ prefix: 'us-' }] } }, [
    ['us-west-2 starts with us-', app({ region: 'us-west-2' }), true],
    ['US-WEST-2 does not', app({ region: 'US-WEST-2' }), false],
    ['eu-west-1 does not', app({ region: 'eu-west-1' }), false],
    ['a number does not', app({ region: 5 }), false],
  ]),
  ...group('empty prefix', { detail: { name: [{ prefix: '' }] } }, [
    ['any string', app({ name: 'anything' }), true],
    ['the empty string', app({ name: '' }), true],
    ['a number is not a string', app({ name: 12 }), false],
    ['null is not a string', app({ name: null }), false],
  ]),
  ...group('prefix on an array of strings', { resources: [{ prefix: 'arn:aws:ec2:' }] }, [
    ['one resource starts with it', ec2({}, { resources: ['arn:aws:s3:::bucket', INSTANCE_ARN] }), true],
    ['no resource starts with it', ec2({}, { resources: ['arn:aws:s3:::bucket'] }), false],
  ]),
  ...group(
    'prefix with equals-ignore-case',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    [
      ['eventbridge', app({ service: 'eventbridge' }), true],
      ['EVENTBRIDGE', app({ service: 'EVENTBRIDGE' }), true],
      ['EventBridge Pipes', app({ service: 'EventBridge Pipes' }), true],
      ['Lambda', app({ service: 'Lambda' }), false],
      ['Event (shorter than the prefix)', app({ service: 'Event' }), false],
    ],
  ),

  // Suffix matching.
  ...group('suffix', { detail: { FileName: [{ suffix: '.png' }] } }, [
    ['image.png', app({ FileName: 'image.png' }), true],
    ['image.PNG is another case', app({ FileName: 'image.PNG' }), false],
    ['image.png.bak', app({ FileName: 'image.png.bak' }), false],
    ['.png alone', app({ FileName: '.png' }), true],
  ]),
  ...group('suffix with equals-ignore-case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, [
    ['IMAGE.PNG', app({ FileName: 'IMAGE.PNG' }), true],
    ['photo.Png', app({ FileName: 'photo.Png' }), true],
    ['photo.gif', app({ FileName: 'photo.gif' }), false],
  ]),

  // Equals-ignore-case.
  ...group(
    'equals-ignore-case',
    { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    [
      ['the detail-type in its own case', ec2(), true],
      ['a shorter detail-type', ec2({}, { detailType: 'EC2 Instance State-change' }), false],
    ],
  ),
  ...group('equals-ignore-case on a detail field', { detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, [
    ['running', ec2({ state: 'running' }), true],
    ['Running', ec2({ state: 'Running' }), true],
    ['stopped', ec2({ state: 'stopped' }), false],
    ['a number', ec2({ state: 1 }), false],
  ]),

  // Anything-but.
  ...group('anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, [
    ['running', ec2({ state: 'running' }), true],
    ['initializing', ec2({ state: 'initializing' }), false],
    ['a missing field', eventBridgeEvent({ source: 'aws.ec2', detailType: EC2_DETAIL_TYPE }), false],
    ['null is anything but the string', ec2({ state: null }), true],
    ['a number is anything but the string', ec2({ state: 3 }), true],
    ['another case of the string', ec2({ state: 'INITIALIZING' }), true],
    ['an array holding another value as well', ec2({ state: ['initializing', 'running'] }), true],
    ['an array holding only that value', ec2({ state: ['initializing'] }), false],
  ]),
  ...group('anything-but a number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, [
    ['301.8', ec2({ 'x-limit': 301.8 }), true],
    ['123', ec2({ 'x-limit': 123 }), false],
    ['123.0', ec2({ 'x-limit': 123.0 }), false],
    ['the string "123"', ec2({ 'x-limit': '123' }), true],
  ]),
  ...group('anything-but zero', { detail: { 'x-limit': [{ 'anything-but': 0 }] } }, [
    ['789', ec2({ 'x-limit': 789 }), true],
    ['0', ec2({ 'x-limit': 0 }), false],
  ]),
  ...group('anything-but a list of strings', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, [
    ['running', ec2({ state: 'running' }), true],
    ['stopped', ec2({ state: 'stopped' }), false],
    ['overloaded', ec2({ state: 'overloaded' }), false],
  ]),
  ...group('anything-but a list of numbers', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, [
    ['150', ec2({ 'x-limit': 150 }), true],
    ['200', ec2({ 'x-limit': 200 }), false],
    ['3e2', ec2({ 'x-limit': 3e2 }), false],
  ]),
  ...group('anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, [
    ['running', ec2({ state: 'running' }), true],
    ['initializing', ec2({ state: 'initializing' }), false],
    ['init', ec2({ state: 'init' }), false],
    ['post-init', ec2({ state: 'post-init' }), true],
    ['a number', ec2({ state: 42 }), true],
  ]),
  ...group('anything-but prefix list', { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } }, [
    ['error-retry', ec2({ state: 'error-retry' }), false],
    ['running', ec2({ state: 'running' }), true],
  ]),
  ...group('anything-but prefix on region', { detail: { awsRegion: [{ 'anything-but': { prefix: 'us-' } }] } }, [
    ['eu-central-1', app({ awsRegion: 'eu-central-1' }), true],
    ['us-east-1', app({ awsRegion: 'us-east-1' }), false],
  ]),
  ...group('anything-but suffix', { detail: { 'instance-id': [{ 'anything-but': { suffix: '1234' } }] } }, [
    ['i-0000001234', ec2({ 'instance-id': 'i-0000001234' }), false],
    ['i-0000005678', ec2({ 'instance-id': 'i-0000005678' }), true],
  ]),
  ...group('anything-but suffix list', { detail: { FileName: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] } }, [
    ['report.pdf', app({ FileName: 'report.pdf' }), true],
    ['photo.jpg', app({ FileName: 'photo.jpg' }), false],
    ['photo.png', app({ FileName: 'photo.png' }), false],
  ]),
  ...group(
    'anything-but equals-ignore-case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }] } },
    [
      ['STOPPED', ec2({ state: 'STOPPED' }), false],
      ['stopped', ec2({ state: 'stopped' }), false],
      ['running', ec2({ state: 'running' }), true],
    ],
  ),
  ...group(
    'anything-but equals-ignore-case list',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    [
      ['overloaded', ec2({ state: 'overloaded' }), false],
      ['pending', ec2({ state: 'pending' }), true],
    ],
  ),
  ...group('anything-but wildcard', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, [
    ['/usr/lib/libc.so', app({ FilePath: '/usr/lib/libc.so' }), false],
    ['/usr/bin/env', app({ FilePath: '/usr/bin/env' }), true],
    ['a number', app({ FilePath: 123 }), true],
  ]),
  ...group(
    'anything-but wildcard list',
    { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] } },
    [
      ['/app/bin/server.jar', app({ FilePath: '/app/bin/server.jar' }), false],
      ['/app/bin/Main.class', app({ FilePath: '/app/bin/Main.class' }), false],
      ['/app/lib/server.jar', app({ FilePath: '/app/lib/server.jar' }), true],
    ],
  ),

  // Numeric matching.
  ...group(
    'numeric ranges from the user guide',
    {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    [
      ['all three in range', ec2({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 }), true],
      ['c-count 0 is not above 0', ec2({ 'c-count': 0, 'd-count': 3, 'x-limit': 301.8 }), false],
      ['c-count 6 is above 5', ec2({ 'c-count': 6, 'd-count': 3, 'x-limit': 301.8 }), false],
      ['d-count 10 is not below 10', ec2({ 'c-count': 1, 'd-count': 10, 'x-limit': 301.8 }), false],
      ['x-limit 301.9 is not 301.8', ec2({ 'c-count': 1, 'd-count': 3, 'x-limit': 301.9 }), false],
      ['c-count as a string', ec2({ 'c-count': '5', 'd-count': 3, 'x-limit': 301.8 }), false],
    ],
  ),
  ...group('numeric >=', { detail: { size: [{ numeric: ['>=', 1024] }] } }, [
    ['1024', app({ size: 1024 }), true],
    ['1023.999', app({ size: 1023.999 }), false],
    ['5e9', app({ size: 5e9 }), true],
  ]),
  ...group('numeric <=', { detail: { size: [{ numeric: ['<=', -1] }] } }, [
    ['-1', app({ size: -1 }), true],
    ['-0.5', app({ size: -0.5 }), false],
  ]),
  ...group('numeric >= and <', { detail: { temperature: [{ numeric: ['>=', -10.5, '<', 0] }] } }, [
    ['-10.5', app({ temperature: -10.5 }), true],
    ['-0.001', app({ temperature: -0.001 }), true],
    ['0', app({ temperature: 0 }), false],
    ['-11', app({ temperature: -11 }), false],
    ['null', app({ temperature: null }), false],
  ]),
  ...group('numeric on an array of numbers', { detail: { scores: [{ numeric: ['>', 90] }] } }, [
    ['one score above 90', app({ scores: [12, 95, 40] }), true],
    ['no score above 90', app({ scores: [12, 90, 40] }), false],
  ]),
  ...group('numeric = with a decimal', { detail: { price: [{ numeric: ['=', 301.5] }] } }, [
    ['301.5', app({ price: 301.5 }), true],
    ['3.015e2', app({ price: 3.015e2 }), true],
    ['301', app({ price: 301 }), false],
  ]),
  ...group('numeric int and float', { detail: { number: [{ numeric: ['>', 100] }] } }, [
    ['101.0', app({ number: 101.0 }), true],
    ['100.0', app({ number: 100.0 }), false],
  ]),

  // IP address matching.
  ...group('cidr IPv4', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, [
    ['10.0.0.255', ec2({ 'source-ip': '10.0.0.255' }), true],
    ['10.0.0.0', ec2({ 'source-ip': '10.0.0.0' }), true],
    ['10.0.1.0', ec2({ 'source-ip': '10.0.1.0' }), false],
    ['not an address', ec2({ 'source-ip': 'ten.zero' }), false],
    ['a number', ec2({ 'source-ip': 10 }), false],
    ['an IPv6 address', ec2({ 'source-ip': '2001:db8::1' }), false],
  ]),
  ...group('cidr IPv4 /8', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } }, [
    ['10.200.3.4', app({ sourceIPAddress: '10.200.3.4' }), true],
    ['11.0.0.1', app({ sourceIPAddress: '11.0.0.1' }), false],
  ]),
  ...group('cidr IPv6', { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } }, [
    ['2001:db8:1234:1a00::1', app({ sourceIPAddress: '2001:db8:1234:1a00::1' }), true],
    [
      '2001:0db8:1234:1a00:ffff:ffff:ffff:ffff',
      app({ sourceIPAddress: '2001:0db8:1234:1a00:ffff:ffff:ffff:ffff' }),
      true,
    ],
    ['2001:db8:1234:1a01::1', app({ sourceIPAddress: '2001:db8:1234:1a01::1' }), false],
    ['an IPv4 address', app({ sourceIPAddress: '10.0.0.1' }), false],
  ]),
  ...group('plain IP value compares as an address', { detail: { sourceIPAddress: ['2001:db8::1'] } }, [
    ['the same address written in full', app({ sourceIPAddress: '2001:0db8:0000:0000:0000:0000:0000:0001' }), true],
    ['another address', app({ sourceIPAddress: '2001:db8::2' }), false],
  ]),

  // Exists matching (leaf values only).
  ...group('exists true', { detail: { 'c-count': [{ exists: true }] } }, [
    ['a number', ec2({ 'c-count': 5 }), true],
    ['an empty string', ec2({ 'c-count': '' }), true],
    ['null still exists', ec2({ 'c-count': null }), true],
    ['a missing field', ec2(), false],
    ['an object is not a leaf', ec2({ 'c-count': { c1: 100 } }), false],
    ['an empty array has no value', ec2({ 'c-count': [] }), false],
    ['an array with a value', ec2({ 'c-count': [1] }), true],
  ]),
  ...group('exists false', { detail: { 'c-count': [{ exists: false }] } }, [
    ['a missing field', ec2(), true],
    ['a present number', ec2({ 'c-count': 5 }), false],
    ['null is present', ec2({ 'c-count': null }), false],
    ['an object is not a leaf, so the leaf is absent', ec2({ 'c-count': { c1: 100 } }), true],
    ['an empty array holds no leaf', ec2({ 'c-count': [] }), true],
  ]),
  ...group('exists true on resources', { resources: [{ exists: true }] }, [
    ['no resources', ec2({}, { resources: [] }), false],
    ['one resource', ec2({}, { resources: [INSTANCE_ARN] }), true],
  ]),
  ...group('exists false or anything-but', { detail: { color: [{ 'anything-but': ['red'] }, { exists: false }] } }, [
    ['no color', app({ size: 1 }), true],
    ['blue', app({ color: 'blue' }), true],
    ['red', app({ color: 'red' }), false],
  ]),

  // Wildcard matching.
  ...group('wildcard in the middle', { detail: { service: [{ wildcard: 'Simple*Service' }] } }, [
    ['SimpleQueueService', app({ service: 'SimpleQueueService' }), true],
    ['SimpleService (the star matches nothing)', app({ service: 'SimpleService' }), true],
    ['SimpleNotification', app({ service: 'SimpleNotification' }), false],
    ['simpleQueueService (case)', app({ service: 'simpleQueueService' }), false],
  ]),
  ...group('wildcard on a path', { detail: { FilePath: [{ wildcard: 'dir/*/file.txt' }] } }, [
    ['dir/init/file.txt', app({ FilePath: 'dir/init/file.txt' }), true],
    ['dir/a/b/file.txt (star crosses slashes)', app({ FilePath: 'dir/a/b/file.txt' }), true],
    ['dir/init/file.txt.bak', app({ FilePath: 'dir/init/file.txt.bak' }), false],
  ]),
  ...group(
    'wildcard on an ARN',
    { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
    [
      [
        'a bus in us-east-1',
        app({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/charterflow-dev' }),
        true,
      ],
      [
        'a bus in us-west-2',
        app({ EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/charterflow-dev' }),
        false,
      ],
    ],
  ),
  ...group('wildcard star alone', { detail: { name: [{ wildcard: '*' }] } }, [
    ['any string', app({ name: 'JADA' }), true],
    ['the empty string', app({ name: '' }), true],
    ['a number is not a string', app({ name: 47 }), false],
  ]),
  ...group('wildcard with several stars', { detail: { key: [{ wildcard: '*.*.png' }] } }, [
    ['a.b.png', app({ key: 'a.b.png' }), true],
    ['a.png (one dot too few)', app({ key: 'a.png' }), false],
  ]),
  ...group('wildcard escaped star', { detail: { note: [{ wildcard: 'rate\\*' }] } }, [
    ['a literal star', app({ note: 'rate*' }), true],
    ['no star', app({ note: 'rate' }), false],
    ['more after the star', app({ note: 'rate*5' }), false],
  ]),
  ...group('wildcard escaped backslash', { detail: { path: [{ wildcard: 'C:\\\\*' }] } }, [
    ['C:\\Users', app({ path: 'C:\\Users' }), true],
    ['C:/Users', app({ path: 'C:/Users' }), false],
  ]),

  // $or.
  ...group(
    '$or of two fields',
    {
      source: ['com.example.metrics'],
      detail: { $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
    },
    [
      ['first branch', app({ metricName: 'CPUUtilization' }, { source: 'com.example.metrics' }), true],
      ['second branch', app({ namespace: 'AWS/ES' }, { source: 'com.example.metrics' }), true],
      [
        'both branches',
        app({ metricName: 'ReadLatency', namespace: 'AWS/EC2' }, { source: 'com.example.metrics' }),
        true,
      ],
      ['neither branch', app({ namespace: 'AWS/S3' }, { source: 'com.example.metrics' }), false],
      ['a branch but another source', app({ metricName: 'ReadLatency' }, { source: 'com.example.app' }), false],
    ],
  ),
  ...group(
    '$or inside detail',
    {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    [
      ['c-count in range', ec2({ 'c-count': 3 }), true],
      ['d-count in range', ec2({ 'd-count': 9 }), true],
      ['x-limit equal', ec2({ 'x-limit': 301.8 }), true],
      ['none in range', ec2({ 'c-count': 30, 'd-count': 30, 'x-limit': 1 }), false],
    ],
  ),
  ...group(
    '$or with an and inside a branch',
    { detail: { $or: [{ state: ['stopped'] }, { state: ['running'], 'c-count': [{ numeric: ['>', 10] }] }] } },
    [
      ['stopped alone', ec2({ state: 'stopped' }), true],
      ['running with a high count', ec2({ state: 'running', 'c-count': 11 }), true],
      ['running with a low count', ec2({ state: 'running', 'c-count': 2 }), false],
    ],
  ),
  ...group(
    'nested $or',
    {
      source: ['com.example.metrics'],
      detail: {
        $or: [
          { metricName: ['CPUUtilization'] },
          { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
          { scope: ['Service'] },
        ],
      },
    },
    [
      ['outer first branch', app({ metricName: 'CPUUtilization' }, { source: 'com.example.metrics' }), true],
      [
        'inner branch with metricId',
        app({ metricType: 'MetricType', namespace: 'AWS/EC2', metricId: 1234 }, { source: 'com.example.metrics' }),
        true,
      ],
      [
        'inner branch with spaceId',
        app({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 }, { source: 'com.example.metrics' }),
        true,
      ],
      [
        'inner branch without either id',
        app({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 }, { source: 'com.example.metrics' }),
        false,
      ],
      ['outer last branch', app({ scope: 'Service' }, { source: 'com.example.metrics' }), true],
      ['no branch', app({ scope: 'Account' }, { source: 'com.example.metrics' }), false],
    ],
  ),
  ...group(
    'two $or side by side',
    {
      $or: [{ source: ['charterflow.webhook'] }, { source: ['charterflow.calendar'] }],
      detail: { $or: [{ status: ['ok'] }, { retried: [true] }] },
    },
    [
      ['both satisfied', app({ status: 'ok' }, { source: 'charterflow.calendar' }), true],
      ['only the first satisfied', app({ status: 'failed' }, { source: 'charterflow.webhook' }), false],
      ['only the second satisfied', app({ retried: true }, { source: 'charterflow.crew' }), false],
    ],
  ),
  ...group('$or with exists', { detail: { $or: [{ cancelledAt: [{ exists: true }] }, { status: ['cancelled'] }] } }, [
    ['has cancelledAt', app({ cancelledAt: '2026-11-25T10:00:00Z' }), true],
    ['status cancelled', app({ status: 'cancelled' }), true],
    ['neither', app({ status: 'confirmed' }), false],
  ]),
  ...group(
    '$or of numeric and anything-but',
    { detail: { $or: [{ amount: [{ numeric: ['>', 1000] }] }, { currency: [{ 'anything-but': 'USD' }] }] } },
    [
      ['a large amount', app({ amount: 1450, currency: 'USD' }), true],
      ['another currency', app({ amount: 10, currency: 'EUR' }), true],
      ['a small USD amount', app({ amount: 10, currency: 'USD' }), false],
    ],
  ),

  // Arrays of objects: matched fields must come from the same element.
  ...group('one field inside an array of objects', { detail: { employees: { firstName: ['Anna'] } } }, [
    [
      'Anna is one employee',
      app({
        employees: [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
      }),
      true,
    ],
    [
      'Anna is in a nested array',
      app({ employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] }),
      true,
    ],
    ['no Anna', app({ employees: [{ firstName: 'John' }, { firstName: 'Peter' }] }), false],
  ]),
  ...group(
    'two fields inside an array of objects',
    { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    [
      [
        'Anna and Jones in different elements',
        app({
          employees: [
            { firstName: 'Anna', lastName: 'Smith' },
            { firstName: 'Peter', lastName: 'Jones' },
          ],
        }),
        false,
      ],
      [
        'Anna Jones in one element',
        app({
          employees: [
            { firstName: 'John', lastName: 'Doe' },
            { firstName: 'Anna', lastName: 'Jones' },
          ],
        }),
        true,
      ],
    ],
  ),
  ...group('a field outside the array and one inside', { detail: { team: ['crew'], members: { role: ['captain'] } } }, [
    ['the captain is any member', app({ team: 'crew', members: [{ role: 'deckhand' }, { role: 'captain' }] }), true],
    ['no captain', app({ team: 'crew', members: [{ role: 'deckhand' }] }), false],
  ]),

  // Dots: a pattern key with a dot and nested keys name the same field.
  ...group('dotted key in the pattern', { detail: { 'state.status': ['running'] } }, [
    ['nested in the event', app({ state: { status: 'running' } }), true],
    ['another value', app({ state: { status: 'stopped' } }), false],
  ]),
  ...group('dotted key in the event', { detail: { state: { status: ['running'] } } }, [
    ['dotted in the event', app({ 'state.status': 'running' }), true],
  ]),
  ...group('dotted key one level too deep', { detail: { 'state.status': { status: ['running'] } } }, [
    ['no such field', app({ state: { status: 'running' } }), false],
  ]),

  // Several matchers for one field are alternatives, of any kind.
  ...group(
    'mixed matchers on one field',
    { detail: { value: [{ prefix: 'v' }, { numeric: ['>', 5] }, null, 'exact'] } },
    [
      ['a string with the prefix', app({ value: 'v2' }), true],
      ['a number in range', app({ value: 6 }), true],
      ['null', app({ value: null }), true],
      ['the exact string', app({ value: 'exact' }), true],
      ['none of them', app({ value: 3 }), false],
      ['a string without the prefix', app({ value: 'w2' }), false],
    ],
  ),
  ...group(
    'complex example from the user guide',
    {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    [
      ['every field fits', ec2({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33' }), true],
      ['x-limit is excluded', ec2({ 'c-count': 5, 'd-count': 3, 'x-limit': 300, 'source-ip': '10.0.0.33' }), false],
      [
        'source-ip outside the block',
        ec2({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '192.168.0.1' }),
        false,
      ],
      [
        'the state is initializing',
        ec2({ state: 'initializing', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33' }),
        false,
      ],
    ],
  ),

  // charterflow's own rules.
  ...group(
    'calendar consumes BookingReceived',
    { source: ['charterflow.webhook'], 'detail-type': ['BookingReceived'] },
    [
      ['a BookingReceived', bookingReceived(), true],
      ['a CrewEventCreated', crewEventCreated(), false],
      ['BookingReceived from another source', bookingReceived({}, {}, { source: 'charterflow.replay-tool' }), false],
      ['detail-type in another case', bookingReceived({}, {}, { detailType: 'bookingreceived' }), false],
    ],
  ),
  ...group('one booking by id', { detail: { metadata: { bookingId: ['XHQGMDH'] } } }, [
    ['that booking', bookingReceived(), true],
    ['another booking', bookingReceived({ bookingId: 'BK000001' }, { bookingId: 'BK000001' }), false],
  ]),
  ...group('bookings by id prefix', { detail: { metadata: { bookingId: [{ prefix: 'BK' }] } } }, [
    ['BK000042', bookingReceived({ bookingId: 'BK000042' }, { bookingId: 'BK000042' }), true],
    ['XHQGMDH', bookingReceived(), false],
  ]),
  ...group('large parties', { detail: { data: { booking: { partySize: [{ numeric: ['>=', 6] }] } } } }, [
    ['party of 6', bookingReceived({ partySize: 6 }), true],
    ['party of 12', bookingReceived({ partySize: 12 }), true],
    ['party of 4', bookingReceived({ partySize: 4 }), false],
  ]),
  ...group(
    'not cancelled',
    {
      'detail-type': ['BookingReceived'],
      detail: { data: { booking: { status: [{ 'anything-but': 'cancelled' }] } } },
    },
    [
      ['confirmed', bookingReceived({ status: 'confirmed' }), true],
      ['modified', bookingReceived({ status: 'modified' }), true],
      ['cancelled', bookingReceived({ status: 'cancelled' }), false],
    ],
  ),
  ...group(
    'the JADA in any case',
    { detail: { data: { booking: { boat: { name: [{ 'equals-ignore-case': 'jada' }] } } } } },
    [
      ['JADA', bookingReceived(), true],
      [
        'another boat',
        bookingReceived({
          boat: { listingId: 'lst_9001', name: 'Queen of San Diego', type: 'Motor Yacht', lengthFt: 65 },
        }),
        false,
      ],
    ],
  ),
  ...group(
    'bookings without a captain',
    { detail: { data: { booking: { captain: { name: [{ exists: false }] } } } } },
    [
      ['with a captain', bookingReceived(), false],
      ['without a captain', withoutCaptain(), true],
    ],
  ),
  ...group(
    'parties of 6 to 12 on JADA',
    { detail: { data: { booking: { boat: { name: ['JADA'] }, partySize: [{ numeric: ['>=', 6, '<', 13] }] } } } },
    [
      ['6 on JADA', bookingReceived(), true],
      ['4 on JADA', bookingReceived({ partySize: 4 }), false],
      [
        '6 on another boat',
        bookingReceived({
          boat: { listingId: 'lst_9001', name: 'Queen of San Diego', type: 'Motor Yacht', lengthFt: 65 },
        }),
        false,
      ],
    ],
  ),
  ...group('December trips', { detail: { data: { booking: { trip: { start: [{ prefix: '2026-12-' }] } } } } }, [
    ['5 December', bookingReceived(), true],
    [
      '30 November',
      bookingReceived({
        trip: {
          start: '2026-11-30T09:00:00-08:00',
          durationHours: 2,
          departure: { name: 'Shelter Island Marina', address: '2051 Shelter Island Dr, San Diego, CA 92106' },
        },
      }),
      false,
    ],
  ]),
  ...group('any charterflow source', { source: [{ prefix: 'charterflow.' }], 'detail-type': [{ suffix: 'Created' }] }, [
    ['CrewEventCreated from crew', crewEventCreated(), true],
    ['BookingReceived from webhook', bookingReceived(), false],
  ]),
  ...group(
    'scrub and guest page both take CrewEventCreated',
    {
      source: ['charterflow.crew'],
      'detail-type': ['CrewEventCreated'],
      detail: { data: { sccEventId: [{ exists: true }] } },
    },
    [
      ['with an SCC event id', crewEventCreated(), true],
      ['from calendar instead', { ...crewEventCreated(), source: 'charterflow.calendar' }, false],
    ],
  ),
  ...group(
    'idempotency keys of one step',
    { detail: { metadata: { idempotencyKey: [{ wildcard: '*:r*:BookingReceived' }] } } },
    [
      ['revision 1', bookingReceived(), true],
      ['revision 3', bookingReceived({}, { idempotencyKey: 'XHQGMDH:r3:BookingReceived' }), true],
      ['another step', crewEventCreated(), false],
    ],
  ),
  ...group(
    'a booking ledger rule over several event types',
    {
      source: [{ prefix: 'charterflow.' }],
      $or: [{ 'detail-type': ['BookingReceived'] }, { detail: { data: { calendarEntryId: [{ exists: true }] } } }],
    },
    [
      ['BookingReceived', bookingReceived(), true],
      ['an event carrying a calendar entry id', crewEventCreated(), true],
      ['another source', { ...crewEventCreated(), source: 'com.example.app' }, false],
    ],
  ),
  ...group(
    'replay-name marks replayed events',
    { source: ['charterflow.webhook'], 'replay-name': [{ exists: true }] },
    [
      ['a replayed event', { ...bookingReceived(), 'replay-name': 'charterflow-dev-replay-1' }, true],
      ['a live event', bookingReceived(), false],
    ],
  ),
];

export const invalidPatternCases: InvalidPatternCase[] = [
  { name: 'a JSON array is not a pattern', pattern: ['not', 'an', 'object'], reason: /Filter is not an object/ },
  { name: 'a JSON string is not a pattern', pattern: '"source"', reason: /Filter is not an object/ },
  { name: 'text that is not JSON', pattern: 'this is not json', reason: /Unrecognized token 'this'/ },
  {
    name: 'single-quoted JSON',
    pattern: "{'source': ['aws.ec2']}",
    reason: /was expecting double-quote to start field name/,
  },
  { name: 'an empty pattern', pattern: {}, reason: /Empty objects are not allowed/ },
  {
    name: 'a leaf that is a string, not an array',
    pattern: { source: 'aws.ec2' },
    reason: /"source" must be an object or an array/,
  },
  {
    name: 'a leaf that is a number, not an array',
    pattern: { detail: { count: 42 } },
    reason: /"count" must be an object or an array/,
  },
  { name: 'an empty array of values', pattern: { resources: [] }, reason: /Empty arrays are not allowed/ },
  { name: 'an empty object inside detail', pattern: { detail: {} }, reason: /Empty objects are not allowed/ },
  {
    name: 'an array nested in the values',
    pattern: { source: [['aws.ec2']] },
    reason: /Match value must be String, number, true, false, or null/,
  },
  {
    name: 'an unknown operator',
    pattern: { source: [{ contains: 'ec2' }] },
    reason: /Unrecognized match type contains/,
  },
  {
    name: 'operators are case sensitive',
    pattern: { detail: { count: [{ NUMERIC: ['=', 5] }] } },
    reason: /Unrecognized match type NUMERIC/,
  },
  {
    name: 'two operators in one object',
    pattern: { source: [{ prefix: 'aws', suffix: 'ec2' }] },
    reason: /Only one key allowed in match expression/,
  },
  { name: 'an empty operator object', pattern: { source: [{}] }, reason: /Match expression name not found/ },
  {
    name: 'prefix with a number',
    pattern: { time: [{ prefix: 2017 }] },
    reason: /prefix match pattern must be a string/,
  },
  {
    name: 'prefix with a list',
    pattern: { time: [{ prefix: ['2017'] }] },
    reason: /prefix match pattern must be a string/,
  },
  {
    name: 'suffix with a number',
    pattern: { detail: { FileName: [{ suffix: 123 }] } },
    reason: /suffix match pattern must be a string/,
  },
  {
    name: 'prefix with an unknown option',
    pattern: { source: [{ prefix: { 'ignore-case': 'aws' } }] },
    reason: /Unsupported prefix pattern: ignore-case/,
  },
  {
    name: 'equals-ignore-case with a list',
    pattern: { source: [{ 'equals-ignore-case': ['aws.ec2'] }] },
    reason: /equals-ignore-case match pattern must be a string/,
  },
  {
    name: 'equals-ignore-case wrapping prefix',
    pattern: { source: [{ 'equals-ignore-case': { prefix: 'aws' } }] },
    reason: /equals-ignore-case match pattern must be a string/,
  },
  {
    name: 'numeric not given an array',
    pattern: { detail: { count: [{ numeric: 10 }] } },
    reason: /Value of numeric must be an array/,
  },
  {
    name: 'numeric with two lower bounds',
    pattern: { detail: { count: [{ numeric: ['>', 0, '>', 0] }] } },
    reason: /Bad numeric range operator: >/,
  },
  {
    name: 'numeric with a missing bound',
    pattern: { detail: { count: [{ numeric: ['>', 0, '<'] }] } },
    reason: /Value of < must be numeric/,
  },
  {
    name: 'numeric with a string bound',
    pattern: { detail: { count: [{ numeric: ['<', '10'] }] } },
    reason: /Value of < must be numeric/,
  },
  {
    name: 'numeric with an unknown operator',
    pattern: { detail: { count: [{ numeric: ['!=', 5] }] } },
    reason: /Unrecognized numeric range operator: !=/,
  },
  {
    name: 'numeric range with bottom above top',
    pattern: { detail: { count: [{ numeric: ['>', 10, '<', 5] }] } },
    reason: /Bottom must be less than top/,
  },
  {
    name: 'numeric with too many terms',
    pattern: { detail: { count: [{ numeric: ['<', 5, '>', 1] }] } },
    reason: /Too many elements in numeric expression/,
  },
  {
    name: 'numeric = with two values',
    pattern: { detail: { count: [{ numeric: ['=', 5, 6] }] } },
    reason: /Too many elements in numeric expression/,
  },
  {
    name: 'exists with a string',
    pattern: { detail: { count: [{ exists: 'true' }] } },
    reason: /exists match pattern must be either true or false/,
  },
  {
    name: 'anything-but null',
    pattern: { detail: { state: [{ 'anything-but': null }] } },
    reason: /Value of anything-but must be an array or single string\/number value/,
  },
  {
    name: 'anything-but list with null',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', null] }] } },
    reason: /Inside anything but list, start\|null\|boolean is not supported/,
  },
  {
    name: 'anything-but list of mixed types',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 1] }] } },
    reason: /mixed type is not supported/,
  },
  {
    name: 'anything-but empty prefix',
    pattern: { detail: { FileName: [{ 'anything-but': { prefix: '' } }] } },
    reason: /Null prefix\/suffix not allowed/,
  },
  {
    name: 'anything-but suffix with a number',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: 123 } }] } },
    reason: /prefix\/suffix match pattern must be a string/,
  },
  {
    name: 'anything-but prefix with equals-ignore-case',
    pattern: { detail: { FileName: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] } },
    reason: /Value of anything-but must be an array or single string\/number value/,
  },
  {
    name: 'anything-but equals-ignore-case with a number',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 123 } }] } },
    reason: /Inside anything-but\/equals-ignore-case list, number\|start\|null\|boolean is not supported/,
  },
  {
    name: 'anything-but with an unknown option',
    pattern: { detail: { state: [{ 'anything-but': { contains: 'x' } }] } },
    reason: /Unsupported anything-but pattern: contains/,
  },
  {
    name: 'anything-but wildcard with a number',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: 123 } }] } },
    reason: /wildcard match pattern must be a string/,
  },
  {
    name: 'wildcard with consecutive stars',
    pattern: { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] } },
    reason: /Consecutive wildcard characters at pos 26/,
  },
  {
    name: 'wildcard with an invalid escape',
    pattern: { detail: { FilePath: [{ wildcard: 'dir\\d*' }] } },
    reason: /Invalid escape character at pos 4/,
  },
  {
    name: 'wildcard with a list',
    pattern: { detail: { FilePath: [{ wildcard: ['dir/*'] }] } },
    reason: /wildcard match pattern must be a string/,
  },
  {
    name: 'wildcard too complex',
    pattern: { detail: { EventBusArn: [{ wildcard: '*:*:*:*:*:event-bus/*' }] } },
    reason: /Rule is too complex/,
  },
  {
    name: 'cidr without a mask',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0' }] } },
    reason: /Malformed CIDR, one '\/' required/,
  },
  {
    name: 'cidr with a non-numeric mask',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/x' }] } },
    reason: /mask bits must be an integer/,
  },
  {
    name: 'cidr with a bad address',
    pattern: { detail: { ip: [{ cidr: 'xx.11.xx/8' }] } },
    reason: /Nonstandard IP address: xx.11.xx/,
  },
  {
    name: 'cidr with a bad IPv6 address',
    pattern: { detail: { ip: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] } },
    reason: /Nonstandard IP address: xxxx:db8:1234:1a00::/,
  },
  {
    name: 'cidr with an out-of-range octet',
    pattern: { detail: { ip: [{ cidr: '10.0.0.300/24' }] } },
    reason: /Invalid IP address: 10.0.0.300/,
  },
  {
    name: 'cidr with too many mask bits',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/33' }] } },
    reason: /IPv4 mask bits must be < 32/,
  },
  {
    name: 'cidr with a list',
    pattern: { detail: { ip: [{ cidr: ['10.0.0.0/8'] }] } },
    reason: /prefix match pattern must be a string/,
  },
  {
    name: '$or with one branch',
    pattern: { $or: [{ source: ['aws.ec2'] }] },
    reason: /There must have at least 2 Objects in \$or relationship/,
  },
  {
    name: '$or with an empty list',
    pattern: { source: ['aws.ec2'], $or: [] },
    reason: /There must have at least 2 Objects in \$or relationship/,
  },
  {
    name: '$or not given a list',
    pattern: { $or: { source: ['aws.ec2'] } },
    reason: /It must be an Array followed with \$or/,
  },
  {
    name: '$or with a value that is not an object',
    pattern: { $or: [{ source: ['aws.ec2'] }, 'aws.s3'] },
    reason: /Only JSON object is allowed in array of \$or relationship/,
  },
  {
    name: '$or with an empty branch',
    pattern: { $or: [{ source: ['aws.ec2'] }, {}] },
    reason: /Empty objects are not allowed/,
  },
  {
    name: '$or branch using an operator as a field name',
    pattern: { $or: [{ numeric: [123] }, { prefix: ['abc'] }] },
    reason: /numeric is Ruler reserved fieldName/,
  },
  {
    name: 'a numeric bound that overflows a double',
    pattern: '{"detail": {"n": [{"numeric": [">", 1e400]}]}}',
    reason: /Cannot compare number : 1e400/,
  },
  {
    name: 'a numeric bound with more digits than a double holds',
    pattern: '{"detail": {"n": [{"numeric": ["<", 12345678901234567890]}]}}',
    reason: /Cannot compare number/,
  },
  { name: 'a pattern that is not closed', pattern: '{"source": ["aws.ec2"]', reason: /Unexpected end-of-input/ },
];
