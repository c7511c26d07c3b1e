import { createHash, randomBytes } from 'node:crypto';

/**
 * One counter for the whole process, so ids stay unique even when several simulators run in
 * the same test process (a gateway test may talk to two). Seeded from the clock scaled to 18
 * digits, like MAVI's snowflake-looking ids (`mavi_video_554046065381212160`).
 */
let next = BigInt(Date.now()) * 100_000n;

function nextDigits(): string {
  next += 1n;
  return next.toString().padStart(18, '0');
}

/** `mavi_video_` + 18 digits. */
export function newVideoNo(): string {
  return `mavi_video_${nextDigits()}`;
}

/** `project_` + 18 digits, the form observed for live transcription task numbers. */
export function newTaskNo(): string {
  return `project_${nextDigits()}`;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A MAVI-shaped API key: `sk-` + 32 lowercase hex. */
export function newApiKey(): string {
  return `sk-${randomHex(16)}`;
}

/**
 * MAVI's account id (32 hex), derived from the key so an account re-created on the next start
 * (the demo account, an auto-registered key) keeps the same clientId in callbacks.
 */
export function clientIdFor(apiKey: string): string {
  return createHash('sha256').update(`clientId:${apiKey}`).digest('hex').slice(0, 32);
}

export const API_KEY_PATTERN = /^sk-[0-9a-f]{32}$/;

/** The demo account's key; the account always exists, seeded. */
export const DEMO_API_KEY = `sk-${'de70'.repeat(8)}`;
