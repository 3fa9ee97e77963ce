"""The ``openalert`` command line: tools that talk to an OpenAlert deployment over its API."""
