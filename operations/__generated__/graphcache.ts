import type { KeyingConfig } from '@urql/exchange-graphcache';
import type { IntrospectionQuery } from 'graphql';
export default {
  "__schema": {
    "queryType": {
      "name": "Query",
      "kind": "OBJECT"
    },
    "mutationType": {
      "name": "Mutation",
      "kind": "OBJECT"
    },
    "subscriptionType": {
      "name": "Subscription",
      "kind": "OBJECT"
    },
    "types": [
      {
        "kind": "OBJECT",
        "name": "AccessToken",
        "fields": [
          {
            "name": "accessToken",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "expiresIn",
            "type": {
              "kind": "SCALAR",
              "name": "Int",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "refreshExpiresIn",
            "type": {
              "kind": "SCALAR",
              "name": "Int",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "refreshToken",
            "type": {
              "kind": "SCALAR",
              "name": "String",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "tokenType",
            "type": {
              "kind": "SCALAR",
              "name": "String",
              "ofType": null
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "AccountDisabledError",
        "fields": [
          {
            "name": "code",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "retryable",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [
          {
            "kind": "INTERFACE",
            "name": "Error"
          }
        ]
      },
      {
        "kind": "SCALAR",
        "name": "Boolean"
      },
      {
        "kind": "OBJECT",
        "name": "ChatAnswer",
        "fields": [
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "ChatChunk",
        "fields": [
          {
            "name": "delta",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "Clip",
        "fields": [
          {
            "name": "endSeconds",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Float",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "score",
            "type": {
              "kind": "SCALAR",
              "name": "Float",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "startSeconds",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Float",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "video",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Video",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "SCALAR",
        "name": "DateTime"
      },
      {
        "kind": "OBJECT",
        "name": "DeleteVideosPayload",
        "fields": [
          {
            "name": "deletedIds",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "ID",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            },
            "args": []
          },
          {
            "name": "deletedVideoNos",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "ID",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            },
            "args": []
          },
          {
            "name": "failure",
            "type": {
              "kind": "INTERFACE",
              "name": "Error",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "notDeletedVideoNos",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "ID",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "DuplicateRequestError",
        "fields": [
          {
            "name": "code",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "retryable",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [
          {
            "kind": "INTERFACE",
            "name": "Error"
          }
        ]
      },
      {
        "kind": "INTERFACE",
        "name": "Error",
        "fields": [
          {
            "name": "code",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "retryable",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [],
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          },
          {
            "kind": "OBJECT",
            "name": "VideoNotFoundError"
          }
        ]
      },
      {
        "kind": "SCALAR",
        "name": "File"
      },
      {
        "kind": "SCALAR",
        "name": "Float"
      },
      {
        "kind": "SCALAR",
        "name": "ID"
      },
      {
        "kind": "SCALAR",
        "name": "Int"
      },
      {
        "kind": "OBJECT",
        "name": "InvalidParameterError",
        "fields": [
          {
            "name": "code",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "field",
            "type": {
              "kind": "SCALAR",
              "name": "String",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "retryable",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [
          {
            "kind": "INTERFACE",
            "name": "Error"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "Mutation",
        "fields": [
          {
            "name": "chat",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "MutationChatResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "input",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "kind": "SCALAR",
                    "name": "Any"
                  }
                }
              }
            ]
          },
          {
            "name": "deleteVideos",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "MutationDeleteVideosResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "videoNos",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "kind": "LIST",
                    "ofType": {
                      "kind": "NON_NULL",
                      "ofType": {
                        "name": "ID",
                        "kind": "SCALAR",
                        "ofType": null
                      }
                    }
                  }
                }
              }
            ]
          },
          {
            "name": "obtainAccessToken",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "MutationObtainAccessTokenResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "clientId",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "String",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              },
              {
                "name": "code",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "String",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "refreshAccessToken",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "MutationRefreshAccessTokenResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "refreshToken",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "String",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "requestTranscription",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "MutationRequestTranscriptionResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "type",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "kind": "SCALAR",
                    "name": "Any"
                  }
                }
              },
              {
                "name": "videoNo",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "ID",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "uploadVideo",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "MutationUploadVideoResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "file",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "File",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "MutationChatResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "MutationChatSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "MutationChatSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "ChatAnswer",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "MutationDeleteVideosResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "MutationDeleteVideosSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "MutationDeleteVideosSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "DeleteVideosPayload",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "MutationObtainAccessTokenResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "MutationObtainAccessTokenSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "MutationObtainAccessTokenSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "AccessToken",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "MutationRefreshAccessTokenResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "MutationRefreshAccessTokenSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "MutationRefreshAccessTokenSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "AccessToken",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "MutationRequestTranscriptionResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "MutationRequestTranscriptionSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "MutationRequestTranscriptionSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Transcription",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "MutationUploadVideoResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "MutationUploadVideoSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "MutationUploadVideoSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Video",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "INTERFACE",
        "name": "Node",
        "fields": [
          {
            "name": "id",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "ID",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [],
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "Video"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "PageInfo",
        "fields": [
          {
            "name": "endCursor",
            "type": {
              "kind": "SCALAR",
              "name": "String",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "hasNextPage",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "hasPreviousPage",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "startCursor",
            "type": {
              "kind": "SCALAR",
              "name": "String",
              "ofType": null
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "Query",
        "fields": [
          {
            "name": "node",
            "type": {
              "kind": "INTERFACE",
              "name": "Node",
              "ofType": null
            },
            "args": [
              {
                "name": "id",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "ID",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "nodes",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "name": "Node",
                  "kind": "INTERFACE",
                  "ofType": null
                }
              }
            },
            "args": [
              {
                "name": "ids",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "kind": "LIST",
                    "ofType": {
                      "kind": "NON_NULL",
                      "ofType": {
                        "name": "ID",
                        "kind": "SCALAR",
                        "ofType": null
                      }
                    }
                  }
                }
              }
            ]
          },
          {
            "name": "searchClips",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "QuerySearchClipsResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "query",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "String",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              },
              {
                "name": "videoNos",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "kind": "LIST",
                    "ofType": {
                      "kind": "NON_NULL",
                      "ofType": {
                        "name": "ID",
                        "kind": "SCALAR",
                        "ofType": null
                      }
                    }
                  }
                }
              }
            ]
          },
          {
            "name": "searchVideos",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "QuerySearchVideosResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "query",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "String",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "transcription",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "QueryTranscriptionResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "taskNo",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "ID",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "video",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "QueryVideoResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "videoNo",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "ID",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "videos",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "QueryVideosResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "after",
                "type": {
                  "kind": "SCALAR",
                  "name": "String",
                  "ofType": null
                }
              },
              {
                "name": "filter",
                "type": {
                  "kind": "SCALAR",
                  "name": "Any"
                }
              },
              {
                "name": "first",
                "type": {
                  "kind": "SCALAR",
                  "name": "Int",
                  "ofType": null
                }
              }
            ]
          },
          {
            "name": "viewer",
            "type": {
              "kind": "OBJECT",
              "name": "Viewer",
              "ofType": null
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "QuerySearchClipsResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "QuerySearchClipsSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "QuerySearchClipsSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "Clip",
                    "kind": "OBJECT",
                    "ofType": null
                  }
                }
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "QuerySearchVideosResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "QuerySearchVideosSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "QuerySearchVideosSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "Video",
                    "kind": "OBJECT",
                    "ofType": null
                  }
                }
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "QueryTranscriptionResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "QueryTranscriptionSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "QueryTranscriptionSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Transcription",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "QueryVideoResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "QueryVideoSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          },
          {
            "kind": "OBJECT",
            "name": "VideoNotFoundError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "QueryVideoSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Video",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "QueryVideosResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "QueryVideosSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "QueryVideosSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "VideoConnection",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "RateLimitedError",
        "fields": [
          {
            "name": "code",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "retryAfterSeconds",
            "type": {
              "kind": "SCALAR",
              "name": "Int",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "retryable",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [
          {
            "kind": "INTERFACE",
            "name": "Error"
          }
        ]
      },
      {
        "kind": "SCALAR",
        "name": "String"
      },
      {
        "kind": "OBJECT",
        "name": "Subscription",
        "fields": [
          {
            "name": "chatStream",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "SubscriptionChatStreamResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "input",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "kind": "SCALAR",
                    "name": "Any"
                  }
                }
              }
            ]
          },
          {
            "name": "transcriptionProgress",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "SubscriptionTranscriptionProgressResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "taskNo",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "ID",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "videoStatusChanged",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "SubscriptionVideoStatusChangedResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "videoNos",
                "type": {
                  "kind": "LIST",
                  "ofType": {
                    "kind": "NON_NULL",
                    "ofType": {
                      "name": "ID",
                      "kind": "SCALAR",
                      "ofType": null
                    }
                  }
                }
              }
            ]
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "SubscriptionChatStreamResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "SubscriptionChatStreamSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "SubscriptionChatStreamSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "ChatChunk",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "SubscriptionTranscriptionProgressResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "SubscriptionTranscriptionProgressSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "SubscriptionTranscriptionProgressSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Transcription",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "UNION",
        "name": "SubscriptionVideoStatusChangedResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "SubscriptionVideoStatusChangedSuccess"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          },
          {
            "kind": "OBJECT",
            "name": "VideoNotFoundError"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "SubscriptionVideoStatusChangedSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "VideoStatusChange",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "Transcription",
        "fields": [
          {
            "name": "segments",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "TranscriptionSegment",
                    "kind": "OBJECT",
                    "ofType": null
                  }
                }
              }
            },
            "args": []
          },
          {
            "name": "status",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "SCALAR",
                "name": "Any"
              }
            },
            "args": []
          },
          {
            "name": "taskNo",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "ID",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "type",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "SCALAR",
                "name": "Any"
              }
            },
            "args": []
          },
          {
            "name": "videoNo",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "ID",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "TranscriptionSegment",
        "fields": [
          {
            "name": "endSeconds",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Float",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "startSeconds",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Float",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "text",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "UnauthorizedError",
        "fields": [
          {
            "name": "code",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "retryable",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [
          {
            "kind": "INTERFACE",
            "name": "Error"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "UpstreamError",
        "fields": [
          {
            "name": "code",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "httpStatus",
            "type": {
              "kind": "SCALAR",
              "name": "Int",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "retryable",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "upstreamCode",
            "type": {
              "kind": "SCALAR",
              "name": "String",
              "ofType": null
            },
            "args": []
          }
        ],
        "interfaces": [
          {
            "kind": "INTERFACE",
            "name": "Error"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "Video",
        "fields": [
          {
            "name": "clips",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "VideoClipsResult",
                "kind": "UNION",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "query",
                "type": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "String",
                    "kind": "SCALAR",
                    "ofType": null
                  }
                }
              }
            ]
          },
          {
            "name": "durationSeconds",
            "type": {
              "kind": "SCALAR",
              "name": "Float",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "id",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "ID",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "name",
            "type": {
              "kind": "SCALAR",
              "name": "String",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "status",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "SCALAR",
                "name": "Any"
              }
            },
            "args": []
          },
          {
            "name": "uploadedAt",
            "type": {
              "kind": "SCALAR",
              "name": "DateTime",
              "ofType": null
            },
            "args": []
          },
          {
            "name": "videoNo",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "ID",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [
          {
            "kind": "INTERFACE",
            "name": "Node"
          }
        ]
      },
      {
        "kind": "UNION",
        "name": "VideoClipsResult",
        "possibleTypes": [
          {
            "kind": "OBJECT",
            "name": "AccountDisabledError"
          },
          {
            "kind": "OBJECT",
            "name": "DuplicateRequestError"
          },
          {
            "kind": "OBJECT",
            "name": "InvalidParameterError"
          },
          {
            "kind": "OBJECT",
            "name": "RateLimitedError"
          },
          {
            "kind": "OBJECT",
            "name": "UnauthorizedError"
          },
          {
            "kind": "OBJECT",
            "name": "UpstreamError"
          },
          {
            "kind": "OBJECT",
            "name": "VideoClipsSuccess"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "VideoClipsSuccess",
        "fields": [
          {
            "name": "data",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "Clip",
                    "kind": "OBJECT",
                    "ofType": null
                  }
                }
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "VideoConnection",
        "fields": [
          {
            "name": "edges",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "kind": "LIST",
                "ofType": {
                  "kind": "NON_NULL",
                  "ofType": {
                    "name": "VideoEdge",
                    "kind": "OBJECT",
                    "ofType": null
                  }
                }
              }
            },
            "args": []
          },
          {
            "name": "pageInfo",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "PageInfo",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "totalCount",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Int",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "VideoEdge",
        "fields": [
          {
            "name": "cursor",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "node",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Video",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "VideoNotFoundError",
        "fields": [
          {
            "name": "code",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "message",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "String",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "retryable",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Boolean",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          },
          {
            "name": "videoNo",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "ID",
                "kind": "SCALAR",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": [
          {
            "kind": "INTERFACE",
            "name": "Error"
          }
        ]
      },
      {
        "kind": "OBJECT",
        "name": "VideoStatusChange",
        "fields": [
          {
            "name": "previousStatus",
            "type": {
              "kind": "SCALAR",
              "name": "Any"
            },
            "args": []
          },
          {
            "name": "video",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "Video",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": []
          }
        ],
        "interfaces": []
      },
      {
        "kind": "OBJECT",
        "name": "Viewer",
        "fields": [
          {
            "name": "videos",
            "type": {
              "kind": "NON_NULL",
              "ofType": {
                "name": "VideoConnection",
                "kind": "OBJECT",
                "ofType": null
              }
            },
            "args": [
              {
                "name": "after",
                "type": {
                  "kind": "SCALAR",
                  "name": "String",
                  "ofType": null
                }
              },
              {
                "name": "filter",
                "type": {
                  "kind": "SCALAR",
                  "name": "Any"
                }
              },
              {
                "name": "first",
                "type": {
                  "kind": "SCALAR",
                  "name": "Int",
                  "ofType": null
                }
              }
            ]
          }
        ],
        "interfaces": []
      },
      {
        "kind": "SCALAR",
        "name": "Any"
      }
    ],
    "directives": []
  }
} as unknown as IntrospectionQuery;

/** Graphcache keys: types without an id are embedded in their parent (no key, no warning). */
export const keys: KeyingConfig = {
  AccessToken: () => null,
  AccountDisabledError: () => null,
  ChatAnswer: () => null,
  ChatChunk: () => null,
  Clip: () => null,
  DeleteVideosPayload: () => null,
  DuplicateRequestError: () => null,
  InvalidParameterError: () => null,
  MutationChatSuccess: () => null,
  MutationDeleteVideosSuccess: () => null,
  MutationObtainAccessTokenSuccess: () => null,
  MutationRefreshAccessTokenSuccess: () => null,
  MutationRequestTranscriptionSuccess: () => null,
  MutationUploadVideoSuccess: () => null,
  PageInfo: () => null,
  QuerySearchClipsSuccess: () => null,
  QuerySearchVideosSuccess: () => null,
  QueryTranscriptionSuccess: () => null,
  QueryVideoSuccess: () => null,
  QueryVideosSuccess: () => null,
  RateLimitedError: () => null,
  SubscriptionChatStreamSuccess: () => null,
  SubscriptionTranscriptionProgressSuccess: () => null,
  SubscriptionVideoStatusChangedSuccess: () => null,
  Transcription: () => null,
  TranscriptionSegment: () => null,
  UnauthorizedError: () => null,
  UpstreamError: () => null,
  VideoClipsSuccess: () => null,
  VideoConnection: () => null,
  VideoEdge: () => null,
  VideoNotFoundError: () => null,
  VideoStatusChange: () => null,
  Viewer: () => null,
};
