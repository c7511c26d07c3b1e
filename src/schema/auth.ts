import { builder } from '../builder.js';
import type { AccessTokenRecord } from '../mavi/types.js';
import { COST } from './cost.js';
import { text } from './validate.js';

const MAX_TOKEN_INPUT = 4096;

const AccessTokenRef = builder.objectRef<AccessTokenRecord>('AccessToken').implement({
  description: "MAVI's O2O tokens. Send accessToken as the Authorization header of later requests.",
  fields: (t) => ({
    accessToken: t.exposeString('accessToken'),
    refreshToken: t.exposeString('refreshToken', { nullable: true }),
    expiresIn: t.exposeInt('expiresIn', {
      nullable: true,
      description: 'As MAVI sends it (unit undocumented).',
    }),
    refreshExpiresIn: t.exposeInt('refreshExpiresIn', { nullable: true }),
    tokenType: t.exposeString('tokenType', { nullable: true }),
  }),
});

builder.mutationField('obtainAccessToken', (t) =>
  t.field({
    type: AccessTokenRef,
    description:
      'MAVI authentication API: exchange clientId + code for tokens. Needs no Authorization header.',
    args: {
      clientId: t.arg.string({ required: true }),
      code: t.arg.string({ required: true }),
    },
    errors: {},
    complexity: COST.token,
    resolve: (_root, args, ctx) =>
      ctx.mavi.obtainAccessToken(
        text(args.clientId, 'clientId', MAX_TOKEN_INPUT),
        text(args.code, 'code', MAX_TOKEN_INPUT),
      ),
  }),
);

builder.mutationField('refreshAccessToken', (t) =>
  t.field({
    type: AccessTokenRef,
    description: 'MAVI authentication API: new access token from a refresh token.',
    args: { refreshToken: t.arg.string({ required: true }) },
    errors: {},
    complexity: COST.token,
    resolve: (_root, args, ctx) =>
      ctx.mavi.refreshAccessToken(text(args.refreshToken, 'refreshToken', MAX_TOKEN_INPUT)),
  }),
);
