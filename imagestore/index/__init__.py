"""The store is its own index: the gallery's order, its count and what changed, kept in
the store's own keys, so that every process and host on one store shows one gallery.

- ``order.py``: upload markers, and the gallery's order from a whole listing;
- ``journal.py``: every upload and delete through the app, in the order they came;
- ``snapshot.py``: the gallery's order written down in parts, with a manifest;
- ``view.py``: one process's view: the snapshot, with the journal's changes since;
- ``kept.py``: the view kept in the process, and the work that keeps the snapshot new.
"""
