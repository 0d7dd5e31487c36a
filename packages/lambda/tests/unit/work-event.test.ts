import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asyncWorkEvent, asyncWorkOf } from '@artemis/core/runtime';
import { describe, expect, it } from '@jest/globals';

/* The async work event (issue 12) is recognised by its own key, never confused with an HTTP event. */
const EVENTS = join(import.meta.dirname, '..', 'fixtures', 'events');

describe('the async work event', () => {
  it('is recognised by its marker key', () => {
    // Act
    const work = asyncWorkOf(asyncWorkEvent({ request_id: 'r-1' }));
    // Assess
    expect(work).toEqual({ request_id: 'r-1' });
  });

  it('is never read from an API Gateway, Function URL or ALB event', async () => {
    // Prepare
    const files = (await readdir(EVENTS)).filter((name) => name.endsWith('.json'));
    const events = await Promise.all(files.map(async (name) => JSON.parse(await readFile(join(EVENTS, name), 'utf8'))));
    // Act
    const works = events.map((event) => asyncWorkOf(event));
    // Assess
    expect(files.length).toBeGreaterThan(5);
    expect(works).toEqual(events.map(() => undefined));
  });
});
