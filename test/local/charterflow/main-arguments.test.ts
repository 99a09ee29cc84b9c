import { describe, expect, it } from 'vitest';
import { BOOKING_ID_PATTERN } from '../../../shared/contract/boatsetter';
import {
  iamLine,
  shadowLine,
  parseStartArgs,
  portChoices,
  portClashMessage,
  sampleCurl,
  StartUsageError,
  startHelp,
  type StartArgs,
} from '../../../local/main';

/** `npm start`'s flags, its port-clash advice and its banner's sample, without starting anything. */

const parse = (argv: string[], { env = {}, terminal = false } = {}) => parseStartArgs(argv, env, terminal) as StartArgs;

describe('npm start: flags', () => {
  it('documents --port 0 and a flag for every port in --help', () => {
    expect(parseStartArgs(['--help'], {}, false)).toBe('help');
    expect(startHelp).toMatch(/--port 0 +free ports for everything/);
    for (const flag of [
      '--port',
      '--webhook-port',
      '--guest-site-port',
      '--mailbox-port',
      '--jada-calendar-port',
      '--scc-port',
      '--no-iam',
      '--json-logs',
    ])
      expect(startHelp).toContain(`${flag} `);
  });

  it('gives each server a flag of its own, and --port 0 frees every port not given', () => {
    const args = parse(['--port', '0', '--webhook-port', '3100', '--scc-port', '4120']);
    expect(args.ports).toEqual({ aws: 0, webhook: 3100, standIns: { scc: 4120 } });
    expect(portChoices(args.ports).map((c) => [c.flag, c.port])).toEqual([
      ['--port', 0],
      ['--mailbox-port', undefined],
      ['--jada-calendar-port', undefined],
      ['--scc-port', 4120],
      ['--guest-site-port', undefined],
      ['--webhook-port', 3100],
    ]);
  });

  it('reads the AWS port from CHARTERFLOW_AWS_PORT unless --port is given', () => {
    expect(parse([], { env: { CHARTERFLOW_AWS_PORT: '4600' } }).ports.aws).toBe(4600);
    expect(parse(['--port', '4700'], { env: { CHARTERFLOW_AWS_PORT: '4600' } }).ports.aws).toBe(4700);
  });

  it.each([
    [['--webhook-port', 'x'], '--webhook-port must be a port number from 0 to 65535 (0: a free port), got "x"'],
    [['--port', '70000'], '--port must be a port number'],
    [['--mailbox-port', ''], '--mailbox-port must be a port number'],
    [['--packaged', '--package-dir', 'd'], 'give one of them'],
    [['--json-logs', '--readable-logs'], 'give one of them'],
    [['--colour'], "Unknown option '--colour'"],
  ])('refuses %j with our message', (argv, message) => {
    expect(() => parse(argv)).toThrow(StartUsageError);
    expect(() => parse(argv)).toThrow(message);
  });

  it('runs the demo beside npm start: free ports and nothing kept, unless told otherwise', () => {
    expect(parse(['--demo'])).toMatchObject({ demo: true, ephemeral: true, dataDir: undefined, ports: { aws: 0 } });
    expect(parse(['--demo', '--port', '4566'])).toMatchObject({ ports: { aws: 4566 } });
    expect(parse(['--demo', '--data-dir', 'd'])).toMatchObject({ ephemeral: false, dataDir: 'd', ports: { aws: 0 } });
    expect(parse([])).toMatchObject({ ephemeral: false, dataDir: '.charterflow', ports: { aws: undefined } });
  });

  it('prints readable lines in a terminal, JSON lines elsewhere or with --json-logs', () => {
    expect(parse([], { terminal: true }).logs).toBe('readable');
    expect(parse([], { terminal: false }).logs).toBe('json');
    expect(parse(['--json-logs'], { terminal: true }).logs).toBe('json');
    expect(parse(['--readable-logs'], { terminal: false }).logs).toBe('readable');
  });

  it('turns IAM off with --no-iam only', () => {
    expect(parse(['--packaged']).iam).toBe(true);
    expect(parse(['--packaged', '--no-iam']).iam).toBe(false);
  });

  it('runs the stage in shadow mode with --shadow only', () => {
    expect(parse([]).shadow).toBe(false);
    expect(parse(['--shadow']).shadow).toBe(true);
    expect(startHelp).toContain('--shadow ');
  });
});

describe('npm start: a port in use', () => {
  it.each([
    [[], 3000, '(the webhook)', '--webhook-port'],
    [[], 8005, '(the mailbox)', '--mailbox-port'],
    [[], 8080, '(the guest site)', '--guest-site-port'],
    [[], 4010, '(the jada-calendar stand-in)', '--jada-calendar-port'],
    [[], 4020, '(the scc stand-in)', '--scc-port'],
    [[], 4566, '(the AWS endpoint)', '--port'],
    [['--port', '0', '--mailbox-port', '9005'], 9005, '(the mailbox)', '--mailbox-port'],
  ])('with %j, port %i names the server and the flag that moves it', (argv, port, who, flag) => {
    const message = portClashMessage(port, parse(argv).ports);
    expect(message).toContain(`port ${port} ${who} is in use`);
    expect(message).toContain(`move it with ${flag} <port>`);
    expect(message).toContain('--port 0 for free ports everywhere');
  });
});

describe('npm start: the banner', () => {
  it('signs the sample under a fresh booking id at each start', () => {
    const bookingIn = (curl: string) => /"booking_id":"([A-Z0-9]+)"/.exec(curl)?.[1];
    const first = bookingIn(sampleCurl('http://127.0.0.1:3000'));
    const second = bookingIn(sampleCurl('http://127.0.0.1:3000'));
    expect(first).toMatch(BOOKING_ID_PATTERN);
    expect(second).toMatch(BOOKING_ID_PATTERN);
    expect(first).not.toBe(second);
    expect(first).not.toBe('XHQGMDH');
  });

  it('says whether IAM is enforced for this run', () => {
    expect(iamLine({ mode: 'packaged', iam: {} }, true)).toMatch(/IAM\s+enforced/);
    expect(iamLine({ mode: 'packaged' }, false)).toMatch(/IAM\s+not enforced for this run \(--no-iam\)/);
    expect(iamLine({ mode: 'source' }, true)).toMatch(/IAM\s+not enforced \(source mode/);
  });

  it('says whether the writes to JADA, SCC, the guest site and the mailbox go out or are kept back', () => {
    expect(shadowLine(true)).toMatch(/writes\s+shadow: JADA, SCC, the guest site and the mailbox get none/);
    expect(shadowLine(false)).toMatch(/writes\s+live: .*\(--shadow keeps them back\)/);
  });
});
