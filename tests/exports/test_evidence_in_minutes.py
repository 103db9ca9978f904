"""The minutes in every format list the advice received before the meeting (who, what, when, on time or
late), when the pack went out, and the documents decisions, actions and positions cite; never a
confidential document."""

from __future__ import annotations

import pytest

from tests import sample_files
from tests.exports.test_minutes_exports import text_of
from tests.web.test_evidence_pack import ask, pack_meeting, upload  # noqa: F401 - pack_meeting is a fixture


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx", "md"])
def test_the_minutes_list_the_advice_received_and_the_documents_cited(client, api, pack_meeting, fmt):  # noqa: F811
    m = pack_meeting()
    asked = ask(api, m)
    views = ask(api, m, who="parent", kind="child_views", what="Sam's views")
    doc = upload(client, m, m["ep"], sample_files.pdf(), "Psychology advice.pdf", request_id=asked)[1]["document"]["id"]
    secret = upload(client, m, m["chair"], sample_files.png(), "Health note.png", confidential="true")[1]["document"]["id"]
    assert api(m["parent"], m["id"], "evidence.answer", request_id=views, answer="I like the quiet room", how_gathered="drawing")[0] == 200
    assert api(m["chair"], m["id"], "evidence.circulate")[0] == 200
    status, body = api(m["chair"], m["id"], "decisions.record", text="Keep the plan", cited_document_ids=[doc, secret])
    assert status == 200, body
    text = text_of(client, m["parent"], fmt)
    assert "Advice and reports before the meeting" in text
    assert "Dr Eve Psych: Educational psychology advice" in text
    assert "received" in text and "on time" in text
    assert "gathered: through a drawing" in text
    assert "Circulated on" in text
    assert f"Psychology advice.pdf (pack document {doc})" in text
    assert "Health note.png" not in text


def test_the_annual_review_report_lists_the_advice_the_pack_received(client, api, pack_meeting):  # noqa: F811
    m = pack_meeting()
    asked = ask(api, m)
    upload(client, m, m["ep"], sample_files.pdf(), "Psychology advice.pdf", request_id=asked)
    r = client.get(f"/minutes/{m['chair']}/export/report.md")
    assert r.status_code == 200
    report = r.get_data(as_text=True)
    section = report[report.index("Advice and information received"):]
    assert "Dr Eve Psych" in section[:600] and "Psychology advice.pdf" in section[:600]
    assert "Educational psychologist" in section[:600]
