/** The simulator's transcription tasks: what subTranscription starts and getTranscription reads. */
import type { CallbackSender } from './callbacks.js';
import { newTaskNo } from './ids.js';
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
