"""Use cases the UI and the command line both call: one module per job. No Qt."""
