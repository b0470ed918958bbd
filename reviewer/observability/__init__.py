"""Operating the console: the client's address behind a trusted proxy, request IDs, logs,
error reporting and the readiness probe."""
