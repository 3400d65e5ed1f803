/// The HTTP API as OpenAPI 3.1, served at `GET /openapi.json`. `docs/openapi.json` is the same
/// document pretty-printed; `OpenAPIDocumentTests` checks they agree and that every documented
/// route, status and error shape is what the real routes answer.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Stampede workflow-updates HTTP API",
    "version": "1.0.0",
    "description": "The HTTP half of the workflow-updates contract (docs/CONTRACT.md §7). Live updates travel over Socket.IO at /socket.io/ (not described here). Every error is {\"error\":{\"code\",\"message\"}}. Served by `stampede serve` at /openapi.json; kept in the repository as docs/openapi.json and checked against the real routes by OpenAPIDocumentTests."
  },
  "servers": [
    {
      "url": "http://127.0.0.1:8080"
    }
  ],
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "HS256 by default (or RS256/ES256 from a JWKS). Claims: sub, exp (required), nbf, iat, aud, role ∈ service/admin."
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "code",
              "message"
            ],
            "properties": {
              "code": {
                "type": "string",
                "description": "invalid_request, not_found, forbidden, workflow_terminal, too_many_events, rate_limited, token_missing, token_malformed, token_invalid_signature, token_expired, token_not_yet_valid, audience_mismatch"
              },
              "message": {
                "type": "string"
              },
              "retry_after_ms": {
                "type": "integer",
                "description": "with rate_limited"
              }
            }
          }
        }
      },
      "TaskCard": {
        "type": "object",
        "required": [
          "workflow_id",
          "type",
          "status",
          "query",
          "user_id",
          "created_at"
        ],
        "properties": {
          "workflow_id": {
            "type": "string"
          },
          "type": {
            "enum": [
              "search",
              "external"
            ]
          },
          "status": {
            "enum": [
              "pending",
              "running",
              "completed",
              "failed",
              "cancelled"
            ]
          },
          "query": {
            "type": [
              "string",
              "null"
            ]
          },
          "user_id": {
            "type": "string"
          },
          "created_at": {
            "type": "string",
            "format": "date-time"
          }
        }
      },
      "CreateWorkflow": {
        "type": "object",
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "enum": [
              "search",
              "external"
            ]
          },
          "query": {
            "type": "string",
            "maxLength": 2000,
            "description": "required (non-empty) for search"
          },
          "user_id": {
            "type": "string",
            "description": "service tokens only: create it for that user"
          }
        }
      },
      "Event": {
        "type": "object",
        "required": [
          "type"
        ],
        "additionalProperties": true,
        "description": "node_update {node,status,message?}, tool_update {tool,status,message?,execution_time_ms?}, search_results {query,results,synthesis}, workflow_status {status,error?}, or a custom type ^[a-z][a-z0-9_]{0,63}$ passed through unchanged",
        "properties": {
          "type": {
            "type": "string"
          }
        }
      },
      "WorkflowView": {
        "allOf": [
          {
            "$ref": "#/components/schemas/TaskCard"
          },
          {
            "type": "object",
            "required": [
              "seq",
              "events"
            ],
            "properties": {
              "seq": {
                "type": "integer",
                "description": "the latest seq"
              },
              "events": {
                "type": "array",
                "items": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Event"
                    },
                    {
                      "type": "object",
                      "required": [
                        "workflow_id",
                        "seq",
                        "ts"
                      ],
                      "properties": {
                        "workflow_id": {
                          "type": "string"
                        },
                        "seq": {
                          "type": "integer"
                        },
                        "ts": {
                          "type": "number"
                        }
                      }
                    }
                  ]
                }
              }
            }
          }
        ]
      },
      "Published": {
        "type": "object",
        "required": [
          "seq"
        ],
        "properties": {
          "seq": {
            "type": "array",
            "items": {
              "type": "integer"
            }
          }
        }
      },
      "Stats": {
        "type": "object",
        "required": [
          "total_connections",
          "unique_users",
          "active_workflows",
          "total_subscriptions",
          "running_workflows",
          "transports",
          "events_published",
          "events_delivered",
          "rate_limited",
          "auth_failures",
          "slow_consumer_disconnects",
          "uptime_seconds"
        ],
        "properties": {
          "total_connections": {
            "type": "integer"
          },
          "unique_users": {
            "type": "integer"
          },
          "active_workflows": {
            "type": "integer"
          },
          "total_subscriptions": {
            "type": "integer"
          },
          "running_workflows": {
            "type": "integer"
          },
          "events_published": {
            "type": "integer"
          },
          "events_delivered": {
            "type": "integer"
          },
          "rate_limited": {
            "type": "integer"
          },
          "auth_failures": {
            "type": "integer"
          },
          "slow_consumer_disconnects": {
            "type": "integer"
          },
          "uptime_seconds": {
            "type": "number"
          },
          "transports": {
            "type": "object",
            "required": [
              "websocket",
              "polling"
            ],
            "properties": {
              "websocket": {
                "type": "integer"
              },
              "polling": {
                "type": "integer"
              }
            }
          }
        }
      },
      "Health": {
        "type": "object",
        "required": [
          "status"
        ],
        "properties": {
          "status": {
            "const": "ok"
          }
        }
      }
    }
  },
  "paths": {
    "/": {
      "get": {
        "operationId": "cardsPage",
        "summary": "the task-cards page (HTML; a development token prefilled only with the default secret)",
        "security": [],
        "responses": {
          "200": {
            "description": "text/html",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/assets/{path}": {
      "get": {
        "operationId": "pageAsset",
        "summary": "the page's scripts and styles (cards/…, client/…)",
        "security": [],
        "parameters": [
          {
            "name": "path",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "e.g. cards/main.js"
          }
        ],
        "responses": {
          "200": {
            "description": "the file",
            "content": {
              "text/javascript": {
                "schema": {
                  "type": "string"
                }
              },
              "text/css": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "404": {
            "description": "not_found: no such asset",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/health": {
      "get": {
        "operationId": "health",
        "summary": "liveness",
        "security": [],
        "responses": {
          "200": {
            "description": "ok",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus text exposition",
        "security": [],
        "responses": {
          "200": {
            "description": "text/plain; version=0.0.4",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "this document",
        "security": [],
        "responses": {
          "200": {
            "description": "the OpenAPI 3.1 document",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/websocket/stats": {
      "get": {
        "operationId": "stats",
        "summary": "server stats (admin token when protected by configuration)",
        "security": [
          {},
          {
            "bearer": []
          }
        ],
        "responses": {
          "200": {
            "description": "the counters",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Stats"
                }
              }
            }
          },
          "401": {
            "description": "no or bad token (when protected)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "not an admin token (when protected)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/workflows": {
      "post": {
        "operationId": "createWorkflow",
        "summary": "start a search workflow or create an external one",
        "security": [
          {
            "bearer": []
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CreateWorkflow"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "created",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TaskCard"
                }
              }
            }
          },
          "400": {
            "description": "invalid_request",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "no or bad token",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "user_id of another user without a service token",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "429": {
            "description": "rate_limited, with Retry-After",
            "headers": {
              "Retry-After": {
                "schema": {
                  "type": "integer"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/workflows/{id}": {
      "get": {
        "operationId": "readWorkflow",
        "summary": "the task card, status, seq and retained events",
        "security": [
          {
            "bearer": []
          }
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "workflow id: 1–128 characters of [A-Za-z0-9_.:-]",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9_.:-]{1,128}$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "the workflow",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/WorkflowView"
                }
              }
            }
          },
          "401": {
            "description": "no or bad token",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "another user's workflow",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "not_found",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/workflows/{id}/events": {
      "post": {
        "operationId": "publishEvents",
        "summary": "publish one event or up to 100 (service role)",
        "security": [
          {
            "bearer": []
          }
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "workflow id: 1–128 characters of [A-Za-z0-9_.:-]",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9_.:-]{1,128}$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "oneOf": [
                  {
                    "$ref": "#/components/schemas/Event"
                  },
                  {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Event"
                    },
                    "minItems": 1,
                    "maxItems": 100
                  }
                ]
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "their seqs",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Published"
                }
              }
            }
          },
          "400": {
            "description": "invalid_request",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "no or bad token",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "not a service token",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "not_found",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "workflow_terminal",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "too_many_events",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/workflows/{id}/cancel": {
      "post": {
        "operationId": "cancelWorkflow",
        "summary": "the owner or a service token stops a running workflow; it emits workflow_status cancelled",
        "security": [
          {
            "bearer": []
          }
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "workflow id: 1–128 characters of [A-Za-z0-9_.:-]",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9_.:-]{1,128}$"
            }
          }
        ],
        "responses": {
          "202": {
            "description": "cancelled: the task card",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TaskCard"
                }
              }
            }
          },
          "401": {
            "description": "no or bad token",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "not the owner",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "not_found",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "workflow_terminal: already ended",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    }
  }
}
"""#
}
