"""Images in a host's own pages, in one call: ``images.img`` (the Jinja global
``imagestore_img``), ``images.srcset`` and ``images.url(key, variant)``, on every backend
in both modes."""

import html
import io
import re

import camera_files
import pytest
import samples
from flask import Flask, render_template_string
from PIL import Image

from imagestore import ImageStore

VARIANTS = {"avatar": {"fill": (256, 256)}, "card": {"fit": (600, 400)}}
images = ImageStore(variants=VARIANTS)


@pytest.fixture
def host(config_path, access, closed_afterwards):
    """A host app whose store declares an avatar and a card, holding a 1200×900 photo."""
    app = Flask("host")
    app.config.update(SECRET_KEY="the host's", IMAGESTORE_CONFIG=config_path, IMAGESTORE_ACCESS=access)
    images.init_app(app)
    closed_afterwards(app)
    with app.app_context():
        images.save(samples.photo(size=(1200, 900)), name="cat.jpg")
    return app


def attributes(markup):
    """The attributes of the one ``<img>`` in ``markup``, unescaped."""
    assert markup.count("<img ") == 1 and markup.endswith(">")
    return {name: html.unescape(value) for name, value in re.findall(r' ([a-z-]+)="([^"]*)"', markup)}


def test_a_host_template_shows_a_stored_photo_with_one_call(host):
    with host.test_request_context():
        shown = render_template_string('{{ imagestore_img("cat.jpg", sizes="100vw", alt="Our cat") }}')
    img = attributes(shown)
    assert img["srcset"].count("w, ") >= 2 and img["sizes"] == "100vw"
    assert (img["width"], img["height"], img["alt"]) == ("1200", "900", "Our cat")
    assert (img["loading"], img["decoding"]) == ("lazy", "async")
    assert "fetchpriority" not in img


def test_each_address_of_the_srcset_answers_a_webp_of_its_width(host):
    with host.app_context():
        srcset = images.srcset("cat.jpg")
    client = host.test_client()
    for candidate in srcset.split(", "):
        address, width = candidate.rsplit(" ", 1)
        served = Image.open(io.BytesIO(client.get(address).data))
        assert (served.format, served.width) == ("WEBP", int(width.removesuffix("w")))


def test_the_srcset_widths_stop_at_the_originals(host):
    with host.app_context():
        widths = [candidate.rsplit(" ", 1)[1] for candidate in images.srcset("cat.jpg").split(", ")]
    assert widths == ["320w", "640w", "1024w", "1200w"]


def test_the_alt_text_is_escaped(host):
    with host.app_context():
        shown = images.img("cat.jpg", alt='"><script>alert(1)</script>')
    assert "<script>" not in shown and attributes(shown)["alt"] == '"><script>alert(1)</script>'


def test_an_eager_image_is_fetched_first(host):
    with host.app_context():
        img = attributes(images.img("cat.jpg", loading="eager"))
    assert (img["loading"], img["fetchpriority"]) == ("eager", "high")


def test_other_attributes_are_added_as_named(host):
    with host.app_context():
        img = attributes(images.img("cat.jpg", class_="hero", data_role="cover"))
    assert (img["class"], img["data-role"]) == ("hero", "cover")


def test_the_placeholder_is_the_photos_dominant_colour(host):
    with host.app_context():
        img = attributes(images.img("cat.jpg"))
    assert re.fullmatch(r"#[0-9a-f]{6}", img["data-imagestore-placeholder"])


def test_loading_is_lazy_or_eager(host):
    with host.app_context(), pytest.raises(ValueError, match="loading"):
        images.img("cat.jpg", loading="soon")


def test_a_variant_is_shown_at_its_declared_size(host):
    with host.app_context():
        img = attributes(images.img("cat.jpg", variant="avatar", alt="Me"))
    assert (img["width"], img["height"]) == ("256", "256") and "srcset" not in img
    served = Image.open(io.BytesIO(host.test_client().get(img["src"]).data))
    assert served.size == (256, 256)


def test_the_url_of_a_declared_variant_is_versioned(host):
    with host.app_context():
        address = images.url("cat.jpg", "card")
    assert re.fullmatch(r"/images/variant/card/cat\.jpg\?v=[0-9a-f]{12}", address)
    assert Image.open(io.BytesIO(host.test_client().get(address).data)).size == (533, 400)


def test_an_undeclared_variant_is_a_value_error(host):
    with host.app_context():
        with pytest.raises(ValueError, match="banner"):
            images.url("cat.jpg", "banner")
        with pytest.raises(ValueError, match="banner"):
            images.img("cat.jpg", variant="banner")


def test_an_image_that_is_not_there_is_a_key_error(host):
    with host.app_context(), pytest.raises(KeyError):
        images.img("nobody.jpg")


def test_an_upright_phone_photo_is_described_upright(host):
    with host.app_context():
        images.save(camera_files.jpeg(size=(1200, 900), orientation=6), name="phone.jpg")
        img = attributes(images.img("phone.jpg"))
    assert (img["width"], img["height"]) == ("900", "1200")


@pytest.mark.parametrize(
    "variants, why",
    [
        ({"Avatar": {"fill": (256, 256)}}, "variant name"),
        ({"avatar": {"crop": (256, 256)}}, "neither 'fill' nor 'fit'"),
        ({"avatar": {"fill": (0, 256)}}, "is not \\(width, height\\)"),
        ({"avatar": {"fill": (256, 256), "fit": (1, 1)}}, "declare a variant as"),
    ],
)
def test_a_variant_that_is_not_one_is_refused_at_once(variants, why):
    with pytest.raises(ValueError, match=why):
        ImageStore(variants=variants)
