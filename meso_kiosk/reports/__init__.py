"""PDF rendering from domain snapshots (ConsultationSummary): no Qt, no database handle."""
