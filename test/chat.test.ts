import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument } from '../operations/__generated__/graphql.js';
import { expectType, type Stack, startStack } from './helpers.js';

let stack: Stack;
let prefixed: Stack;
beforeAll(async () => {
  [stack, prefixed] = await Promise.all([startStack(), startStack({ simulator: { chatDataPrefix: true } })]);
});
afterAll(async () => {
  await Promise.all([stack.close(), prefixed.close()]);
});

function parsedVideo(s: Stack) {
  const key = s.newAccount({ seed: false });
  const video = s.sim.addVideo(key, {
    videoName: 'kitchen.mp4',
    status: 'PARSE',
    description: 'cooking pasta carbonara in a kitchen',
    scenes: [{ start: 0, end: 20, text: 'a chef boils pasta and whisks eggs' }],
  });
  return { key, video };
}

describe('chat', () => {
  it('answers with stream=false and maps history turns to MAVI robot/user', async () => {
    const { key, video } = parsedVideo(stack);
    stack.sim.resetCalls();
    const res = await stack.gql(
      ChatDocument,
      {
        input: {
          videoNos: [video.videoNo],
          message: 'What is the chef cooking?',
          history: [{ user: 'Hi', assistant: 'Hello! Ask me about the video.' }],
        },
      },
      { auth: key },
    );
    const answer = expectType(res.data?.chat, 'MutationChatSuccess').data;
    expect(answer.message.length).toBeGreaterThan(10);
    expect(stack.sim.callsTo('chat')[0]?.body).toEqual({
      videoNos: [video.videoNo],
      message: 'What is the chef cooking?',
      history: [{ user: 'Hi', robot: 'Hello! Ask me about the video.' }],
      stream: false,
    });
  });

  it('parses an answer that arrives behind a data: prefix', async () => {
    const { key, video } = parsedVideo(prefixed);
    const res = await prefixed.gql(
      ChatDocument,
      { input: { videoNos: [video.videoNo], message: 'What happens?' } },
      { auth: key },
    );
    expect(expectType(res.data?.chat, 'MutationChatSuccess').data.message.length).toBeGreaterThan(10);
  });

  it('passes MAVI refusing an unparsed video as InvalidParameterError', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'UNPARSE' });
    const res = await stack.gql(
      ChatDocument,
      { input: { videoNos: [video.videoNo], message: 'Hello?' } },
      { auth: key },
    );
    expect(expectType(res.data?.chat, 'InvalidParameterError').code).toBe('0001');
  });

  it.each([
    [{ videoNos: [], message: 'hi' }, 'input.videoNos'],
    [{ videoNos: ['v1'], message: ' ' }, 'input.message'],
    [{ videoNos: ['v1', 'v1'], message: 'hi' }, 'input.videoNos[1]'],
    [
      { videoNos: ['v1'], message: 'hi', history: [{ user: 'a', assistant: '' }] },
      'input.history[0].assistant',
    ],
    [{ videoNos: ['v1'], message: 'hi', history: [{ user: '', assistant: 'b' }] }, 'input.history[0].user'],
  ])('refuses %j before calling MAVI', async (input, field) => {
    stack.sim.resetCalls();
    const res = await stack.gql(ChatDocument, { input });
    expect(expectType(res.data?.chat, 'InvalidParameterError').field).toBe(field);
    expect(stack.sim.calls).toHaveLength(0);
  });
});
