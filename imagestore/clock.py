"""The store's clock, as this process reads it.

Processes on one store stamp what they write (journal entries, upload times, the
discovery's turns) and read the journal by time, so their clocks must agree; a VM
resumed from a snapshot, or a host whose time sync failed, can be minutes off. So
they all use the store's clock instead of their own. Every answer from storage
tells the store's time: S3's and Azure's ``Date`` header, to the second; a
folder's files, the file system's time when written. Each answer bounds the
offset between the store's clock and this process's: the store's time lay in
``[low, high]`` at some moment between the request going out and its answer
coming back. ``StoreClock`` keeps the interval that every answer since allows,
narrower with each, and starts again from an answer outside it (a clock that
jumped). Its offset is the interval's middle, or zero where the interval holds
zero: a process whose clock agrees with the store's, as far as the answers can
tell, keeps its own.

A store that tells no time (in memory) is read on the machine's clock, which is
its own.
"""

import logging
import threading
import time
from email.utils import parsedate_to_datetime

SKEW_SAID_NS = 5 * 10**9
SECOND_NS = 10**9
log = logging.getLogger(__name__)


class StoreClock:
    """The store's time, from ``local_ns`` (this process's clock) and the offset answers showed."""

    def __init__(self, local_ns=time.time_ns):
        self.local_ns = local_ns
        self._low = self._high = None
        self._last_stamp = 0
        self._lock = threading.Lock()
        self._skew_said = False

    def observe(self, store_low_ns, store_high_ns, sent_ns, received_ns):
        """Storage said its time lay in ``[store_low_ns, store_high_ns]`` at a moment between
        ``sent_ns`` and ``received_ns`` on this process's clock."""
        low, high = store_low_ns - received_ns, store_high_ns - sent_ns
        with self._lock:
            if self._low is None or low > self._high or high < self._low:
                self._low, self._high = low, high
            else:
                self._low, self._high = max(self._low, low), min(self._high, high)
        self._say_skew_once()

    def observe_date_header(self, date, sent_ns, received_ns):
        """An HTTP ``Date`` header, which gives the store's time to the second; a missing or
        malformed one says nothing."""
        try:
            seconds = int(parsedate_to_datetime(date).timestamp())
        except (TypeError, ValueError, IndexError):
            return
        self.observe(seconds * SECOND_NS, (seconds + 1) * SECOND_NS, sent_ns, received_ns)

    @property
    def offset_ns(self):
        """How far the store's clock is ahead of this process's (negative: behind); 0 until known."""
        with self._lock:
            if self._low is None or self._low <= 0 <= self._high:
                return 0
            return (self._low + self._high) // 2

    def now_ns(self):
        return self.local_ns() + self.offset_ns

    def stamp_ns(self, count=1):
        """The first of ``count`` times in a row on the store's clock, each later than any this
        process stamped before: upload times and journal entries keep the order they were made
        in, whatever the offset's estimate does meanwhile."""
        now = self.now_ns()
        with self._lock:
            first = max(now, self._last_stamp + 1)
            self._last_stamp = first + count - 1
        return first

    def _say_skew_once(self):
        offset = self.offset_ns
        if self._skew_said or abs(offset) <= SKEW_SAID_NS:
            return
        self._skew_said = True
        direction = "behind" if offset > 0 else "ahead of"
        log.warning(
            "this process's clock is %.1f s %s the store's; it stamps uploads and changes by the "
            "store's clock (imagestore_clock_offset_seconds in /metrics)",
            abs(offset) / SECOND_NS,
            direction,
        )
