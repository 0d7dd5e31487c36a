import { BadRequestError } from '../errors/agent-errors';

/*
 * Parameters of the remote-operation routes. Query values are strings and JSON bodies may hold numbers, so both are
 * accepted; a value that cannot be read is a 400 naming the parameter, never a 500 (Apollo answered Flask's HTML 500
 * for a bad `limit` and a 200 envelope for a bad time).
 */

const TEN_MINUTES_MS = 10 * 60 * 1000;
/** The ISO 8601 forms Python's `datetime.fromisoformat` reads: a date, an optional time, an optional offset. */
const ISO_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The default start of every log window: ten minutes before `now`. */
export function tenMinutesBefore(now: Date): Date {
  return new Date(now.getTime() - TEN_MINUTES_MS);
}

/**
 * An ISO 8601 time parameter, or `fallback` when absent or empty. A time without an offset is read as the agent's
 * local time, as Apollo did (`datetime.astimezone` of a naive value); the platforms run in UTC.
 */
export function timeParam(params: Record<string, unknown>, name: string, fallback: Date): Date;
export function timeParam(params: Record<string, unknown>, name: string, fallback?: Date): Date | undefined;
export function timeParam(params: Record<string, unknown>, name: string, fallback?: Date): Date | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return fallback;
  const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value.trim()) : null;
  if (!match) throw new BadRequestError(`Invalid value for ${name} parameter: expected an ISO 8601 date and time`);
  const [, date, time = '00:00', offset = ''] = match;
  const normalisedOffset = offset.length === 3 ? `${offset}:00` : offset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const parsed = new Date(`${date}T${time.replace(',', '.')}${normalisedOffset}`);
  if (Number.isNaN(parsed.getTime())) {
    throw new BadRequestError(`Invalid value for ${name} parameter: expected an ISO 8601 date and time`);
  }
  return parsed;
}

/** A positive integer parameter up to `max`, or `fallback` when absent or empty. */
export function limitParam(params: Record<string, unknown>, name: string, fallback: number, max = 10_000): number {
  const value = params[name];
  if (value === undefined || value === null || value === '') return fallback;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new BadRequestError(`Invalid value for ${name} parameter: expected an integer from 1 to ${max}`);
  }
  return number;
}

/** A string parameter the route cannot do without: Apollo's `<name> is a required parameter`, as a 400. */
export function requiredText(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (value === undefined || value === null || value === '')
    throw new BadRequestError(`${name} is a required parameter`);
  if (typeof value !== 'string') throw new BadRequestError(`Invalid value for ${name} parameter: expected a string`);
  return value;
}

/** An optional string parameter. */
export function optionalText(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`Invalid value for ${name} parameter: expected a string`);
  return value;
}
