"""OpenAlert's product code.

Nothing in this package imports ``azure.functions`` or ``azure.durable_functions``: bindings live
in ``functions/`` and only translate between the Functions runtime and the plain functions here.
"""
