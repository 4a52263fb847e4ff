"""The training engine: the runner loop, its state (checkpoints, resume), hooks, optimizers and lr policies.

``builders`` turns the config's engine sections into these objects; ``runner`` only runs the loop.
Import the submodules you need; this package itself imports nothing heavy so that the
plugin-loading path stays torch-free.
"""
