import type { SimVideo } from './types.js';

/** A video as MAVI sends it: epoch ms and seconds as strings, `duration` absent while unknown. */
export interface WireVideo {
  videoNo: string;
  videoName: string;
  videoStatus: string;
  uploadTime: string;
  duration?: string;
}

export function wireVideo(video: SimVideo): WireVideo {
  const wire: WireVideo = {
    videoNo: video.videoNo,
    videoName: video.videoName,
    videoStatus: video.status,
    uploadTime: String(video.uploadTime),
  };
  if (video.duration !== undefined) wire.duration = String(video.duration);
  return wire;
}

/** Fragment bounds as MAVI sends them: seconds with one decimal, as strings ("12.0"). */
export function wireSeconds(seconds: number): string {
  return seconds.toFixed(1);
}
