"""
Pure state and rules per emulated API: attrs classes that know nothing about
HTTP. Routes in :mod:`mimic.rest` call them; they take Mimic's clock and id
source as arguments instead of reaching for globals.
"""
