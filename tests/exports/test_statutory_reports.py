"""The statutory reports made from a meeting's record, read back in every format: the EHCP annual review report
(every reg 20 section present or "None recorded"), the US prior written notice (one per decision that proposes
or refuses, with the options rejected), who may export which, and the date each was sent to each recipient.
Sample outputs are saved as test artifacts (PDF, DOCX and page images of the PDFs)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import local_today
from tests.exports.test_minutes_exports import docx_text, html_text, markdown_unescape, pdf_text, squash

FORMATS = ["html", "pdf", "docx", "md"]

#: what each annual review report section is headed, as a reader sees it
EHCP_HEADINGS = [
    "The review meeting",
    "The views, wishes and feelings of the child or young person",
    "The views of the parent or carer",
    "Progress towards each outcome of the plan",
    "Whether the outcomes remain appropriate",
    "Advice and information received",
    "The school's recommendation: maintain, amend or cease the plan",
    "Sections of the plan to amend, with the proposed wording",
    "The school's recommendation set against those of others",
    "Differences of opinion",
    "Preparing for adulthood (Year 9 and above)",
    "Decisions and actions agreed",
    "Next review",
]
PWN_HEADINGS = [
    "1. The action proposed or refused",
    "2. Why the district proposes or refuses the action",
    "3. Each evaluation procedure, assessment, record or report used as a basis",
    "4. Procedural safeguards, and how to obtain a copy",
    "5. Sources to contact for help in understanding this notice",
    "6. Other options considered, and why they were rejected",
    "7. Other factors relevant to the proposal or refusal",
]


def read(fmt: str, body: bytes) -> str:
    """What a person reads in a file, as one string."""
    if fmt == "html":
        text, scripts = html_text(body)
        assert scripts == 0
        return squash(text)
    if fmt == "pdf":
        return squash(pdf_text(body))
    if fmt == "docx":
        paragraphs, tables = docx_text(body)
        return squash(" ".join(paragraphs + [c for t in tables for row in t for c in row]))
    # Markdown's own emphasis marks are not part of what a person reads
    return squash(markdown_unescape(body.decode("utf-8")).replace("**", ""))


class Maker:
    def __init__(self, client, make_meeting, **meeting):
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        self.client = client
        self.m = make_meeting(
            scheduled_start=start.isoformat(), scheduled_end=(start + timedelta(minutes=90)).isoformat(), **meeting
        )
        self.id, self.chair = self.m["id"], self.m["chair"]

    def cmd(self, command, /, token=None, status=200, **args):
        r = self.client.post(
            f"/api/v1/meetings/{self.id}/commands/{command}",
            json=args,
            headers={"Authorization": f"Bearer {token or self.chair}"},
        )
        assert r.status_code == status, (command, r.get_json())
        return r.get_json()

    def export(self, fmt, token=None, status=200):
        r = self.client.get(f"/minutes/{token or self.chair}/export/{fmt}")
        assert r.status_code == status, (fmt, r.status_code)
        return r.data

    def snapshot(self):
        return self.client.get(
            f"/api/v1/meetings/{self.id}", headers={"Authorization": f"Bearer {self.chair}"}
        ).get_json()


@pytest.fixture
def review(client, make_meeting):
    """An EHCP annual review of a Year 10 pupil: outcomes with progress, amendments, views, a difference of opinion."""
    r = Maker(client, make_meeting, title="Annual review: Year 10", child_ref="JB-10")
    parent = r.cmd("participants.add", name="Jo Parent", role="parent", agency="family")
    r.cmd("attendance.set", participant_id=parent["participant_id"], attendance="in_room")
    r.cmd(
        "outcomes.set_adulthood",
        version=r.snapshot()["meeting"]["version"],
        year_group=10,
        areas=["employment", "health"],
    )
    ids = r.cmd("outcomes.add", text="1. Jo will read a bus timetable and plan a journey\n2. Jo will write a CV")[
        "outcome_ids"
    ]
    job = r.cmd("outcomes.add", text="Jo will complete a week of work experience", area="employment")["outcome_ids"][0]
    r.cmd("clock.start_meeting")
    r.cmd(
        "outcomes.update",
        outcome_id=ids[0],
        version=1,
        progress="Plans journeys with a prompt card",
        evidence="Travel training log",
        still_appropriate="yes",
    )
    r.cmd(
        "outcomes.update",
        outcome_id=job,
        version=1,
        progress="Two days at a garage went well",
        still_appropriate="partly",
        proposed_change="A full week in a workshop by the summer",
    )
    r.cmd("amendments.record", section="I", wording="Northshire College, engineering foundation, from September")
    r.cmd(
        "amendments.record",
        section="F",
        wording="Travel training twice a week until Jo travels alone",
        reason="Travel training log",
    )
    r.cmd(
        "disagreements.record",
        topic="College placement",
        positions=[{"participant_id": parent["participant_id"], "view": "Jo should stay in the sixth form"}],
    )
    r.cmd("decisions.record", text="Recommend amending the plan: sections F and I", reasons="Jo is ready for college")
    r.cmd(
        "minutes.update_details",
        version=1,
        child_views="I want to fix cars.",
        family_views="We worry about the journey.",
        next_review_date=(local_today() + timedelta(days=300)).isoformat(),
        recommendation="amend",
    )
    r.cmd("clock.end_meeting")
    return r


@pytest.fixture
def iep(client, make_meeting):
    """A US IEP meeting with one proposal and one refusal in the decision register."""
    r = Maker(client, make_meeting, title="IEP meeting: annual", child_ref="MR-3", meeting_type="iep_meeting")
    r.cmd("outcomes.add", text="Given a grade-level passage, MR will read 90 words a minute")
    r.cmd(
        "decisions.record",
        text="Provide a resource room for reading, 5 hours a week",
        notice="proposes",
        reasons="Reading fluency is two grades below",
        evidence="Reading evaluation, 3 Feb; curriculum-based measures",
        options_considered="General classroom only: rejected, progress too slow.\nSelf-contained class: rejected, not the least restrictive environment.",
        other_factors="The parents asked for sessions before lunch.",
    )
    r.cmd(
        "decisions.record",
        text="Extended school year services",
        notice="refuses",
        reasons="No regression over breaks",
        evidence="Fall and spring reading data",
        options_considered="Summer tutoring: rejected, not needed for progress.",
    )
    r.cmd("decisions.record", text="Meet again in May")
    r.cmd("clock.start_meeting")
    r.cmd("clock.end_meeting")
    return r


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_annual_review_report_has_every_reg_20_section_with_progress_amendments_and_adulthood(review, fmt):
    text = read(fmt, review.export(f"report.{fmt}"))
    at = [text.find(h) for h in EHCP_HEADINGS]
    assert all(n >= 0 for n in at) and at == sorted(at), list(zip(EHCP_HEADINGS, at, strict=True))
    for words in (
        "Jo will read a bus timetable and plan a journey",
        "Plans journeys with a prompt card",
        "Travel training log",
        "A full week in a workshop by the summer",
        "Partly",
        "Amend the plan",
        "Northshire College, engineering foundation, from September",
        "Travel training twice a week until Jo travels alone",
        "I want to fix cars.",
        "We worry about the journey.",
        "Jo should stay in the sixth form",
        "Employment and higher education",
        "Good health",
        "Year 10",
    ):
        assert words in text, (fmt, words)
    # nothing recorded is said, not left out: no advice has been received yet (the evidence pack's seam)
    advice = text[text.find("Advice and information received") : text.find(EHCP_HEADINGS[6])]
    assert "None recorded." in advice
    # section F comes before section I, as in the plan
    assert text.find("Travel training twice a week") < text.find("Northshire College, engineering")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_prior_written_notice_lists_each_element_and_the_options_rejected_from_the_register(iep, fmt):
    text = read(fmt, iep.export(f"pwn.{fmt}"))
    assert "Notice 1 (D1): action proposed: Provide a resource room for reading, 5 hours a week" in text
    assert "Notice 2 (D2): action refused: Extended school year services" in text
    assert "Meet again in May" not in text  # neither proposes nor refuses: no notice
    assert text.count(PWN_HEADINGS[0]) == 2
    for heading in PWN_HEADINGS:
        assert heading in text, (fmt, heading)
    for rejected in (
        "General classroom only: rejected, progress too slow.",
        "Self-contained class: rejected, not the least restrictive environment.",
        "Summer tutoring: rejected, not needed for progress.",
    ):
        assert rejected in text, (fmt, rejected)
    assert "procedural safeguards of Part B" in text
    # the refusal has no other factors recorded: flagged in words
    assert "Missing: the other factors relevant are not recorded." in text


def test_each_meeting_type_offers_only_its_own_report(review, iep):
    review.export("pwn.pdf", status=404)
    iep.export("report.docx", status=404)
    assert b'data-format="report.pdf"' not in review.client.get(f"/minutes/{review.chair}").data  # drawn by minutes.js
    page = review.client.get(f"/minutes/{review.chair}").data.decode()
    assert '"report.pdf"' in page and '"pwn.pdf"' not in page
    assert '"pwn.docx"' in iep.client.get(f"/minutes/{iep.chair}").data.decode()
    # participants read and export them too (the minutes go to everyone at the table); every export is logged
    parent = review.snapshot()["participants"][0]
    assert parent["name"] == "Jo Parent"
    api = review.client.get(
        f"/api/v1/meetings/{review.id}/minutes/export/report.md", headers={"Authorization": f"Bearer {review.chair}"}
    )
    assert api.status_code == 200 and api.headers["Content-Disposition"].startswith(
        'attachment; filename="ehcp-annual-review-report-JB-10-'
    )


def test_missing_notice_elements_are_in_the_chair_s_list_before_circulation(iep, client):
    state = client.get(f"/minutes/{iep.chair}/state.json").get_json()
    assert "Prior written notice for D2: the other factors relevant are not recorded." in state["completeness"]
    (pwn,) = state["reports"]
    assert (
        pwn["report"] == "pwn"
        and pwn["sendings"] == []
        and pwn["gaps"] == [
            "Prior written notice for D2: the other factors relevant are not recorded.",
            "Prior written notice: that the procedural safeguards were offered to the parent is not recorded.",
            "Prior written notice: the parent's consent (given, refused or not needed) is not recorded.",
        ]
    )


def test_sending_the_report_to_the_local_authority_records_eng_ar_08_done_against_its_deadline(review, client):
    today = local_today().isoformat()
    sent = review.cmd(
        "reports.record_sent",
        report="report",
        recipient="Northshire County Council SEND team",
        recipient_kind="local_authority",
        sent_on=today,
    )
    assert sent["recorded_step"] == "ENG-AR-08"
    review.cmd("reports.record_sent", report="report", recipient="Jo Parent", recipient_kind="parent", sent_on=today)
    state = client.get(f"/minutes/{review.chair}/state.json").get_json()
    (report,) = state["reports"]
    assert report["rule_id"] == "ENG-AR-08" and report["due"] is not None
    assert [(s["recipient"], s["sent_on"], s["late"]) for s in report["sendings"]] == [
        ("Northshire County Council SEND team", today, False),
        ("Jo Parent", today, False),
    ]
    timeline = client.get(
        f"/api/v1/meetings/{review.id}/timeline", headers={"Authorization": f"Bearer {review.chair}"}
    ).get_json()
    step = next(i for i in timeline["items"] if i["rule_id"] == "ENG-AR-08")
    assert step["status"] == "met" and step["done_on"] == today


def test_a_sending_with_a_bad_date_or_the_wrong_report_is_refused_naming_the_field(review, iep):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    for args, field in (
        ({"report": "report", "recipient": "LA", "recipient_kind": "local_authority", "sent_on": tomorrow}, "sent_on"),
        (
            {
                "report": "pwn",
                "recipient": "LA",
                "recipient_kind": "local_authority",
                "sent_on": local_today().isoformat(),
            },
            "report",
        ),
        (
            {"report": "report", "recipient": "LA", "recipient_kind": "mayor", "sent_on": local_today().isoformat()},
            "recipient_kind",
        ),
        (
            {"report": "report", "recipient": "  ", "recipient_kind": "parent", "sent_on": local_today().isoformat()},
            "recipient",
        ),
    ):
        body = review.cmd("reports.record_sent", status=422, **args)
        assert field in body["error"]["fields"], (args, body)
    assert review.client.get(f"/minutes/{review.chair}/state.json").get_json()["reports"][0]["sendings"] == []


def _save_with_pages(artifacts, name: str, pdf: bytes, docx: bytes) -> None:
    (artifacts / f"{name}.pdf").write_bytes(pdf)
    (artifacts / f"{name}.docx").write_bytes(docx)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed")
    for old in artifacts.glob(f"{name}-page-*.png"):
        old.unlink()
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "3",
            str(artifacts / f"{name}.pdf"),
            str(artifacts / f"{name}-page"),
        ],
        check=True,
        timeout=60,
    )
    pages = sorted(artifacts.glob(f"{name}-page-*.png"))
    assert pages and all(p.stat().st_size > 10_000 for p in pages)


def test_sample_annual_review_report_is_saved_as_pdf_docx_and_page_images(review, artifacts):
    _save_with_pages(artifacts, "ehcp-annual-review-report", review.export("report.pdf"), review.export("report.docx"))


def test_sample_prior_written_notice_is_saved_as_pdf_docx_and_page_images(iep, artifacts):
    _save_with_pages(artifacts, "prior-written-notice", iep.export("pwn.pdf"), iep.export("pwn.docx"))
