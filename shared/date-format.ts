/**
 * Intl.DateTimeFormat for `en-US` with these options, made once per set of options: building one loads and
 * compiles the locale's patterns (about a millisecond each), and a page or a mail formats the same few
 * dates and times again and again.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', options);
    formats.set(key, format);
  }
  return format;
}
