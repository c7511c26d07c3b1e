import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a callback URL may be used for; a token for one purpose is refused for the other. */
export type CallbackPurpose = 'upload' | 'transcription';

/**
 * Unforgeable callback URLs. MAVI's callbacks carry no signature, so the gateway puts one in
 * the URL it hands MAVI: an HMAC-SHA256, under the configured secret, of the purpose and the
 * credential id the events belong to. Only URLs this gateway made verify.
 */
export class CallbackSigner {
  readonly #secret: Buffer;

  constructor(secret: string | null) {
    // Without a configured secret, tokens only verify on this instance until it restarts.
    this.#secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  sign(purpose: CallbackPurpose, credentialId: string): string {
    return createHmac('sha256', this.#secret).update(`${purpose}:${credentialId}`).digest('base64url');
  }

  verify(purpose: CallbackPurpose, credentialId: string, token: string): boolean {
    const expected = Buffer.from(this.sign(purpose, credentialId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
