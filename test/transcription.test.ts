import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetTranscriptionDocument,
  RequestTranscriptionDocument,
} from '../operations/__generated__/graphql.js';
import { eventually, expectType, type Stack, startStack } from './helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('transcription', () => {
  it('requests a task, then reads it UNFINISHED and FINISH with segments in seconds', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, {
      status: 'PARSE',
      scenes: [
        { start: 0, end: 4.5, text: 'hello and welcome' },
        { start: 4.5, end: 9, text: 'today we cook pasta' },
      ],
    });
    stack.sim.resetCalls();
    const requested = await stack.gql(
      RequestTranscriptionDocument,
      { videoNo: video.videoNo, type: 'AUDIO' },
      { auth: key },
    );
    const task = expectType(requested.data?.requestTranscription, 'MutationRequestTranscriptionSuccess').data;
    expect(task).toMatchObject({ videoNo: video.videoNo, type: 'AUDIO' });
    expect(task.taskNo).toMatch(/^project_\d{18}$/);
    expect(stack.sim.callsTo('subTranscription')[0]?.body).toMatchObject({
      videoNo: video.videoNo,
      type: 'AUDIO',
    });
    // Selecting only what the mutation knows makes no getTranscription call.
    expect(stack.sim.callsTo('getTranscription')).toHaveLength(0);

    const finished = await eventually(async () => {
      const res = await stack.gql(GetTranscriptionDocument, { taskNo: task.taskNo }, { auth: key });
      const t = expectType(res.data?.transcription, 'QueryTranscriptionSuccess').data;
      return t.status === 'FINISH' ? t : undefined;
    });
    expect(finished.segments.length).toBeGreaterThan(0);
    expect(finished.segments[0]).toMatchObject({ startSeconds: 0, endSeconds: 4.5 });
    expect(typeof finished.segments[0]?.text).toBe('string');
  });

  it('passes an unknown task as MAVI answers it', async () => {
    const res = await stack.gql(GetTranscriptionDocument, { taskNo: 'project_000000000000000000' });
    expect(expectType(res.data?.transcription, 'InvalidParameterError').code).toBe('0001');
  });

  it('refuses an empty taskNo before calling MAVI', async () => {
    stack.sim.resetCalls();
    const res = await stack.gql(GetTranscriptionDocument, { taskNo: '' });
    expect(expectType(res.data?.transcription, 'InvalidParameterError').field).toBe('taskNo');
    expect(stack.sim.calls).toHaveLength(0);
  });
});
