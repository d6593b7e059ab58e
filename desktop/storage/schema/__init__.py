"""Table declarations per feature area, split so areas evolve independently.

:mod:`desktop.storage.models` imports every module here, so ``Base.metadata`` always
describes the whole schema.
"""
