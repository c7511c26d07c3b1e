import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ListVideosDocument,
  ObtainAccessTokenDocument,
  RefreshAccessTokenDocument,
} from '../operations/__generated__/graphql.js';
import { expectType, type Stack, startStack } from './helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('MAVI authentication API', () => {
  it('exchanges clientId + code for tokens without an Authorization header, and the token works', async () => {
    const key = stack.newAccount({ seed: false });
    stack.sim.addVideo(key);
    const { clientId, code } = stack.sim.issueAuthCode(key);
    const obtained = await stack.gql(ObtainAccessTokenDocument, { clientId, code }, { auth: null });
    const tokens = expectType(obtained.data?.obtainAccessToken, 'MutationObtainAccessTokenSuccess').data;
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 7200, refreshExpiresIn: 5184000 });
    expect(stack.sim.callsTo('getAccessToken').at(-1)?.authorization).toBeUndefined();

    const listed = await stack.gql(ListVideosDocument, {}, { auth: `Bearer ${tokens.accessToken}` });
    expect(expectType(listed.data?.videos, 'QueryVideosSuccess').data.totalCount).toBe(1);

    const refreshed = await stack.gql(
      RefreshAccessTokenDocument,
      { refreshToken: tokens.refreshToken ?? '' },
      { auth: null },
    );
    const fresh = expectType(refreshed.data?.refreshAccessToken, 'MutationRefreshAccessTokenSuccess').data;
    expect(fresh.accessToken).not.toBe(tokens.accessToken);
    const again = await stack.gql(ListVideosDocument, {}, { auth: fresh.accessToken });
    expect(expectType(again.data?.videos, 'QueryVideosSuccess').data.totalCount).toBe(1);
  });

  it('passes a used or wrong code as UnauthorizedError', async () => {
    const key = stack.newAccount();
    const { clientId } = stack.sim.issueAuthCode(key);
    const res = await stack.gql(ObtainAccessTokenDocument, { clientId, code: 'wrong' }, { auth: null });
    expect(expectType(res.data?.obtainAccessToken, 'UnauthorizedError').code).toBe('0401');
  });

  it('refuses empty arguments before calling MAVI', async () => {
    stack.sim.resetCalls();
    const res = await stack.gql(RefreshAccessTokenDocument, { refreshToken: '' }, { auth: null });
    expect(expectType(res.data?.refreshAccessToken, 'InvalidParameterError').field).toBe('refreshToken');
    expect(stack.sim.calls).toHaveLength(0);
  });
});
