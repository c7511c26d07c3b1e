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

const WATCH = /* GraphQL */ `# Upload a video from another tab (or with curl), then watch it turn PARSE here.
subscription Watch {
  videoStatusChanged {
    ... on SubscriptionVideoStatusChangedSuccess {
      data { previousStatus video { videoNo name status durationSeconds } }
    }
    ... on Error { code message }
  }
}
`;

export function graphiqlTabs(headers: Record<string, string>, live: boolean) {
  const h = JSON.stringify(headers, null, 2);
  return [
    { query: LIBRARY, headers: h },
    { query: SEARCH, headers: h },
    ...(live ? [{ query: WATCH, headers: h }] : []),
  ];
}
