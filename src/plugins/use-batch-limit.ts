import type { Plugin } from 'graphql-yoga';
import { limitError } from './use-query-limits.js';

/**
 * Refuses a batched request (a JSON array of operations) with more than `maxOperations`
 * operations, or any batch when `maxOperations` is 0, before any of them is parsed. Yoga's
 * own `batching.limit` check stays behind it as a backstop; this one answers 400 with the
 * gateway's wording and numbers instead of yoga's 413.
 */
export function useBatchLimit(maxOperations: number): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (!Array.isArray(requestParserResult)) return;
          if (maxOperations === 0) {
            throw limitError('This gateway does not accept batched requests.', 'BATCHING_DISABLED', null, 0);
          }
          if (requestParserResult.length > maxOperations) {
            throw limitError(
              `Batch of ${requestParserResult.length} operations exceeds the maximum of ${maxOperations}.`,
              'BATCH_TOO_LARGE',
              requestParserResult.length,
              maxOperations,
            );
          }
        },
      };
    },
  };
}
