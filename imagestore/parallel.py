"""Work spread over threads that still counts as part of the request that started it."""

import contextvars
from concurrent.futures import ThreadPoolExecutor


def map_in_threads(work, items, threads):
    """``[work(item) for item in items]``, run on at most ``threads`` threads, each item in a
    copy of the caller's context (so that its storage calls count towards the request)."""
    items = list(items)
    if not items:
        return []
    contexts = [contextvars.copy_context() for _ in items]
    with ThreadPoolExecutor(max(1, min(threads, len(items)))) as pool:
        return list(pool.map(lambda context, item: context.run(work, item), contexts, items))
