"""
Mimic: an in-memory emulator of cloud APIs and service meshes, on Twisted.

Start it with ``twistd -n mimic`` (or ``mimic``, or ``python -m mimic``) and
point a real client at ``http://127.0.0.1:8900/identity/v2.0/``.
"""

__version__ = "0.1.0"
