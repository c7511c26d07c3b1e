/**
 * The tabs GraphiQL opens with: a tour of the API that works against the embedded simulator.
 */
const LIBRARY = /* GraphQL */ `# Welcome to the MAVI GraphQL gateway.
# Your MAVI API key (or access token) goes in the Headers tab as {"Authorization": "<key>"}.
# Every field answers a result union: its Success type, or a typed error.
query Library($first: Int = 5, $after: String) {
  videos(first: $first, after: $after) {
    __typename
    ... on QueryVideosSuccess {
      data {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          node {
            videoNo
            name
            status
            uploadedAt
            durationSeconds
            clips(query: "dog") {
              ... on VideoClipsSuccess { data { startSeconds endSeconds score } }
            }
          }
        }
      }
    }
    ... on Error { code message retryable }
  }
}
`;

const SEARCH = /* GraphQL */ `query Search {
  searchVideos(query: "cooking pasta") {
    ... on QuerySearchVideosSuccess { data { videoNo name status } }
    ... on Error { code message }
  }
}
`;

const WATCH = /* GraphQL */ `# Run this, then upload a sample from a terminal (npm run demo:upload):
# the video appears as UNPARSE, then turns PARSE when MAVI (here the simulator) has parsed it.
subscription Watch {
  videoStatusChanged {
    ... on SubscriptionVideoStatusChangedSuccess {
      data { previousStatus video { videoNo name status durationSeconds } }
    }
    ... on Error { code message }
  }
}
`;

export function graphiqlTabs(headers: Record<string, string>) {
  const h = JSON.stringify(headers, null, 2);
  return [
    { query: LIBRARY, headers: h },
    { query: SEARCH, headers: h },
    { query: WATCH, headers: h },
  ];
}
