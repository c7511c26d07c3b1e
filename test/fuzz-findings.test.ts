import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetTranscriptionDocument, SearchVideosDocument } from '../operations/__generated__/graphql.js';
import { expectType, type Stack, startStack } from './helpers.js';

/**
 * What test/fuzz.test.ts found, one reproduction each, through yoga.fetch (or a socket where
 * the protocol needs one).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('a request without a usable credential', () => {
  it.each([
    ['no Authorization header', null],
    ['a malformed one', 'Bearer two words'],
  ])(
    'gets UnauthorizedError from transcription and searchVideos with %s, not "Unexpected error."',
    async (_name, auth) => {
      const transcription = await stack.gql(GetTranscriptionDocument, { taskNo: 'project_1' }, { auth });
      expect(transcription.errors).toBeUndefined();
      expectType(transcription.data?.transcription, 'UnauthorizedError');
      const search = await stack.gql(SearchVideosDocument, { query: 'a dog' }, { auth });
      expect(search.errors).toBeUndefined();
      expectType(search.data?.searchVideos, 'UnauthorizedError');
    },
  );
});
