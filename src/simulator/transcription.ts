import { optionalUrl, paramError, requireObject, requireString, show, success } from './envelope.js';
import type { Handler } from './state.js';

export const subTranscription: Handler = (ex, state) => {
  const body = requireObject(ex.body);
  const videoNo = requireString(body, 'videoNo');
  const type = body.type;
  if (type !== 'AUDIO' && type !== 'VIDEO') {
    // "AUDIO/VIDEO" is the doc's placeholder, reported not to work (v1.0.md §4.2).
    throw paramError(`type must be AUDIO or VIDEO (one per task); received ${show(type)}`);
  }
  // The doc spells it callBackURI; clients also send callBackUri (v1.0.md §6.6).
  const callbackField = body.callBackURI !== undefined ? 'callBackURI' : 'callBackUri';
  const callbackUri = optionalUrl(body[callbackField], callbackField);
  const video = ex.account!.videos.get(videoNo);
  if (!video) throw paramError(`videoNo must name a video of this account; received ${show(videoNo)}`);
  if (video.status !== 'PARSE')
    throw paramError(`transcription needs a PARSE video; ${videoNo} is ${video.status}`);
  const taskNo = state.tasks.submit(ex.account!.apiKey, videoNo, type, video.scenes, callbackUri);
  return success({ taskNo });
};

export const getTranscription: Handler = (ex, state) => {
  const taskNo = ex.query.get('taskNo')?.trim() ?? '';
  if (taskNo === '') throw paramError('taskNo is required in the query string; received nothing');
  const data = state.tasks.get(ex.account!.apiKey, taskNo);
  if (!data)
    throw paramError(`taskNo must name a transcription task of this account; received ${show(taskNo)}`);
  return success(data);
};
