"""Keys derived from uploaded filenames: safe for every backend, readable, unchanged when already safe."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imagestore.keys import MAX_KEY_BYTES, is_servable_key, key_from_filename, unique_key


def is_safe(key):
    return (
        0 < len(key.encode()) <= MAX_KEY_BYTES
        and "/" not in key
        and "\\" not in key
        and not key.startswith(".")
        and not any(unicodedata.category(ch) == "Cc" for ch in key)
    )


@given(st.text(max_size=2000))
def test_any_filename_gives_a_safe_key(filename):
    assert is_safe(key_from_filename(filename, ".png"))


@given(st.text(max_size=2000))
def test_a_key_is_its_own_key(filename):
    key = key_from_filename(filename, ".png")
    assert key_from_filename(key) == key


@given(st.text(max_size=2000))
def test_every_key_can_be_looked_up_from_a_url(filename):
    assert is_servable_key(key_from_filename(filename, ".png"))


@given(st.text(max_size=300), st.integers(min_value=1, max_value=30))
def test_unique_variants_of_one_name_are_safe_and_distinct(filename, count):
    variants = []
    for _ in range(count):
        variants.append(unique_key(key_from_filename(filename, ".jpg"), variants.__contains__))
    assert len(set(variants)) == count
    assert all(is_safe(variant) for variant in variants)


@pytest.mark.parametrize(
    ("filename", "key"),
    [
        ("holiday.jpg", "holiday.jpg"),
        ("Été à Paris (1).jpg", "Été à Paris (1).jpg"),
        ("写真 2024.png", "写真 2024.png"),
        ("quote\"and'apostrophe.png", "quote\"and'apostrophe.png"),
        ("a..b.png", "a..b.png"),
        ("../../etc/passwd", "passwd"),
        ("/absolute/path/shot.png", "shot.png"),
        ("C:\\Users\\me\\shot.png", "shot.png"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("line\r\nbreak.png", "linebreak.png"),
        ("nul\x00byte.png", "nulbyte.png"),
        ("\u202egnp.exe", "gnp.exe"),
        (".htaccess", "htaccess"),
        ("...", "image.png"),
        ("", "image.png"),
        ("   ", "image.png"),
        ("/", "image.png"),
    ],
)
def test_example_filenames(filename, key):
    assert key_from_filename(filename, ".png") == key


def test_a_long_name_keeps_its_extension_within_255_bytes():
    key = key_from_filename("写" * 1000 + ".jpeg")
    assert key.endswith(".jpeg") and len(key.encode()) <= 255
    assert set(key.removesuffix(".jpeg")) == {"写"}


def test_a_taken_key_gets_the_next_free_number():
    taken = {"cat.png", "cat-2.png"}
    assert unique_key("cat.png", taken.__contains__) == "cat-3.png"


@pytest.mark.parametrize(
    "key", ["../x.png", "a/../b.png", "./a.png", "a//b.png", "/abs.png", ".imagestore/x"]
)
def test_keys_that_could_escape_a_folder_are_never_looked_up(key):
    assert not is_servable_key(key)
