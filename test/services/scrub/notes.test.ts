import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scrubNotes } from '../../../services/scrub/notes';

/** What SCC writes today for the sample booking (seed post, "Data Scrubbing"). */
const sccNotes = [
  'Boatsetter booking XHQGMDH',
  'Calendar entry: cal_7f3a9c',
  'Party of 6, birthday (bringing a cake)',
  'Revenue: $1,450.00',
  'Captain Fee: $250.00',
  'Crew Costs: $120.00',
  'Port Fees: $35.00',
  'Your Net: $827.50',
  'Meet at Shelter Island Marina, dock B, 4:30 PM',
].join('\n');

interface Sample {
  name: string;
  notes: string;
  expected: string;
  removed: string[];
}

const clean = (name: string, notes: string): Sample => ({ name, notes, expected: notes, removed: [] });

const samples: Sample[] = [
  {
    name: 'the SCC notes of the sample booking',
    notes: sccNotes,
    expected:
      'Boatsetter booking XHQGMDH\nCalendar entry: cal_7f3a9c\nParty of 6, birthday (bringing a cake)\n' +
      'Meet at Shelter Island Marina, dock B, 4:30 PM',
    removed: ['Revenue: $1,450.00', 'Captain Fee: $250.00', 'Crew Costs: $120.00', 'Port Fees: $35.00', 'Your Net: $827.50'],
  },
  clean('empty notes', ''),
  clean('one ordinary line', 'Bring sunscreen'),
  clean('ordinary lines only, trailing newline', 'Dock B\nArrive 15 min early\n'),
  clean('only newlines', '\n\n\n'),
  clean('CRLF ordinary lines', 'Dock B\r\nArrive early\r\n'),
  clean('a marina called Net Yard', 'Meet at Net Yard dock'),
  clean('"Net" as a word starting the line', 'Net Yard, slip 14'),
  clean('a fishing net with a count', 'Fishing net: 2 rods on board'),
  clean('"Net 30" payment terms are words after a number', 'Net 30 days for the fuel dock invoice'),
  clean('revenue words in a sentence without an amount', 'Crew costs are covered by the owner this time'),
  clean('revenue word in a sentence', 'Revenue share discussion with Sam after the trip'),
  clean('a cash instruction mentioning port fees', 'Bring $20 cash for port fees'),
  clean('"Net" with a non-money value', 'Net: the blue one in the lazarette'),
  clean('words containing "net"', 'Cabinet: 2 spare fenders\nInternet: 5 GB hotspot'),
  clean('a captain line that is not a fee', 'Captain: Sam Ortiz, 619-555-0142'),
  clean('unicode ordinary lines', 'Café con leche 🎂 für alle\nÜberraschung: Kuchen 🎉'),
  clean('an amount on an ordinary line', 'Tip jar: $40 last trip, thanks all'),
  clean('a time that looks like a number', 'Departure 17:00, return 20:00'),
  {
    name: 'lower case labels',
    notes: 'dock b\nrevenue: $1,450.00\nyour net: $827.50',
    expected: 'dock b\n',
    removed: ['revenue: $1,450.00', 'your net: $827.50'],
  },
  {
    name: 'upper case labels',
    notes: 'REVENUE: $1,450.00\nCAPTAIN FEE: $250.00\nDOCK B',
    expected: 'DOCK B',
    removed: ['REVENUE: $1,450.00', 'CAPTAIN FEE: $250.00'],
  },
  {
    name: 'no dollar sign, no decimals, no commas',
    notes: 'Revenue: 1450\nCrew Costs: 120\nok',
    expected: 'ok',
    removed: ['Revenue: 1450', 'Crew Costs: 120'],
  },
  {
    name: 'currency codes before and after',
    notes: 'Revenue: USD 1,450.00\nPort Fees: 35.00 USD\nCaptain Fee: 250 EUR\nDock B',
    expected: 'Dock B',
    removed: ['Revenue: USD 1,450.00', 'Port Fees: 35.00 USD', 'Captain Fee: 250 EUR'],
  },
  {
    name: 'a revenue label with its amount on the next line',
    notes: 'Revenue:\n   $1,450.00\nYour Net =\r\n827.50 USD\r\nDock B\nTips for the crew:\n$20\n',
    expected: 'Dock B\nTips for the crew:\n$20\n',
    removed: ['Revenue:', '   $1,450.00', 'Your Net =', '827.50 USD'],
  },
  {
    name: 'dollar variants as Intl writes them, without a colon',
    notes: 'Revenue CA$1,450.00\nPort Fees MX$35.00\nCaptain Fee US$ 250\nDock B',
    expected: 'Dock B',
    removed: ['Revenue CA$1,450.00', 'Port Fees MX$35.00', 'Captain Fee US$ 250'],
  },
  {
    name: 'euro and pound symbols, European grouping',
    notes: 'Revenue: 1.450,00 €\nYour Net: £827.50\nDock B',
    expected: 'Dock B',
    removed: ['Revenue: 1.450,00 €', 'Your Net: £827.50'],
  },
  {
    name: 'odd spacing around labels and amounts',
    notes: '   Revenue   :    $ 1,450.00   \n\tCaptain   Fee:$250\nDock B',
    expected: 'Dock B',
    removed: ['   Revenue   :    $ 1,450.00   ', '\tCaptain   Fee:$250'],
  },
  {
    name: 'non-breaking and thin spaces',
    notes: 'Revenue:\u00a0$1\u202f450.00\nYour\u00a0Net: $827.50\nDock B',
    expected: 'Dock B',
    removed: ['Revenue:\u00a0$1\u202f450.00', 'Your\u00a0Net: $827.50'],
  },
  {
    name: 'full-width colon',
    notes: 'Revenue：$1,450.00\nDock B',
    expected: 'Dock B',
    removed: ['Revenue：$1,450.00'],
  },
  {
    name: 'bullets of several kinds',
    notes: '- Revenue: $1,450.00\n* Captain Fee: $250.00\n• Crew Costs: $120.00\n– Port Fees: $35.00\n- Bring a jacket',
    expected: '- Bring a jacket',
    removed: ['- Revenue: $1,450.00', '* Captain Fee: $250.00', '• Crew Costs: $120.00', '– Port Fees: $35.00'],
  },
  {
    name: 'numbered list',
    notes: '1. Revenue: $1,450.00\n2) Your Net: $827.50\n3. Check the bilge',
    expected: '3. Check the bilge',
    removed: ['1. Revenue: $1,450.00', '2) Your Net: $827.50'],
  },
  {
    name: 'leading labels like "Internal:"',
    notes: 'Internal: Revenue $1,450.00\n[Private] Your Net: $827.50\n(ops) Port Fees = 35\nInternal: check fuel',
    expected: 'Internal: check fuel',
    removed: ['Internal: Revenue $1,450.00', '[Private] Your Net: $827.50', '(ops) Port Fees = 35'],
  },
  {
    name: 'two leading labels and a bullet',
    notes: '- INTERNAL: Finance: Crew Costs: $120.00\nDock B',
    expected: 'Dock B',
    removed: ['- INTERNAL: Finance: Crew Costs: $120.00'],
  },
  {
    name: 'bare "Net" with an amount',
    notes: 'Net: $827.50\nNET 827.50\nnet - 827.50 USD\nDock B',
    expected: 'Dock B',
    removed: ['Net: $827.50', 'NET 827.50', 'net - 827.50 USD'],
  },
  {
    name: 'dash separators',
    notes: 'Captain Fee - $250.00\nCrew Costs — 120\nDock B',
    expected: 'Dock B',
    removed: ['Captain Fee - $250.00', 'Crew Costs — 120'],
  },
  {
    name: 'singular and plural labels, possessive captain',
    notes: "Crew Cost: $120\nPort Fee: $35\nCaptain's Fee: $250\nCaptain Fees: $250\nDock B",
    expected: 'Dock B',
    removed: ['Crew Cost: $120', 'Port Fee: $35', "Captain's Fee: $250", 'Captain Fees: $250'],
  },
  {
    name: 'gross, total and net revenue',
    notes: 'Gross Revenue: $1,450.00\nTotal revenue: $1,450\nNet Revenue: $982.50\nDock B',
    expected: 'Dock B',
    removed: ['Gross Revenue: $1,450.00', 'Total revenue: $1,450', 'Net Revenue: $982.50'],
  },
  {
    name: 'owner payout and Boatsetter fee',
    notes: 'Owner Payout: $982.50\nBoatsetter Fee: $217.50\nDock B',
    expected: 'Dock B',
    removed: ['Owner Payout: $982.50', 'Boatsetter Fee: $217.50'],
  },
  {
    name: 'a revenue label with a placeholder value',
    notes: 'Revenue: TBD\nCaptain Fee: included\nDock B',
    expected: 'Dock B',
    removed: ['Revenue: TBD', 'Captain Fee: included'],
  },
  {
    name: 'negative and parenthesised amounts',
    notes: 'Port Fees: -$35.00\nCrew Costs: ($120.00)\nDock B',
    expected: 'Dock B',
    removed: ['Port Fees: -$35.00', 'Crew Costs: ($120.00)'],
  },
  {
    name: 'an amount followed by a note in parentheses or a slash',
    notes: 'Your Net $827.50 (after fees)\nRevenue $1,450 / Captain Fee $250\nDock B',
    expected: 'Dock B',
    removed: ['Your Net $827.50 (after fees)', 'Revenue $1,450 / Captain Fee $250'],
  },
  {
    name: 'a revenue field in the middle of a line',
    notes: "Dana's group - Revenue: $1,450.00\nSummary | net: $827.50\nDock B",
    expected: 'Dock B',
    removed: ["Dana's group - Revenue: $1,450.00", 'Summary | net: $827.50'],
  },
  {
    name: 'CRLF line endings kept on every other line',
    notes: 'Dock B\r\nRevenue: $1,450.00\r\nArrive early\r\nYour Net: $827.50\r\n',
    expected: 'Dock B\r\nArrive early\r\n',
    removed: ['Revenue: $1,450.00', 'Your Net: $827.50'],
  },
  {
    name: 'mixed line endings kept as they are',
    notes: 'Dock B\r\nRevenue: $1\nArrive early\rPort Fees: $35\r\nBring water\n',
    expected: 'Dock B\r\nArrive early\rBring water\n',
    removed: ['Revenue: $1', 'Port Fees: $35'],
  },
  {
    name: 'blank lines and trailing spaces of other lines kept',
    notes: 'Dock B   \n\n  Revenue: $1,450.00\n\n\tArrive early\t\n',
    expected: 'Dock B   \n\n\n\tArrive early\t\n',
    removed: ['  Revenue: $1,450.00'],
  },
  {
    name: 'revenue line last, without a line ending',
    notes: 'Dock B\nYour Net: $827.50',
    expected: 'Dock B\n',
    removed: ['Your Net: $827.50'],
  },
  {
    name: 'revenue lines only',
    notes: 'Revenue: $1,450.00\nYour Net: $827.50\n',
    expected: '',
    removed: ['Revenue: $1,450.00', 'Your Net: $827.50'],
  },
  {
    name: 'unicode around revenue lines',
    notes: '🎂 Geburtstag für Dana\n💰 Revenue: $1,450.00\nCafé au dock B ☕',
    expected: '🎂 Geburtstag für Dana\nCafé au dock B ☕',
    removed: ['💰 Revenue: $1,450.00'],
  },
  {
    name: 'the same revenue line twice',
    notes: 'Revenue: $1,450.00\nDock B\nRevenue: $1,450.00',
    expected: 'Dock B\n',
    removed: ['Revenue: $1,450.00', 'Revenue: $1,450.00'],
  },
];

describe('scrubNotes (table)', () => {
  it('has at least 40 note samples', () => {
    expect(samples.length + veryLong.length).toBeGreaterThanOrEqual(40);
  });

  it.each(samples)('$name', ({ notes, expected, removed }) => {
    const result = scrubNotes(notes);
    expect(result.notes).toBe(expected);
    expect(result.removed).toEqual(removed);
  });
});

const ordinary = Array.from({ length: 5_000 }, (_, i) => `Line ${i}: check item ${i} on the deck list`);
const veryLong: Sample[] = [
  {
    name: '5,000 ordinary lines and 3 revenue lines in between',
    notes: [...ordinary.slice(0, 2500), 'Revenue: $1,450.00', ...ordinary.slice(2500), 'Your Net: $827.50', 'Port Fees: $35'].join('\n'),
    expected: [...ordinary.slice(0, 2500), ...ordinary.slice(2500)].join('\n') + '\n',
    removed: ['Revenue: $1,450.00', 'Your Net: $827.50', 'Port Fees: $35'],
  },
  clean('one line of 200,000 characters', 'x'.repeat(200_000)),
  clean('a very long line of digits after a revenue word', 'Revenue share ' + '1 '.repeat(20_000) + 'words'),
  {
    name: 'a very long revenue line',
    notes: 'Dock B\nRevenue: ' + '9'.repeat(50_000),
    expected: 'Dock B\n',
    removed: ['Revenue: ' + '9'.repeat(50_000)],
  },
];

describe('scrubNotes (very long notes)', () => {
  it.each(veryLong)('$name', ({ notes, expected, removed }) => {
    const result = scrubNotes(notes);
    expect(result.notes).toBe(expected);
    expect(result.removed).toEqual(removed);
  });
});

describe('scrubNotes (properties)', () => {
  const line = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    fc.constantFrom('Revenue: $1,450.00', 'Your Net: $827.50', 'Meet at Net Yard dock', 'Crew Costs: 120'),
  );
  const ending = fc.constantFrom('\n', '\r\n', '\r');
  const notes = fc
    .array(fc.tuple(line, ending), { maxLength: 30 })
    .map((lines) => lines.map(([text, end]) => text + end).join(''));

  it('scrubbing scrubbed notes removes nothing more', () => {
    fc.assert(
      fc.property(notes, (value) => {
        const once = scrubNotes(value);
        const twice = scrubNotes(once.notes);
        expect(twice.removed).toEqual([]);
        expect(twice.notes).toBe(once.notes);
      }),
    );
  });

  it('every line is either kept byte for byte, in order, or removed', () => {
    fc.assert(
      fc.property(notes, (value) => {
        const { notes: kept, removed } = scrubNotes(value);
        const lines = value.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
        // Match the removed lines to input lines in order; what is left must be the output, endings included.
        let next = 0;
        const left = lines.filter((line) => {
          if (next < removed.length && line.replace(/(?:\r\n|\n|\r)$/, '') === removed[next]) {
            next += 1;
            return false;
          }
          return true;
        });
        expect(next).toBe(removed.length);
        expect(kept).toBe(left.join(''));
      }),
    );
  });
});
