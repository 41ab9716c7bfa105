"""
The ``twistd mimic`` entry point. Kept tiny: ``twistd --help`` imports every
twisted plugin, so the real work is imported only when Mimic starts.
"""

from twisted.application.service import ServiceMaker

mimic = ServiceMaker(
    "Mimic",
    "mimic.tap",
    "An in-memory emulator of cloud APIs and service meshes.",
    "mimic",
)
