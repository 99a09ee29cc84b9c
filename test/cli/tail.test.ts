import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../cli/args';
import { formatEvent, parseTailArgs } from '../../cli/tail';

describe('npx charterflow tail: arguments and output', () => {
  it('taps every charterflow source by default', () => {
    expect(parseTailArgs([])).toEqual({
      pattern: { source: [{ prefix: 'charterflow.' }] },
      json: false,
      local: false,
      bus: undefined,
    });
  });

  it('takes a pattern, --json, --local and --bus', () => {
    const parsed = parseTailArgs([
      '--pattern',
      '{"detail-type":["CrewEventCreated"]}',
      '--json',
      '--local',
      '--bus',
      'charterflow-dev',
    ]);
    expect(parsed).toEqual({
      pattern: { 'detail-type': ['CrewEventCreated'] },
      json: true,
      local: true,
      bus: 'charterflow-dev',
    });
    expect(parseTailArgs(['--stage', 'prod'])).toMatchObject({ stage: 'prod', local: false });
  });

  it.each([
    [['--pattern', '{nope'], /--pattern is not valid JSON/],
    [['--pattern', '[1]'], /--pattern must be a JSON object/],
    [['extra'], /unexpected argument "extra"/],
    [['--follow'], /unknown option '--follow' \(see --help\)/],
    [['--bus'], /'--bus' needs a value \(see --help\)/],
  ])('refuses %j', (argv, reason) => {
    expect(() => parseTailArgs(argv)).toThrow(reason);
  });

  it('prints one line: time, detail-type, booking id, source', () => {
    const line = formatEvent({
      time: '2026-11-24T17:03:05Z',
      source: 'charterflow.crew',
      'detail-type': 'CrewEventCreated',
      detail: { metadata: { bookingId: 'XHQGMDH' } },
    });
    expect(line).toMatch(/^2026-11-24T17:03:05Z {2}CrewEventCreated +XHQGMDH +charterflow\.crew$/);
  });

  it('lines up the columns whatever the detail-type and booking id', () => {
    const lines = [
      formatEvent({
        time: '2026-11-24T17:03:05Z',
        source: 'charterflow.crew',
        'detail-type': 'CrewEventCreated',
        detail: { metadata: { bookingId: 'XHQGMDH' } },
      }),
      formatEvent({
        time: '2026-11-24T17:03:06Z',
        source: 'charterflow.calendar',
        'detail-type': 'CalendarConflictDetected',
        detail: { metadata: { bookingId: 'KQ7TZ2MXYZ12' } },
      }),
      formatEvent({ source: 'aws.events' }),
    ];
    const sourceAt = lines[0]!.indexOf('charterflow.crew');
    expect(lines[1]!.indexOf('charterflow.calendar')).toBe(sourceAt);
    expect(lines[2]!.indexOf('aws.events')).toBe(sourceAt);
    expect(lines[1]!.indexOf('KQ7TZ2MXYZ12')).toBe(lines[0]!.indexOf('XHQGMDH'));
  });

  it('treats only this machine as the local stack', () => {
    expect(isLoopback('http://127.0.0.1:4566')).toBe(true);
    expect(isLoopback('http://localhost:4566')).toBe(true);
    expect(isLoopback('https://events.us-west-2.amazonaws.com')).toBe(false);
    expect(isLoopback('http://127.0.0.1.example.com')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });
});
