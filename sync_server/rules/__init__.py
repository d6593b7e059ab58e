"""Pure rules of the sync server: no database, no network, no framework."""
