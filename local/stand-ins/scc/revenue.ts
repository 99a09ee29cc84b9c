import type { CrewMember, SccPricing } from './model';

/** What SCC charges against the owner's payout (the operator's figures). */
export const SCC_RATES = { deckhandHourly: 40, portFeePerDeparture: 35 } as const;

export interface RevenueLines {
  revenue: number;
  captainFee: number;
  crewCosts: number;
  portFees: number;
  net: number;
}

/**
 * The operator's revenue figures:
 *   Revenue     = booking total
 *   Captain Fee = the captain's fee
 *   Crew Costs  = deckhands x $40/hour x trip hours
 *   Port Fees   = $35 per departure
 *   Your Net    = owner payout - crew costs - port fees
 * For the sample ($1,450 total, $250 captain, $982.50 payout, one deckhand, 3 h): 1,450 / 250 / 120 / 35 / 827.50.
 */
export function revenueOf(pricing: SccPricing, crew: CrewMember[], durationHours: number): RevenueLines {
  const cents = (n: number) => Math.round(n * 100);
  const deckhands = crew.filter((m) => m.role === 'deckhand').length;
  const crewCosts = cents(deckhands * SCC_RATES.deckhandHourly * durationHours);
  const portFees = cents(SCC_RATES.portFeePerDeparture);
  return {
    revenue: cents(pricing.bookingTotal) / 100,
    captainFee: cents(pricing.captainFee) / 100,
    crewCosts: crewCosts / 100,
    portFees: portFees / 100,
    net: (cents(pricing.ownerPayout) - crewCosts - portFees) / 100,
  };
}

export function money(amount: number, currency = 'USD'): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
}

/**
 * The notes SCC stores: the caller's ordinary lines with the revenue lines woven in, as the real SCC does
 * (Revenue and Captain Fee after the first line, the other three after the third), one per line.
 */
export function notesWithRevenue(ordinaryNotes: string, lines: RevenueLines, currency: string): string {
  const ordinary = ordinaryNotes.split('\n').filter((line) => line.trim() !== '');
  const head = [`Revenue: ${money(lines.revenue, currency)}`, `Captain Fee: ${money(lines.captainFee, currency)}`];
  const tail = [
    `Crew Costs: ${money(lines.crewCosts, currency)}`,
    `Port Fees: ${money(lines.portFees, currency)}`,
    `Your Net: ${money(lines.net, currency)}`,
  ];
  return [...ordinary.slice(0, 1), ...head, ...ordinary.slice(1, 3), ...tail, ...ordinary.slice(3)].join('\n');
}
