"""Tables, engine and sessions, migrations, the event log and the queries the interfaces need."""
