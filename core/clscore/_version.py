"""Version of the distribution and of the plugin API it offers."""

__version__ = "0.1.0"

#: Bumped in its minor part when hooks or registry methods are added; plugins depend on ``clscore>=0.1,<1``.
PLUGIN_API_VERSION = "1.0"
