"""From a partner's file to stored cells: read, harmonise, validate, receipt, ingest."""
