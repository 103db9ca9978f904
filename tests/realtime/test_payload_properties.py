"""Property-based: no payload, however malformed, causes a server error or a partial write."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitation import services

NAMES = sorted(services.pipeline.COMMANDS)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
    st.sampled_from(["2027-03-14", "2027-02-30", "2020-01-01", "<script>alert(1)</script>", "x" * 5000, "", "1", "agreed", "mediation", "remote"]),
    st.integers(min_value=0, max_value=12),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=8)


@st.composite
def payloads(draw):
    name = draw(st.sampled_from(NAMES + ["no.such_command", ""]))
    spec = services.pipeline.COMMANDS.get(name)
    fields = (list(spec.args.model_fields) if spec else []) or ["x"]
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    args = {f: draw(values) for f in chosen}
    if draw(st.booleans()):
        args[draw(st.text(max_size=10))] = draw(values)
    envelope = {"name": name, "args": args}
    if draw(st.booleans()):
        envelope = draw(st.sampled_from([envelope, {"name": name, "args": draw(values)}, draw(values), {"name": draw(values)}]))
    return envelope


def comparable(snapshot):
    """A snapshot less what is computed from the current time (the server's clock, the projected end)."""
    kept = {k: v for k, v in snapshot.items() if k != "server_now"}
    kept["meeting"] = {k: v for k, v in snapshot["meeting"].items() if k != "projected_end"}
    return kept


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=payloads())
def test_no_generated_command_causes_a_server_error_or_a_partial_write(meeting, sockets, payload):
    chair = sockets(meeting["chair"])
    before = chair.emit("sync", {}, callback=True)["snapshot"]
    ack = chair.emit("command", payload, callback=True)
    after = chair.emit("sync", {}, callback=True)["snapshot"]
    assert isinstance(ack, dict), ack
    if ack.get("ok"):
        assert after["seq"] == before["seq"] + 1
    else:
        assert ack["error"]["code"] != "server_error", (payload, ack)
        assert ack["error"]["message"]
        assert comparable(after) == comparable(before), payload
    chair.disconnect()
