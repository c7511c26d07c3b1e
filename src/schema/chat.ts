import { builder } from '../builder.js';
import { LIMITS } from '../mavi/endpoints.js';
import { InvalidParameterError } from '../mavi/errors.js';
import type { ChatRequest } from '../mavi/types.js';
import { COST } from './cost.js';
import { idList, MAX_CHAT_HISTORY, MAX_CHAT_TEXT_LENGTH, text } from './validate.js';

const ChatTurnInput = builder.inputType('ChatTurnInput', {
  description: 'One earlier exchange of the conversation.',
  fields: (t) => ({
    user: t.string({ required: true }),
    assistant: t.string({ required: true, description: "The assistant's reply (MAVI calls it robot)." }),
  }),
});

export const ChatInput = builder.inputType('ChatInput', {
  fields: (t) => ({
    videoNos: t.idList({ required: true }),
    message: t.string({ required: true }),
    history: t.field({ type: [ChatTurnInput] }),
  }),
});

type ChatInputShape = typeof ChatInput.$inferInput;

/** Checks a chat input before MAVI sees it; shared by chat and chatStream. */
export function chatRequest(input: ChatInputShape): ChatRequest {
  const history = input.history ?? [];
  if (history.length > MAX_CHAT_HISTORY) {
    throw new InvalidParameterError(
      `input.history may hold at most ${MAX_CHAT_HISTORY} turns; got ${history.length}.`,
      'input.history',
    );
  }
  return {
    videoNos: idList(input.videoNos.map(String), 'input.videoNos', LIMITS.maxFragmentVideos),
    message: text(input.message, 'input.message', MAX_CHAT_TEXT_LENGTH),
    history: history.map((turn, i) => ({
      user: text(turn.user, `input.history[${i}].user`, MAX_CHAT_TEXT_LENGTH),
      assistant: text(turn.assistant, `input.history[${i}].assistant`, MAX_CHAT_TEXT_LENGTH),
    })),
  };
}

const ChatAnswer = builder.objectRef<{ message: string }>('ChatAnswer').implement({
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.mutationField('chat', (t) =>
  t.field({
    type: ChatAnswer,
    description: 'Ask a question about one or more videos (MAVI chat, stream=false).',
    args: { input: t.arg({ type: ChatInput, required: true }) },
    errors: {},
    complexity: COST.chat,
    resolve: async (_root, args, ctx) => {
      const request = chatRequest(args.input);
      return { message: await ctx.mavi.chat(request) };
    },
  }),
);
