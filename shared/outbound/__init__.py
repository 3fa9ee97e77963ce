"""Outbound calls to user-configured targets: the guard's decision (``guard``) and the one
client that enforces it at connect time (``client``)."""
