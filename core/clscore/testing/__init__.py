"""Helpers for testing clscore plugins (also a pytest plugin: the ``clscore_host`` fixture).

>>> host = isolated_host(MyPlugin(), entry_points=False)   # only the built-ins and MyPlugin
"""

from clscore.testing._host import isolated_host, use_host

__all__ = ["isolated_host", "use_host"]
