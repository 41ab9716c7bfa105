"""
One module per HTTP API: request parsing, routing and error shapes. Routes
are thin; the rules live in :mod:`mimic.model`.
"""
