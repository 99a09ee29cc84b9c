/**
 * The contract's limits, apart from its zod schemas: a Lambda that needs a limit imports this alone, since
 * importing the schemas puts all of zod in its bundle (about 190 KB minified, and its parse at every cold start).
 */

/** The longest trip Boatsetter may book (two weeks): the webhook refuses longer ones, the calendar counts on it. */
export const LONGEST_TRIP_HOURS = 24 * 14;
