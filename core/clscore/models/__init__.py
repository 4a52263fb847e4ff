"""The core's model components: the classifier, a tiny backbone, necks, heads, losses, batch augments.

Nothing is imported here, so that reading this package (e.g. for a factory's signature) stays cheap;
import the submodules, or use :func:`clscore.models.builder.build_model`.
"""
