"""Layers for sequences: ``Embedding`` (rows looked up) and ``Recurrent`` (neurons fed back through time).

The rows of their neurons are the steps of one sequence; see ``recurrent.py`` for the model.
"""
from .embedding import Embedding
from .recurrent import Recurrent, sequence_histories

SEQUENCE_LAYER_KINDS = {cls.__name__: cls for cls in (Embedding, Recurrent)}

__all__ = ["SEQUENCE_LAYER_KINDS", "Embedding", "Recurrent", "sequence_histories"]
