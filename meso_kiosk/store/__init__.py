"""SQLite persistence: schema, migrations, audit log and one module per record kind. No Qt."""
