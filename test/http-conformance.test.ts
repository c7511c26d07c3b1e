import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './helpers.js';

/**
 * GraphQL over HTTP conformance (graphql-http's audits) against the gateway through
 * yoga.fetch. Every MUST passes; SHOULD and MAY audits are run and must at least not fail
 * with an exception.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('GraphQL over HTTP', () => {
  const audits = serverAudits({
    url: 'http://gateway.test/graphql',
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) =>
      stack.gateway.yoga.fetch(String(input), init as never),
  });

  for (const audit of audits) {
    it(`${audit.name}`, async () => {
      const result = await audit.fn();
      if (audit.name.startsWith('MUST')) {
        expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
      } else {
        expect(['ok', 'warn', 'notice']).toContain(result.status);
      }
    });
  }
});
