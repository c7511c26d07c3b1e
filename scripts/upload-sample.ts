/**
 * Uploads a generated sample file through the gateway, as a client would (GraphQL multipart
 * request), so a status subscription in GraphiQL has something to watch turn PARSE.
 *
 *   npm run demo:upload [-- <gateway url> [<credential>] [<filename>]]
 *
 * Defaults: http://localhost:4000/graphql, the embedded simulator's demo key, sample.mp4.
 */
import { DEMO_API_KEY } from '../src/simulator/index.js';

const [url = 'http://localhost:4000/graphql', auth = DEMO_API_KEY, filename = 'sample.mp4'] =
  process.argv.slice(2);
const query = `mutation Upload($file: File!) {
  uploadVideo(file: $file) {
    __typename
    ... on MutationUploadVideoSuccess { data { videoNo name status } }
    ... on Error { code message }
  }
}`;

const form = new FormData();
form.set('operations', JSON.stringify({ query, variables: { file: null } }));
form.set('map', JSON.stringify({ 0: ['variables.file'] }));
form.set('0', new File([new Uint8Array(2 * 1024 * 1024).fill(42)], filename, { type: 'video/mp4' }));

const response = await fetch(url, {
  method: 'POST',
  headers: { authorization: auth, 'graphql-preflight': '1' },
  body: form,
});
console.log(JSON.stringify(await response.json(), null, 2));
