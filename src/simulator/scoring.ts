/**
 * The simulator's "AI": bag-of-words matching. Simple and deterministic so tests can predict
 * the ranking: score = share of the query's words found in the text.
 */

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does doing for from had has have he her ' +
    'here him his how i if in into is it its me my no not of on or our out over she so some than ' +
    'that the their them then there these they this those to too under up us was we were what when ' +
    'where which while who whom why will with would you your any all about show shows find video ' +
    'videos clip clips moment moments please tell give'
  ).split(' '),
);

/** Folds plurals and -ing forms so "dogs" finds "dog" and "cooking" finds "cook". */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ches|shes|sses|xes)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Lowercase word stems without stopwords, deduplicated. */
export function tokens(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word === '' || STOPWORDS.has(word)) continue;
    out.add(stem(word));
  }
  return out;
}

/** Share (0..1) of the query tokens present in `text`; 0 for a query without content words. */
export function score(query: Set<string>, text: Set<string>): number {
  if (query.size === 0) return 0;
  let found = 0;
  for (const token of query) if (text.has(token)) found += 1;
  return found / query.size;
}
