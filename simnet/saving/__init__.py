"""Saving and loading, in one package: the file format, the checks, and the atomic writes.

- ``files``         files and folders written whole (temporary file, fsync, rename, the user's
                    umask), safe file names, ``inside``
- ``schema``        what a saved network's files must be before anything is built from them: the
                    format of ``network.json`` and the checks of ``weights.npz``
- ``folder``        ``save_network`` / ``load_network``: a save folder (network.json, weights.npz,
                    history.npz), swapped in whole
- ``init_weights``  ``--init-weights``: starting weights (and biases) from a file named by connection

Nothing here imports plots, data or the explorer.
"""
from .folder import SAVE_FILES, SAVE_FOLDER_FILES, SavedPaths, load_network, save_network

__all__ = ["SAVE_FILES", "SAVE_FOLDER_FILES", "SavedPaths", "load_network", "save_network"]
