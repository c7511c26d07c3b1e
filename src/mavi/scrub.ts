/**
 * Removes the caller's own secrets from what MAVI answers, before anything reads it.
 *
 * MAVI may echo what it was sent: the Authorization value in a 0401's msg, in a code, a data
 * field, an HTML error page or a streamed chat chunk; the token calls' code or refresh token
 * likewise. The transport knows those exact values, so it removes them from the raw answer
 * text, whatever MAVI wrapped them in, before the envelope is opened: nothing after that (error
 * messages, data, logs, metrics) can see them. The generic, shape-based `scrubSecrets`
 * (below) stays for free text, where the secret is not known.
 *
 * What is removed: every run of at least {@link MIN_PIECE} characters that matches the secret
 * (so the whole secret, and truncated or partly masked pieces of it), compared case-blind, in
 * the secret's raw, URL-encoded, JSON-escaped and HTML-escaped forms, and JSON `\u` escapes of
 * printable ASCII are read as the characters they stand for. A `Bearer ` prefix goes with the
 * secret's part of it.
 *
 * Hand-written because no library does this (redaction libraries match shapes or fixed
 * strings, not pieces of a known secret), and it runs on every answer: the usual answer holds
 * no piece, and the cost is then one lowercase copy of the body and a few native indexOf
 * scans, one per {@link GRAM} characters of each form (measured in bench overhead, see the
 * commit that added this file).
 */

/** Shortest piece of a secret that is removed: 10 characters, about 40 bits of a hex key. */
export const MIN_PIECE = 10;
/**
 * Pieces are found through the secret's grams of 5 characters at offsets 0, 5, 10...: any run of
 * 2 × 5 − 1 = 9 characters or more contains one whole, so every piece of {@link MIN_PIECE} is found.
 */
const GRAM = 5;
/** What a removed piece is replaced by (JSON-safe inside a string, and recognisable). */
export const REDACTED = '[redacted]';

/** One gram's text and every place it sits in the forms: searched once, extended per place. */
interface Gram {
  text: string;
  places: { form: string; at: number }[];
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The forms a secret may take in an answer, lowercased and distinct. */
function formsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [
    secret,
    encodeURIComponent(secret),
    json,
    json.replaceAll('/', '\\/'),
    // The secret as text inside a JSON string inside a JSON string (an escaped msg).
    JSON.stringify(json).slice(1, -1),
    secret.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c),
  ];
  return [...new Set(forms.map(asciiLower))];
}

/** Lowercases A-Z only, so that every index in the result is the same index in the input. */
function asciiLower(text: string): string {
  const lower = text.toLowerCase();
  // toLowerCase can lengthen a string (U+0130 becomes two code units); then go the slow way.
  return lower.length === text.length ? lower : text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

/** `\u0041`-style escapes of printable ASCII. */
const ASCII_ESCAPE = /\\u00([2-7][0-9a-fA-F])/g;

/**
 * JSON text with its `\u` escapes of printable ASCII written as the characters (`"` and `\`
 * as their short escapes): the same JSON, in which the secret's JSON-escaped form can be found.
 */
function unescapeAscii(text: string): string {
  return text.replace(ASCII_ESCAPE, (sequence, hex: string) => {
    const code = Number.parseInt(hex, 16);
    if (code === 0x22) return '\\"';
    if (code === 0x5c) return '\\\\';
    return code > 0x20 && code < 0x7f ? String.fromCharCode(code) : sequence;
  });
}

export class SecretScrubber {
  readonly #grams: Gram[];
  /** Shortest run removed: MIN_PIECE, or a whole form when the secret is shorter. */
  readonly #min: number;
  /** Longest form: how much of a stream's earlier text a piece can continue. */
  readonly #longest: number;

  /** A scrubber for these secrets (empty ones ignored), or null when there is none. */
  static of(secrets: readonly (string | undefined)[]): SecretScrubber | null {
    const present = secrets.filter((s): s is string => typeof s === 'string' && s !== '');
    return present.length === 0 ? null : new SecretScrubber(present);
  }

  private constructor(secrets: readonly string[]) {
    let min = MIN_PIECE;
    let longest = 0;
    // The forms differ only around the characters they escape: most grams are shared.
    const grams = new Map<string, Gram>();
    const add = (text: string, form: string, at: number) => {
      const gram = grams.get(text) ?? { text, places: [] };
      gram.places.push({ form, at });
      grams.set(text, gram);
    };
    for (const secret of secrets) {
      for (const form of formsOf(secret)) {
        min = Math.min(min, form.length);
        longest = Math.max(longest, form.length);
        if (form.length <= GRAM) add(form, form, 0);
        else for (let at = 0; at + GRAM <= form.length; at += GRAM) add(form.slice(at, at + GRAM), form, at);
      }
    }
    this.#grams = [...grams.values()];
    this.#min = min;
    this.#longest = longest;
  }

  /** The text with every piece of the secrets replaced by {@link REDACTED}; the same string when there is none. */
  scrub(text: string): string {
    if (text.length < this.#min) return text;
    const source = text.includes('\\u00') ? unescapeAscii(text) : text;
    const ranges = this.#find(source);
    return ranges.length === 0 ? source : redact(source, ranges, 0);
  }

  /**
   * A scrub for text relayed in pieces (a streamed chat answer): a secret split across pieces
   * is found in the earlier pieces' end joined with the new one, and the new piece's part of it
   * removed, so no more than MIN_PIECE − 1 characters of it can ever have gone out.
   */
  continuing(): (piece: string) => string {
    let tail = '';
    return (piece) => {
      const joined = tail + piece;
      const ranges = this.#find(joined);
      tail = joined.slice(-this.#longest);
      return ranges.length === 0 ? piece : redact(joined, ranges, joined.length - piece.length);
    };
  }

  /** The runs to remove, as [start, end) pairs, sorted and merged. */
  #find(text: string): [number, number][] {
    const lower = asciiLower(text);
    const found: [number, number][] = [];
    for (const gram of this.#grams) {
      const size = gram.text.length;
      // A hit inside the run this gram already found adds nothing (its other alignments, if
      // they reach further, reach grams of their own).
      let covered = -1;
      for (let hit = lower.indexOf(gram.text); hit !== -1; hit = lower.indexOf(gram.text, hit + 1)) {
        if (hit + size <= covered) continue;
        for (const { form, at } of gram.places) {
          let start = hit;
          for (let j = at - 1; start > 0 && j >= 0 && lower.charCodeAt(start - 1) === form.charCodeAt(j); j--)
            start--;
          let end = hit + size;
          for (let j = at + size; end < lower.length && j < form.length; j++) {
            if (lower.charCodeAt(end) !== form.charCodeAt(j)) break;
            end++;
          }
          if (end - start >= Math.min(this.#min, form.length)) {
            found.push([start, end]);
            covered = Math.max(covered, end);
          }
        }
      }
    }
    if (found.length <= 1) return found;
    found.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [found[0] as [number, number]];
    for (const range of found) {
      const last = merged[merged.length - 1] as [number, number];
      if (range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push(range);
    }
    return merged;
  }

  toString(): string {
    return 'SecretScrubber';
  }

  toJSON(): string {
    return this.toString();
  }
}

/** `text` from `from` on, with each range (clamped to `from`) replaced by REDACTED. */
function redact(text: string, ranges: [number, number][], from: number): string {
  let out = '';
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    out += text.slice(at, Math.max(at, start)) + REDACTED;
    at = end;
  }
  return out + text.slice(at);
}

/**
 * Text that may be a credential: `Bearer <anything>`, `sk-` keys, and long opaque tokens
 * (24+ characters mixing letters and digits). MAVI's own ids (mavi_video_…, project_…) are
 * kept: they are not secrets and make a log line useful.
 */
const SECRET_LIKE =
  /Bearer\s+\S+|\bsk-[A-Za-z0-9_-]{8,}|(?<![\w-])(?=[A-Za-z0-9+/_=-]*\d)(?=[A-Za-z0-9+/_=-]*[A-Za-z])[A-Za-z0-9+/_=-]{24,}/g;
const MAVI_ID = /^(mavi_video_|project_)\d+$/;

/** Removes what may be a credential from free text (error messages that yoga logs). */
export function scrubSecrets(text: string): string {
  return text.replace(SECRET_LIKE, (match) => (MAVI_ID.test(match) ? match : '[redacted]'));
}
