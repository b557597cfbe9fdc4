"""The Textual dashboard: the service-center queue, on the same core as the CLI."""
