"""CORS for /api/v1 (shared.api.cors): who gets a grant, what a preflight answers."""

from __future__ import annotations

from shared.api import cors

ORIGINS = frozenset({"https://console.example"})


def test_a_preflight_from_the_console_is_granted() -> None:
    reply = cors.preflight(
        "OPTIONS",
        {"Origin": "https://console.example", "Access-Control-Request-Method": "GET"},
        ORIGINS,
    )
    assert reply is not None and reply.status == 204
    assert reply.headers["Access-Control-Allow-Origin"] == "https://console.example"
    assert "If-None-Match" in reply.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in reply.headers


def test_other_requests_are_not_preflights() -> None:
    # Another origin, a plain OPTIONS (the router's 405 with Allow), a GET.
    assert (
        cors.preflight(
            "OPTIONS",
            {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
            ORIGINS,
        )
        is None
    )
    assert cors.preflight("OPTIONS", {"Origin": "https://console.example"}, ORIGINS) is None
    assert (
        cors.preflight(
            "GET",
            {"Origin": "https://console.example", "Access-Control-Request-Method": "GET"},
            ORIGINS,
        )
        is None
    )


def test_answers_expose_the_etag_to_the_console_only() -> None:
    granted = cors.response_headers({"origin": "https://console.example/"}, ORIGINS)
    assert granted["Access-Control-Allow-Origin"] == "https://console.example/"
    assert "ETag" in granted["Access-Control-Expose-Headers"]
    assert cors.response_headers({"Origin": "https://evil.example"}, ORIGINS) == {"Vary": "Origin"}
    assert cors.response_headers({}, frozenset()) == {}
