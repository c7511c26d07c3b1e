import { DUPLICATE, isRecord, MaviError, requireStringArray, success } from './envelope.js';
import type { Handler } from './state.js';

const MAX_DELETE = 500;

/**
 * DELETE with a bare array body (the doc's example and every client); the parameter table's
 * `{videoNos: [...]}` form is accepted too (v1.0.md §6.8). All or nothing.
 */
export const deleteVideos: Handler = (ex, state) => {
  const list = isRecord(ex.body) ? ex.body.videoNos : ex.body;
  const videoNos = [...new Set(requireStringArray(list, 'the videoNo list', 1, MAX_DELETE))];
  const missing = state.library.deleteVideos(ex.account!, videoNos);
  if (missing.length > 0) {
    // Deleting twice is the Code page's example of 0409.
    throw new MaviError(
      DUPLICATE,
      `every video must exist in this account (nothing was deleted); not found: ${missing.join(', ')}`,
    );
  }
  return success();
};
