"""The fan-out's own encoding: the same text as python-socketio's; and a socket noted as open
leaves its link loaded for the rest of the connect."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from socketio import packet as sio_packet

from facilitation.extensions import db, socketio
from facilitation.json_input import SocketJson
from facilitation.models import AccessLink
from facilitation.queries import live_link
from facilitation.realtime.broadcast import SocketPacket
from facilitation.services import socket_sessions

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def library_encoding(packet_type, data, namespace, ack_id):
    """What python-socketio's own packet class makes of the same packet."""
    return sio_packet.Packet(packet_type, data=data, namespace=namespace, id=ack_id).encode()


@given(
    data=json_values,
    packet_type=st.sampled_from([sio_packet.EVENT, sio_packet.ACK]),
    namespace=st.sampled_from([None, "/", "/other"]),
    ack_id=st.none() | st.integers(min_value=0, max_value=10**6),
)
def test_a_packet_is_encoded_exactly_as_python_socketio_encodes_it(data, packet_type, namespace, ack_id):
    payload = ["event", data] if packet_type == sio_packet.EVENT else [data]
    ours = SocketPacket(packet_type, data=payload, namespace=namespace, id=ack_id).encode()
    assert ours == library_encoding(packet_type, payload, namespace, ack_id)


finite_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(data=finite_values)
def test_what_the_server_sends_reads_back_as_the_same_value_with_the_json_module(data):
    """orjson writes it (json's text but for spacing and float spelling); integers beyond 64 bits,
    which orjson refuses, go to the json module instead."""
    text = SocketJson.dumps(data)
    assert json.loads(text) == data
    assert json.loads(text) == json.loads(json.dumps(data))


def test_a_number_json_cannot_hold_is_sent_as_null_which_a_browser_can_read():
    # The json module would write `Infinity`, which JSON.parse in a browser refuses: the whole message lost.
    assert SocketJson.dumps({"seconds": float("inf"), "ratio": float("nan")}) == '{"seconds":null,"ratio":null}'


def test_a_snapshot_sized_message_keeps_non_ascii_text_as_it_is():
    names = [{"id": i, "name": f"Zoë Ó'Brien-Łukasz 李 {i}", 2: "int key"} for i in range(200)]
    text = SocketJson.dumps({"participants": names})
    assert "Zoë Ó'Brien-Łukasz 李 7" in text and '"2":"int key"' in text
    assert json.loads(text) == json.loads(json.dumps({"participants": names}))


def test_a_packet_with_bytes_in_it_still_goes_as_a_binary_event_with_its_attachment():
    ours = SocketPacket(sio_packet.EVENT, data=["event", {"file": b"\x00\x01"}], namespace="/").encode()
    assert ours == library_encoding(sio_packet.EVENT, ["event", {"file": b"\x00\x01"}], "/", None)
    assert ours[1] == b"\x00\x01"


def test_the_server_builds_its_packets_with_the_encode_once_class(app):
    assert socketio.server.packet_class is SocketPacket


def test_noting_an_open_socket_leaves_its_link_loaded_for_the_rest_of_the_connect(app, meeting):
    with app.app_context():
        link = live_link(meeting["chair"])
        socket_sessions.opened("sid-of-this-test", link, "127.0.0.1")
        assert "role" in db.inspect(link).dict  # not expired by the commit: no second read of the link
        assert db.session.get(AccessLink, link.id).role == link.role
        socket_sessions.closed("sid-of-this-test")
