"""How many keys the cloud backends ask for at a time: a few at first, for a
page that needs only the first ones, then more as they are taken."""

FIRST_REQUEST_KEYS = 50
MOST_KEYS_PER_REQUEST = 1000


def request_sizes():
    size = FIRST_REQUEST_KEYS
    while True:
        yield size
        size = min(size * 4, MOST_KEYS_PER_REQUEST)
