import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a callback URL may be used for; a token for one purpose is refused for the other. */
export type CallbackPurpose = 'upload' | 'transcription';

/** Bytes of randomness naming one upload's or one task's callback URL. */
const NONCE_BYTES = 16;

/**
 * Unforgeable callback URLs, one per upload or transcription task. MAVI's callbacks carry no
 * signature, so the gateway puts one in the URL it hands MAVI: an HMAC-SHA256, under the
 * configured secret, of the purpose, the credential id the events belong to and a nonce of
 * that one URL. Only URLs this gateway made verify, and since each names a single upload or
 * task, the live service binds it to the video or task MAVI answered with: a URL's holder
 * cannot report on any other video (see LiveService.callbackSubject).
 */
export class CallbackSigner {
  readonly #secret: Buffer;

  constructor(secret: string | null) {
    // Without a configured secret, tokens only verify on this instance until it restarts.
    this.#secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** A fresh nonce: 22 base64url characters. */
  static nonce(): string {
    return randomBytes(NONCE_BYTES).toString('base64url');
  }

  sign(purpose: CallbackPurpose, credentialId: string, nonce: string): string {
    return createHmac('sha256', this.#secret)
      .update(`${purpose}:${credentialId}:${nonce}`)
      .digest('base64url');
  }

  verify(purpose: CallbackPurpose, credentialId: string, nonce: string, token: string): boolean {
    const expected = Buffer.from(this.sign(purpose, credentialId, nonce));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/** The path of a callback URL: /webhooks/mavi/<purpose>/<credential id>/<nonce>/<token>. */
export const CALLBACK_ROUTE =
  /^\/webhooks\/mavi\/(upload|transcription)\/([0-9a-f]{32})\/([A-Za-z0-9_-]{22})\/([A-Za-z0-9_-]{43})$/;

/** A callback URL handed to MAVI for one upload or one transcription task. */
export interface IssuedCallback {
  url: string;
  /**
   * Binds the URL to what MAVI named in its answer (the upload's videoNo, the task's taskNo),
   * so that a callback to it can only report on that. A URL never bound answers no callback.
   * Never rejects: a binding that cannot be stored is logged, and polling covers that one.
   */
  bind(subject: string): Promise<void>;
}
