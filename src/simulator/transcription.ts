import type { CallbackSender } from './callbacks.js';
import { optionalUrl, paramError, requireObject, requireString, show, success } from './envelope.js';
import { newTaskNo } from './ids.js';
import type { Handler } from './state.js';
import type { Timers } from './timers.js';
import type { SimScene } from './types.js';

export type TranscriptionType = 'AUDIO' | 'VIDEO';

export interface TranscriptionSegment {
  id: number;
  /** Seconds, as JSON numbers (unlike the string times elsewhere). */
  startTime: number;
  endTime: number;
  content: string;
}

/** The getTranscription `data` object, also the body POSTed to `callBackURI`. */
export interface TranscriptionData {
  taskNo: string;
  status: 'UNFINISHED' | 'FINISH';
  type: TranscriptionType;
  videoNo: string;
  transcriptions: TranscriptionSegment[];
}

interface Task {
  apiKey: string;
  data: TranscriptionData;
}

/** AUDIO: what is said (or a narration of the scene); VIDEO: what is seen. One segment per scene. */
function transcribe(type: TranscriptionType, scenes: readonly SimScene[]): TranscriptionSegment[] {
  return scenes.map((scene, id) => ({
    id,
    startTime: scene.start,
    endTime: scene.end,
    content: type === 'AUDIO' ? (scene.speech ?? `Narrator: ${scene.text}`) : scene.text,
  }));
}

/** Transcription tasks; each belongs to the account that submitted it. */
export class TranscriptionTasks {
  private readonly tasks = new Map<string, Task>();

  constructor(
    private readonly timers: Timers,
    private readonly callbacks: CallbackSender,
    private readonly delayMs: number,
  ) {}

  /** Starts a task that turns FINISH after the delay, then POSTs its data to `callbackUri`. */
  submit(
    apiKey: string,
    videoNo: string,
    type: TranscriptionType,
    scenes: readonly SimScene[],
    callbackUri: string | undefined,
  ): string {
    const taskNo = newTaskNo();
    const data: TranscriptionData = { taskNo, status: 'UNFINISHED', type, videoNo, transcriptions: [] };
    this.tasks.set(taskNo, { apiKey, data });
    // Transcribe what the video held when the task was submitted, even if it is deleted meanwhile.
    const snapshot = scenes.map((scene) => ({ ...scene }));
    this.timers.after(this.delayMs, () => {
      data.status = 'FINISH';
      data.transcriptions = transcribe(type, snapshot);
      if (callbackUri) this.callbacks.post(callbackUri, data);
    });
    return taskNo;
  }

  /** The task's data when it belongs to this account. */
  get(apiKey: string, taskNo: string): TranscriptionData | undefined {
    const task = this.tasks.get(taskNo);
    return task && task.apiKey === apiKey ? task.data : undefined;
  }
}

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
