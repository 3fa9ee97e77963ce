"""One parser per inbound format, and the registry the ingest uses."""
