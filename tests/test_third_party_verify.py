"""A third party checks the signatures in a JSON export with `cryptography` alone.

The verifier below rebuilds each signed payload from the export exactly as
docs/json-format.md ("Signed payloads") describes it.  It imports nothing from
scrutiny_desktop: the app is used only to make the document and its export.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

# -- the third party's verifier (no scrutiny_desktop imports) ------------------------------------


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def cert_sha256(cert: x509.Certificate) -> str:
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def record(export: dict) -> dict:
    a = export["assessment"]
    s = export["summary"]
    written = (s["overall_judgement"] is not None
               or any(s[k] for k in ("conclusion", "strengths", "areas_for_improvement",
                                     "scope_and_method"))
               or any(x["summary"] for x in s["sections"]))
    return {
        **({"summary": s} if written else {}),
        "assessment": {k: a[k] for k in ("uid", "partnership", "area", "period", "scrutineer_name",
                                         "scrutineer_role", "created_at", "previous_uid",
                                         "previous_period")},
        "template": {"id": a["template_id"], "version": a["template_version"],
                     "sha256": a["template_sha256"]},
        "answers": [{
            "question_id": ans["question_id"], "judgement": ans["judgement"],
            "findings": ans["findings"], "updated_at": ans["updated_at"],
            "evidence": [{
                "title": e["title"], "kind": e["kind"], "date": e["date"], "source": e["source"],
                "note": e["note"],
                "attachment": None if e["attachment"] is None else {
                    k: e["attachment"][k] for k in ("name", "media_type", "size", "sha256", "added_at")},
            } for e in ans["evidence"]],
            "recommendations": [{
                k: r[k] for k in ("id", "text", "owner", "owner_other", "priority", "due", "status",
                                  "carried_from", "progress")
            } for r in ans["recommendations"]],
        } for ans in export["answers"]],
    }


def signer(sig: dict, cert: x509.Certificate) -> dict:
    return {"name": sig["name"], "role": sig["role"], "statement": sig["statement"],
            "signed_at": sig["signed_at"], "certificate_sha256": cert_sha256(cert)}


def check(sig: dict, payload: dict, cert: x509.Certificate) -> bool:
    try:
        cert.public_key().verify(base64.b64decode(sig["signature_base64"]), canonical(payload),  # type: ignore[union-attr, call-arg]
                                 padding.PKCS1v15(), hashes.SHA256())  # type: ignore[call-arg]
    except InvalidSignature:
        return False
    return True


def verify_export(export: dict) -> list[tuple[str, str, bool]]:
    """(kind, signer, valid) for each signature in force."""
    out = []
    signoffs = [s for s in export["signoffs"] if s["voided_at"] is None]
    for s in signoffs:
        cert = x509.load_pem_x509_certificate(s["certificate_pem"].encode("ascii"))
        payload = {"payload": "scrutiny-desktop-signoff", "signed_payload_version": 1,
                   **record(export), "signer": signer(s, cert)}
        out.append(("sign-off", s["name"], check(s, payload, cert)))
    reviews = export["reviews"]
    for c in [c for c in reviews["countersignatures"] if c["voided_at"] is None]:
        cert = x509.load_pem_x509_certificate(c["certificate_pem"].encode("ascii"))
        review = {
            "comments": sorted(({"question_id": m["question_id"], "author": m["author"],
                                 "text": m["text"]} for m in reviews["comments"]),
                               key=lambda m: m["question_id"] or ""),
            "responses": sorted(({k: r[k] for k in ("recommendation_id", "decision", "detail",
                                                    "action_owner", "action_due")}
                                 for r in reviews["responses"]),
                                key=lambda r: r["recommendation_id"]),
        }
        payload = {"payload": "scrutiny-desktop-countersignature", "signed_payload_version": 1,
                   **record(export), "review": review,
                   "signoff_signature_base64": signoffs[-1]["signature_base64"],
                   "signer": signer(c, cert)}
        out.append(("countersignature", c["name"], check(c, payload, cert)))
    return out


# -- the test ---------------------------------------------------------------------------------


def _export(path):
    from scrutiny_desktop.report.jsonio import dumps, export_data
    from scrutiny_desktop.services import assessments

    with assessments.open_assessment(path, readonly=True) as doc:
        return json.loads(dumps(export_data(doc)))


def _countersigned(path, tmp_path):
    from scrutiny_desktop.services import answers, evidence, recommendations, review, signoff, summary
    from scrutiny_desktop.services.assessments import open_assessment
    from scrutiny_desktop.services.recommendations import RecommendationInput
    from tests.helpers import chair_id, scrutineer_id

    note = tmp_path / "minutes.txt"
    note.write_bytes(b"minutes " * 100)
    with open_assessment(path) as doc:
        answers.set_findings(doc, "ARR-01", "Minutes seen — “all three partners”.")
        summary.set_text(doc, "conclusion", "Reasonable assurance — with “caveats”.")
        summary.set_overall_judgement(doc, "reasonable")
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Minutes", source="BU"),
                              attach=note)
        recommendations.add_recommendation(doc, "ARR-01", RecommendationInput("Publish the plan"))
        signoff.sign_off(doc, identity=scrutineer_id(), name="Ann Jones", role="Scrutineer",
                         statement="I confirm.", confirmed=True)
        review.set_overall_response(doc, "Accepted.")
        review.set_question_comment(doc, "ARR-01", "Agreed.")
        for r in recommendations.list_recommendations(doc):
            review.set_response(doc, r.id, decision="accepted_with_changes", detail="By March.")
        review.countersign(doc, identity=chair_id(), name="Chris Chair", role="Chair",
                           statement="Agreed.", confirmed=True)
    return path


def test_third_party_verifies_every_signature_in_the_json_export(tmp_path, answered):
    from tests.helpers import copy_document

    path = _countersigned(copy_document(answered, tmp_path, "doc.scrutiny"), tmp_path)
    export = _export(path)
    assert export["format"]["version"] == 3
    assert export["summary"]["overall_judgement"] == "reasonable"  # signed with the rest
    for sig in export["signoffs"] + export["reviews"]["countersignatures"]:
        assert sig["signed_payload_version"] == 1
        assert sig["certificate_pem"].startswith("-----BEGIN CERTIFICATE-----")
    assert verify_export(export) == [("sign-off", "Ann Jones", True),
                                     ("countersignature", "Chris Chair", True)]

    # An edited conclusion no longer verifies; nor does an edited finding or decision.
    changed = json.loads(json.dumps(export))
    changed["summary"]["conclusion"] = "Strong assurance."
    assert [ok for _k, _n, ok in verify_export(changed)] == [False, False]
    export["answers"][0]["findings"] = "Nothing to report."
    export["reviews"]["responses"][0]["decision"] = "not_accepted"
    assert [ok for _k, _n, ok in verify_export(export)] == [False, False]
