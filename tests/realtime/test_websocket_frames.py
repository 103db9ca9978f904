"""Reading client frames: the payload's mask is removed exactly as RFC 6455 says (compared with
gevent-websocket's own byte-by-byte loop), and text is checked as UTF-8 by the compiled validator."""

from __future__ import annotations

import os

import pytest
from geventwebsocket import utf8validator
from geventwebsocket.websocket import Header

from facilitation.serving import unmask


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 5, 7, 8, 125, 126, 127, 65535, 65536, 70001])
def test_a_masked_payload_is_unmasked_as_gevent_websocket_does_it(length):
    payload, mask = os.urandom(length), os.urandom(4)
    header = Header(length=length)
    header.mask = mask
    expected = bytes(header.mask_payload(payload))
    assert unmask(payload, mask) == expected
    assert unmask(expected, mask) == payload


def test_leading_zero_bytes_survive_unmasking():
    mask = b"\x00\x00\x00\x00"
    assert unmask(b"\x00\x00abc", mask) == b"\x00\x00abc"


def test_text_frames_are_validated_by_the_compiled_utf8_validator():
    # gevent-websocket falls back to a validator written in Python (about 0.3 µs a byte) without wsaccel
    assert utf8validator.Utf8Validator.__module__.startswith("wsaccel")
