"""The document-store port and its adapters (SQLite, PostgreSQL, Cosmos DB). See docs/storage.md."""
