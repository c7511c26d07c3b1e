import type { Credential } from './credential.js';
import { nonEmptyString, numeric, object, optionalArray, optionalNumeric } from './decode.js';
import type { MaviTransport } from './transport.js';
import type { ClipRecord, VideoRecord } from './types.js';
import { decodeVideo } from './videos.js';

/** searchAI: whole videos matching a natural-language query, most relevant first. */
export function searchVideos(
  transport: MaviTransport,
  credential: Credential | null,
  query: string,
  signal?: AbortSignal,
): Promise<VideoRecord[]> {
  return transport.call('searchAI', {
    credential,
    signal,
    json: { searchValue: query },
    decode: (data) => {
      if (data == null) return [];
      const d = object(data, 'data');
      return optionalArray(d.videos, 'data.videos').map((v, i) => decodeVideo(v, `data.videos[${i}]`, false));
    },
  });
}

/**
 * searchVideoFragment: clips inside at most 50 given videos, most relevant first. One video
 * can appear several times, once per clip.
 */
export function searchClips(
  transport: MaviTransport,
  credential: Credential | null,
  query: string,
  videoNos: readonly string[],
  signal?: AbortSignal,
): Promise<ClipRecord[]> {
  return transport.call('searchVideoFragment', {
    credential,
    signal,
    json: { videoNos, searchValue: query },
    decode: (data) => {
      if (data == null) return [];
      const d = object(data, 'data');
      return optionalArray(d.videos, 'data.videos').map((value, rank) => {
        const path = `data.videos[${rank}]`;
        const o = object(value, path);
        const video = decodeVideo(value, path, false);
        return {
          videoNo: nonEmptyString(o.videoNo, `${path}.videoNo`),
          video,
          startSeconds: numeric(o.fragmentStartTime, `${path}.fragmentStartTime`),
          endSeconds: numeric(o.fragmentEndTime, `${path}.fragmentEndTime`),
          score: optionalNumeric(o.score, `${path}.score`),
          rank,
        };
      });
    },
  });
}
