const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The instant at which the clock of the IANA zone `zone` shows `wall` ("2024-01-02T03:04:05.123"), or undefined for
 * a zone the runtime does not know. Two rounds of "offset at a guess" settle every time but the hour a DST change
 * skips or repeats, where either neighbour is an acceptable answer.
 */
export function zonedWallTimeToDate(wall: string, zone: string): Date | undefined {
  const asUtc = Date.parse(`${wall}Z`);
  if (Number.isNaN(asUtc)) return undefined;
  const formatter = formatterFor(zone);
  if (!formatter) return undefined;
  let instant = asUtc - offsetAt(formatter, asUtc);
  instant = asUtc - offsetAt(formatter, instant);
  return new Date(instant);
}

function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(zone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      return undefined;
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC, in milliseconds, at `instant`. */
function offsetAt(formatter: Intl.DateTimeFormat, instant: number): number {
  const parts = Object.fromEntries(formatter.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  const shown = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return shown - Math.floor(instant / 1000) * 1000;
}
