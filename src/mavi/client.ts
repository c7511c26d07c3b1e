import { obtainAccessToken, refreshAccessToken } from './auth.js';
import { chat, chatStream } from './chat.js';
import type { Credential } from './credential.js';
import { LIMITS } from './endpoints.js';
import { UnauthorizedError } from './errors.js';
import { searchClips, searchVideos } from './search.js';
import { getTranscription, requestTranscription } from './transcription.js';
import type { MaviTransport } from './transport.js';
import type {
  AccessTokenRecord,
  ChatRequest,
  ClipRecord,
  TranscriptionRecord,
  TranscriptionType,
  UploadSource,
  VideoListParams,
  VideoPage,
  VideoRecord,
} from './types.js';
import { deleteVideos, listVideos, uploadVideo } from './videos.js';

const NO_CREDENTIAL = {
  missing: 'No Authorization header: send your MAVI API key or access token as `Authorization: <key>`.',
  malformed:
    'The Authorization header is malformed: it must be a MAVI API key or access token, optionally after "Bearer ".',
} as const;

/**
 * MAVI as one caller sees it: every endpoint bound to the caller's credential and to the
 * caller's abort signal (a client that goes away aborts its upstream requests). Calls that
 * need a credential fail with UnauthorizedError before any request when there is none.
 */
export class MaviClient {
  constructor(
    readonly transport: MaviTransport,
    readonly credential: Credential | null,
    private readonly credentialProblem: 'missing' | 'malformed' | null = credential ? null : 'missing',
    private readonly signal?: AbortSignal,
  ) {}

  /** The credential, or the UnauthorizedError that explains why there is none. */
  requireCredential(): Credential {
    if (this.credential) return this.credential;
    throw new UnauthorizedError(NO_CREDENTIAL[this.credentialProblem ?? 'missing']);
  }

  listVideos(params: VideoListParams): Promise<VideoPage> {
    return listVideos(this.transport, this.requireCredential(), params, this.signal);
  }

  searchVideos(query: string): Promise<VideoRecord[]> {
    return searchVideos(this.transport, this.requireCredential(), query, this.signal);
  }

  /** One searchVideoFragment call: at most {@link LIMITS.maxFragmentVideos} videos. */
  searchClips(query: string, videoNos: readonly string[]): Promise<ClipRecord[]> {
    return searchClips(this.transport, this.requireCredential(), query, videoNos, this.signal);
  }

  uploadVideo(file: UploadSource, callBackUri?: string): Promise<VideoRecord> {
    return uploadVideo(this.transport, this.requireCredential(), file, { callBackUri, signal: this.signal });
  }

  /**
   * Deletes in chunks of MAVI's 500-per-call limit, one after another so that a failure
   * leaves a known prefix deleted. Returns the videoNos deleted before any failure, and the
   * failure if there was one.
   */
  async deleteVideos(videoNos: readonly string[]): Promise<{ deleted: string[]; failure: unknown }> {
    const credential = this.requireCredential();
    const deleted: string[] = [];
    for (let i = 0; i < videoNos.length; i += LIMITS.maxDeleteVideos) {
      const chunk = videoNos.slice(i, i + LIMITS.maxDeleteVideos);
      try {
        await deleteVideos(this.transport, credential, chunk, this.signal);
      } catch (failure) {
        return { deleted, failure };
      }
      deleted.push(...chunk);
    }
    return { deleted, failure: undefined };
  }

  chat(request: ChatRequest): Promise<string> {
    return chat(this.transport, this.requireCredential(), request, this.signal);
  }

  /** The streamed answer; `signal` ends it (and the upstream request) when the client goes away. */
  chatStream(request: ChatRequest, signal: AbortSignal, idleMs: number): AsyncGenerator<string> {
    return chatStream(this.transport, this.requireCredential(), request, { signal, idleMs });
  }

  requestTranscription(videoNo: string, type: TranscriptionType, callBackURI?: string): Promise<string> {
    return requestTranscription(this.transport, this.requireCredential(), videoNo, type, {
      callBackURI,
      signal: this.signal,
    });
  }

  getTranscription(taskNo: string): Promise<TranscriptionRecord> {
    return getTranscription(this.transport, this.requireCredential(), taskNo, this.signal);
  }

  obtainAccessToken(clientId: string, code: string): Promise<AccessTokenRecord> {
    return obtainAccessToken(this.transport, clientId, code, this.signal);
  }

  refreshAccessToken(refreshToken: string): Promise<AccessTokenRecord> {
    return refreshAccessToken(this.transport, refreshToken, this.signal);
  }
}
