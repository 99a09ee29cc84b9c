import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { currentGraph, DIAGRAM_FILE, GRAPH_END, GRAPH_START, renderGraph, withGraph } from '../../cli/graph';
import { defineConsumer, defineHttpRoute } from '../../shared/declaration';

const root = fileURLToPath(new URL('../..', import.meta.url));

const webhook = defineHttpRoute({
  name: 'webhook',
  description: 'takes Boatsetter webhooks',
  route: { method: 'POST', path: '/webhooks/boatsetter' },
  emits: ['BookingReceived'],
});
const calendar = defineConsumer({
  name: 'calendar',
  description: 'c',
  consumes: ['BookingReceived'],
  emits: ['CalendarEntryCreated'],
});
const ledger = defineConsumer({
  name: 'booking-ledger',
  description: 'l',
  consumes: ['BookingReceived', 'CalendarEntryCreated'],
  emits: [],
});

describe('the event-flow diagram', () => {
  it('draws producer -> detail-type -> consumer from the declarations', () => {
    const diagram = renderGraph([webhook, calendar, ledger]);
    expect(diagram.split('\n')).toEqual([
      '```mermaid',
      'flowchart LR',
      '  svc_booking_ledger["booking-ledger"]',
      '  svc_calendar["calendar"]',
      '  svc_webhook["webhook<br/>POST /webhooks/boatsetter"]',
      '  evt_BookingReceived(["BookingReceived"])',
      '  evt_CalendarEntryCreated(["CalendarEntryCreated"])',
      '  svc_calendar --> evt_CalendarEntryCreated',
      '  svc_webhook --> evt_BookingReceived',
      '  evt_BookingReceived --> svc_booking_ledger',
      '  evt_BookingReceived --> svc_calendar',
      '  evt_CalendarEntryCreated --> svc_booking_ledger',
      '```',
    ]);
  });

  it('does not depend on the order the folders are found in', () => {
    expect(renderGraph([ledger, webhook, calendar])).toBe(renderGraph([webhook, calendar, ledger]));
  });

  it('replaces only what is between the markers', () => {
    const readme = `# charterflow\n\nintro\n\n${GRAPH_START}\nold drawing\n${GRAPH_END}\n\n## After\n`;
    expect(withGraph(readme, 'NEW')).toBe(`# charterflow\n\nintro\n\n${GRAPH_START}\nNEW\n${GRAPH_END}\n\n## After\n`);
  });

  it('adds the markers under an "Event flow" heading when README has none', () => {
    expect(withGraph('# charterflow\n', 'NEW')).toBe(
      `# charterflow\n\n## Event flow\n\n${GRAPH_START}\nNEW\n${GRAPH_END}\n`,
    );
  });

  it('in docs/event-flow.md is the one the declarations give (run `npx charterflow graph` when this fails)', async () => {
    const readme = readFileSync(`${root}/${DIAGRAM_FILE}`, 'utf8');
    expect(readme).toContain(GRAPH_START);
    expect(withGraph(readme, await currentGraph(root))).toBe(readme);
  });
});
