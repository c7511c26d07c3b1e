import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type { TranscriptionRecord, TranscriptionType } from '../mavi/types.js';
import { COST } from './cost.js';
import { id } from './validate.js';

export const TranscriptionTypeEnum = builder.enumType('TranscriptionType', {
  values: {
    AUDIO: { value: 'AUDIO', description: 'Speech to text.' },
    VIDEO: { value: 'VIDEO', description: 'Visual content to text.' },
  } as const,
});

export const TranscriptionStatusEnum = builder.enumType('TranscriptionStatus', {
  values: {
    FINISH: { value: 'FINISH', description: 'Done; segments are complete.' },
    UNFINISHED: { value: 'UNFINISHED', description: 'Still running; segments are empty or partial.' },
  } as const,
});

/**
 * A transcription task. A task just requested is known only by its number, video and type;
 * its status and segments are read from MAVI (getTranscription) only if a client asks.
 */
export interface TranscriptionParent {
  taskNo: string;
  videoNo: string;
  type: TranscriptionType;
  record: TranscriptionRecord | null;
}

function record(
  parent: TranscriptionParent,
  ctx: Context,
): TranscriptionRecord | Promise<TranscriptionRecord> {
  return parent.record ?? ctx.loaders.transcription.load(parent.taskNo);
}

const TranscriptionSegmentRef = builder
  .objectRef<TranscriptionRecord['segments'][number]>('TranscriptionSegment')
  .implement({
    fields: (t) => ({
      startSeconds: t.exposeFloat('startSeconds'),
      endSeconds: t.exposeFloat('endSeconds'),
      text: t.exposeString('text'),
    }),
  });

export const TranscriptionRef = builder.objectRef<TranscriptionParent>('Transcription').implement({
  fields: (t) => ({
    taskNo: t.exposeID('taskNo'),
    videoNo: t.exposeID('videoNo'),
    type: t.field({ type: TranscriptionTypeEnum, resolve: (p) => p.type }),
    status: t.field({
      type: TranscriptionStatusEnum,
      resolve: async (p, _args, ctx) => (await record(p, ctx)).status,
    }),
    segments: t.field({
      type: [TranscriptionSegmentRef],
      resolve: async (p, _args, ctx) => (await record(p, ctx)).segments,
    }),
  }),
});

export function fromRecord(record: TranscriptionRecord): TranscriptionParent {
  return { taskNo: record.taskNo, videoNo: record.videoNo, type: record.type, record };
}

builder.queryField('transcription', (t) =>
  t.field({
    type: TranscriptionRef,
    description: 'A transcription task (MAVI getTranscription).',
    args: { taskNo: t.arg.id({ required: true }) },
    errors: {},
    complexity: COST.getTranscription,
    resolve: async (_root, args, ctx) => {
      const taskNo = id(String(args.taskNo), 'taskNo');
      return fromRecord(await ctx.loaders.transcription.load(taskNo));
    },
  }),
);

builder.mutationField('requestTranscription', (t) =>
  t.field({
    type: TranscriptionRef,
    description: 'Start a transcription task (MAVI subTranscription).',
    args: {
      videoNo: t.arg.id({ required: true }),
      type: t.arg({ type: TranscriptionTypeEnum, required: true }),
    },
    errors: {},
    complexity: (args) => COST.subTranscription[args.type],
    resolve: async (_root, args, ctx) => {
      const videoNo = id(String(args.videoNo), 'videoNo');
      const credential = ctx.mavi.requireCredential();
      const callback = await ctx.services.live.issueCallback('transcription', credential);
      const taskNo = await ctx.mavi.requestTranscription(videoNo, args.type, callback.url);
      await callback.bind(taskNo);
      return { taskNo, videoNo, type: args.type, record: null };
    },
  }),
);
