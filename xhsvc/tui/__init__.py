"""The Textual dashboard for the service-center queue (built on the same core as the CLI)."""
