"""
API plugins: each module holds module-level objects providing
:class:`mimic.imimic.IAPIMock`.

Third-party packages may ship a ``mimic/plugins/`` folder without an
``__init__.py``; every such folder on ``sys.path`` is merged into this
package, the way ``twisted.plugins`` works.
"""

from twisted.plugin import pluginPackagePaths

__path__.extend(pluginPackagePaths(__name__))  # noqa: F821
__all__: list = []
