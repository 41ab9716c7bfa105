"""
The one Klein app every Glance route registers on, whichever module the
route lives in (:mod:`mimic.rest.glance_api`, :mod:`mimic.rest.glance_members`,
:mod:`mimic.rest.glance_import`); :class:`mimic.rest.glance_api.GlanceApi`
serves it.
"""

from __future__ import annotations

from mimic.klein_rendering import MimicKlein

app = MimicKlein()
