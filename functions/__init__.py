"""Azure Functions bindings: one blueprint module per entry-point family.

A function here parses its binding input, calls a plain function in ``shared/``, shapes the
output and maps :mod:`shared.errors` to HTTP. Nothing else.
"""
