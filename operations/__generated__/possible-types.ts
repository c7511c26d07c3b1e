
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Error": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError",
      "VideoNotFoundError"
    ],
    "MutationChatResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationChatSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationDeleteVideosResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationDeleteVideosSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationObtainAccessTokenResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationObtainAccessTokenSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationRefreshAccessTokenResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationRefreshAccessTokenSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationRequestTranscriptionResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationRequestTranscriptionSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationUploadVideoResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationUploadVideoSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "Node": [
      "Video"
    ],
    "QuerySearchClipsResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QuerySearchClipsSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "QuerySearchVideosResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QuerySearchVideosSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "QueryTranscriptionResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QueryTranscriptionSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "QueryVideoResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QueryVideoSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError",
      "VideoNotFoundError"
    ],
    "QueryVideosResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QueryVideosSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "SubscriptionChatStreamResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "SubscriptionChatStreamSuccess",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "SubscriptionTranscriptionProgressResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "SubscriptionTranscriptionProgressSuccess",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "SubscriptionVideoStatusChangedResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "SubscriptionVideoStatusChangedSuccess",
      "UnauthorizedError",
      "UpstreamError",
      "VideoNotFoundError"
    ],
    "VideoClipsResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError",
      "VideoClipsSuccess"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Error": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError",
      "VideoNotFoundError"
    ],
    "MutationChatResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationChatSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationDeleteVideosResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationDeleteVideosSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationObtainAccessTokenResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationObtainAccessTokenSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationRefreshAccessTokenResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationRefreshAccessTokenSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationRequestTranscriptionResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationRequestTranscriptionSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "MutationUploadVideoResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "MutationUploadVideoSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "Node": [
      "Video"
    ],
    "QuerySearchClipsResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QuerySearchClipsSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "QuerySearchVideosResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QuerySearchVideosSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "QueryTranscriptionResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QueryTranscriptionSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "QueryVideoResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QueryVideoSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError",
      "VideoNotFoundError"
    ],
    "QueryVideosResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "QueryVideosSuccess",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "SubscriptionChatStreamResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "SubscriptionChatStreamSuccess",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "SubscriptionTranscriptionProgressResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "SubscriptionTranscriptionProgressSuccess",
      "UnauthorizedError",
      "UpstreamError"
    ],
    "SubscriptionVideoStatusChangedResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "SubscriptionVideoStatusChangedSuccess",
      "UnauthorizedError",
      "UpstreamError",
      "VideoNotFoundError"
    ],
    "VideoClipsResult": [
      "AccountDisabledError",
      "DuplicateRequestError",
      "InvalidParameterError",
      "RateLimitedError",
      "UnauthorizedError",
      "UpstreamError",
      "VideoClipsSuccess"
    ]
  }
};
      export default result;
    